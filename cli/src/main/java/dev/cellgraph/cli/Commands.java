package dev.cellgraph.cli;

import java.util.List;

/** The registry of subcommands: add a command here to make it part of the program. */
final class Commands {
  private Commands() {}

  static List<Command> all() {
    return List.of(new CheckCommand(), new RunCommand(), new RenderCommand(), new GradflowCommand(),
        new TrainCommand(), new SampleCommand(), new CompareCommand(), new SearchCommand(), new DemoCommand(),
        new BenchCommand(), new CompletionCommand());
  }
}
