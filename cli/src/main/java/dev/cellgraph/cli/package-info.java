/**
 * The {@code cellgraph} program: {@link Main} runs one subcommand, each a {@link Command} (check,
 * run, render, gradflow, train, sample, compare, demo, bench), parsing its options with
 * {@link Args}. Exit status: 0 success, 1 a check that ran and failed, 2 a mistake in the command
 * line or a user's file ({@link UsageException}, or an
 * {@link dev.cellgraph.core.InvalidInputException}), 3 an internal error.
 */
package dev.cellgraph.cli;
