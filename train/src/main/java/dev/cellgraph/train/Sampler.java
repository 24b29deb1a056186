package dev.cellgraph.train;

import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Plan;
import dev.cellgraph.autodiff.TensorType;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.random.Rng;
import dev.cellgraph.train.nn.SequenceModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Generates token sequences from a trained token model one step at a time: feed a token, read the
 * distribution of the next one (softmax of the logits divided by a temperature), draw from it with
 * a seeded {@link Rng}, carry the recurrent state. One compiled plan of a single step is reused.
 *
 * <p>Not thread-safe: it carries the recurrent state from one {@link #feed} to the next; use one
 * per thread (samplers may share a model and its parameters).
 */
public final class Sampler {
  private final SequenceModel model;
  private final Map<String, Tensor> params;
  private final DType dtype;
  private final Plan plan;
  private Map<String, Tensor> state = new LinkedHashMap<>();

  /**
   * A sampler of {@code model} with trained parameters {@code params}, starting from zero states.
   *
   * @param model the trained model, which must read tokens
   * @param params the trained parameters by name, all of the same dtype
   * @throws IllegalArgumentException if the model does not read tokens
   */
  public Sampler(SequenceModel model, Map<String, Tensor> params) {
    if (!model.tokenInput()) {
      throw new IllegalArgumentException("sampling needs a model of token input, got " + model);
    }
    this.model = model;
    this.params = params;
    this.dtype = params.values().iterator().next().dtype();
    Graph g = new Graph("sample " + model.cell().name());
    List<Node> feeds = new ArrayList<>();
    Node id = g.input("input", DType.INT64, 1, 1);
    feeds.add(id);
    Map<String, Node> init = new LinkedHashMap<>();
    for (String s : model.stateNames()) {
      Node n = g.input(s + "0", new TensorType(dtype, model.stateShape(s, 1)));
      init.put(s, n);
      feeds.add(n);
    }
    Map<String, Node> pn = new LinkedHashMap<>();
    for (Map.Entry<String, Shape> e : model.parameterShapes().entrySet()) {
      Node n = g.parameter(e.getKey(), new TensorType(dtype, e.getValue()));
      pn.put(e.getKey(), n);
      feeds.add(n);
    }
    SequenceModel.Forward f = model.build(g, id, init, pn, null, false);
    List<Node> outs = new ArrayList<>();
    outs.add(f.outputs().reshape(model.outputs()).logSoftmax());
    for (String s : model.stateNames()) {
      outs.add(f.finalStates().get(s));
    }
    this.plan = Plan.compile(outs, feeds);
  }

  /** Sets the recurrent state back to zeros, as at the start (a model of lines starts every line so). */
  public void reset() {
    state = new LinkedHashMap<>();
  }

  /**
   * Feeds {@code token}; returns the log-probabilities of the next one.
   *
   * @param token the token to feed, an index into the model's vocabulary
   * @return the log-probabilities of the next token, one per vocabulary entry
   */
  public double[] feed(int token) {
    List<Tensor> v = new ArrayList<>();
    v.add(Tensor.ofLongs(new long[] {token}, 1, 1));
    for (String s : model.stateNames()) {
      Tensor t = state.get(s);
      v.add(t != null ? t : Tensor.zeros(dtype, model.stateShape(s, 1)));
    }
    for (String p : model.parameterShapes().keySet()) {
      v.add(params.get(p));
    }
    List<Tensor> out = plan.run(v);
    Map<String, Tensor> next = new LinkedHashMap<>();
    for (int i = 0; i < model.stateNames().size(); i++) {
      next.put(model.stateNames().get(i), out.get(1 + i));
    }
    state = next;
    return out.get(0).toDoubleArray();
  }

  /**
   * Draws from {@code softmax(logp / temperature)}; temperature 0 takes the most likely token.
   *
   * @param logp the log-probabilities of each token, as from {@link #feed}
   * @param temperature the softmax temperature; 0 or below picks the most likely token
   * @param rng the source of the random draw
   * @return the index of the token drawn
   */
  public static int draw(double[] logp, double temperature, Rng rng) {
    if (temperature <= 0) {
      int best = 0;
      for (int i = 1; i < logp.length; i++) {
        if (logp[i] > logp[best]) {
          best = i;
        }
      }
      return best;
    }
    double max = Double.NEGATIVE_INFINITY;
    for (double v : logp) {
      max = Math.max(max, v);
    }
    double[] p = new double[logp.length];
    double sum = 0;
    for (int i = 0; i < p.length; i++) {
      p[i] = Math.exp((logp[i] - max) / temperature);
      sum += p[i];
    }
    double u = rng.nextDouble() * sum;
    for (int i = 0; i < p.length; i++) {
      u -= p[i];
      if (u < 0) {
        return i;
      }
    }
    return p.length - 1;
  }

  /**
   * Feeds {@code prime} (at least one token), then draws {@code count} tokens.
   *
   * @param prime the tokens to feed first (at least one)
   * @param count the number of tokens to draw
   * @param temperature the softmax temperature; 0 or below picks the most likely token each time
   * @param rng the source of the random draws
   * @return the {@code count} tokens drawn, not including {@code prime}
   */
  public int[] generate(int[] prime, int count, double temperature, Rng rng) {
    if (prime.length == 0) {
      throw new IllegalArgumentException("sampling needs at least one token to start from");
    }
    double[] logp = null;
    for (int t : prime) {
      logp = feed(t);
    }
    int[] out = new int[count];
    for (int i = 0; i < count; i++) {
      out[i] = draw(logp, temperature, rng);
      logp = feed(out[i]);
    }
    return out;
  }
}
