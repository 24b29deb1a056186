/**
 * The classic recurrent-network experiments as {@link dev.cellgraph.train.Task}s: the adding
 * problem ({@link AddingTask}), the copy task ({@link CopyTask}), a character-level language model
 * ({@link CharLmTask}, with a bundled text) and sequential (Fashion-)MNIST ({@link SeqMnistTask}).
 * Each batch is a function of the step and the seed, so a resumed run reads what it would have
 * read.
 */
package dev.cellgraph.train.tasks;
