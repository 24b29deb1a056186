/**
 * File formats and safe writing: {@link SafeTensors} (Hugging Face's weights format, read by a
 * bounded one-pass header parser), {@link Idx} (MNIST's format, plain or gzipped) and
 * {@link AtomicFiles}, through which every file is written (replaced atomically, a symlink written
 * through, a pipe written in place). A malformed file is a {@link SafeTensorsException} or an
 * {@link IdxException}, an unwritable path an {@link OutputPathException}, each naming the file.
 */
package dev.cellgraph.core.io;
