import dev.cellgraph.cells.lang.CellSpec;
import dev.cellgraph.cells.lang.Zoo;
import dev.cellgraph.cells.search.Canonical;
import dev.cellgraph.search.Backend;
import dev.cellgraph.search.LocalBackend;
import dev.cellgraph.search.Trial;
import dev.cellgraph.search.TrialResult;
import dev.cellgraph.search.TrainingEvaluator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Trials per minute of the local back end against the trainer alone, on small adding-problem
 * trials (GRU and LSTM, H = 16, T = 50, batch 32, STEPS steps, no gradient check): the evaluator
 * called in a loop on one thread, then LocalBackend with 1 and 2 workers, alternated ROUNDS times.
 * Run from the repository root after 'mvn -o -q -DskipTests package':
 *   java --add-modules jdk.incubator.vector -cp "cli/target/cellgraph-cli.jar:cli/target/lib/*" \
 *     tools/search/SearchThroughput.java [TRIALS] [STEPS] [ROUNDS]
 */
public class SearchThroughput {
  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 300;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    TrainingEvaluator ev = TrainingEvaluator.forTask("adding").withGradCheck(false);
    List<Trial> trials = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      String text = Zoo.text(k % 2 == 0 ? "gru" : "lstm");
      trials.add(new Trial(text, Canonical.hash(CellSpec.parse(text)), "", "seed", "adding", 16, steps, k + 1));
    }
    ev.evaluate(trials.get(0)); // warm-up: JIT and the scan compiler's caches
    ev.evaluate(trials.get(1));
    for (int r = 0; r < rounds; r++) {
      long t0 = System.nanoTime();
      for (Trial t : trials) {
        ev.evaluate(t);
      }
      report("trainer alone, 1 thread", n, t0);
      for (int workers : new int[] {1, 2}) {
        try (Backend b = new LocalBackend(workers)) {
          t0 = System.nanoTime();
          List<TrialResult> rs = b.evaluate(trials, ev);
          report(b.name(), rs.size(), t0);
        }
      }
    }
  }

  private static void report(String what, int n, long t0) {
    double s = (System.nanoTime() - t0) / 1e9;
    System.out.println(String.format(Locale.ROOT, "%-24s %d trials in %6.1f s: %6.1f trials/min", what, n, s, 60 * n / s));
  }
}
