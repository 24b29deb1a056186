package dev.cellgraph.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shell completion comes from the option tables, and every command's --help lists exactly the options it parses. */
class CompletionTest {
  private static final Pattern OPTION = Pattern.compile("(?:^|[\\s\\[|(,])(-{1,2}[a-z][a-z0-9-]*)");

  @Test
  void everyCommandsHelpListsExactlyTheOptionsItsParserAccepts() {
    for (Command c : Main.commands()) {
      UnknownOptionException.Known known = c.options();
      Set<String> table = new TreeSet<>();
      known.valued().forEach(o -> table.add(flag(o)));
      known.flags().forEach(o -> table.add(flag(o)));
      Set<String> listed = new TreeSet<>();
      Matcher m = OPTION.matcher(c.usage());
      while (m.find()) {
        listed.add(m.group(1));
      }
      listed.removeAll(Main.GLOBAL_OPTIONS);
      listed.removeAll(Set.of("--help", "-h", "--version"));
      assertEquals(table, listed, c.name() + ": the options of its parser, and those its --help lists");
    }
  }

  @Test
  void theBashScriptHasEveryCommandAndEveryOption() {
    CliRunner r = CliRunner.run("completion", "bash");
    assertEquals(0, r.status(), r.err());
    for (Command c : Main.commands()) {
      int at = r.out().indexOf("\n    " + c.name() + ")\n");
      assertTrue(at >= 0, c.name() + " has no case in the script");
      int end = r.out().indexOf("\n      ;;\n", at);
      String block = r.out().substring(at, end);
      UnknownOptionException.Known known = c.options();
      Set<String> all = new TreeSet<>(known.valued());
      all.addAll(known.flags());
      for (String o : all) {
        assertTrue(Pattern.compile("[ \"]" + Pattern.quote(flag(o)) + "[ \"]").matcher(block).find(), c.name() + " " + o);
      }
    }
    CliRunner zsh = CliRunner.run("completion", "zsh");
    assertEquals(0, zsh.status(), zsh.err());
    assertTrue(zsh.out().startsWith("# cellgraph completion for zsh, through its bash completion support\n"
        + "autoload -U +X bashcompinit && bashcompinit\n"), zsh.out());
    assertTrue(zsh.out().endsWith(r.out()));

    CliRunner fish = CliRunner.run("completion", "fish");
    assertEquals(2, fish.status());
    assertEquals("cellgraph completion: unknown shell 'fish': expected bash or zsh\n", fish.err());
  }

  @Test
  void bashCompletesCommandsOptionsAndChoices(@TempDir Path tmp) throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "no bash here");
    Path script = tmp.resolve("cellgraph.bash");
    Files.writeString(script, CliRunner.run("completion", "bash").out());
    assertEquals("train", complete(script, "cellgraph", "tra"));
    assertEquals("--task", complete(script, "cellgraph", "train", "--ta"));
    assertEquals("adding charlm charlm-lines copy seqmnist file", complete(script, "cellgraph", "train", "--task", ""));
    assertEquals("cosine constant step plateau", complete(script, "cellgraph", "compare", "--lr-schedule", ""));
    assertEquals("lstm-peephole lstm-projected", complete(script, "cellgraph", "train", "--cell", "lstm-p"));
    assertEquals("", complete(script, "cellgraph", "train", "--steps", ""));
  }

  /** The words bash offers for the last of {@code words}. */
  private static String complete(Path script, String... words) throws Exception {
    List<String> quoted = new ArrayList<>();
    for (String w : words) {
      quoted.add("'" + w + "'");
    }
    String cmd = "source '" + script + "'; COMP_WORDS=(" + String.join(" ", quoted) + "); COMP_CWORD="
        + (words.length - 1) + "; _cellgraph; echo \"${COMPREPLY[*]}\"";
    Process p = new ProcessBuilder("/bin/bash", "-c", cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertTrue(p.waitFor(10, TimeUnit.SECONDS));
    return out;
  }

  private static String flag(String name) {
    return name.length() == 1 ? "-" + name : "--" + name;
  }
}
