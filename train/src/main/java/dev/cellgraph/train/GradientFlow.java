package dev.cellgraph.train;

import dev.cellgraph.autodiff.Function;
import dev.cellgraph.autodiff.Gradients;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Plan;
import dev.cellgraph.autodiff.TensorType;
import dev.cellgraph.cells.Cell;
import dev.cellgraph.cells.Recurrent;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.train.nn.SequenceModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How far gradients reach back in time: the norm of {@code d loss / d h_t} for every step t of a
 * batch, against the distance {@code T - 1 - t} from the end of the sequence. The vanilla RNN's
 * norms decay exponentially with distance (Bengio et al. 1994; Hochreiter 1991), the gated
 * cells' much less.
 *
 * <p>The recurrence is unrolled (one call of the cell's step per time step) so every {@code h_t}
 * is a node of its own; its gradient sums the paths through the next steps and through the
 * output head. The state measured is the cell's first ({@code h} for rnn, lstm, gru).
 */
public final class GradientFlow {
  private GradientFlow() {}

  /**
   * For each distance {@code d = 0 .. T-1} from the last step, the mean over the batch of
   * {@code ‖d loss_b / d h_{T-1-d}‖}, where {@code loss_b} is example b's loss (the batch loss
   * times B, for a task whose loss is a batch mean).
   */
  public static double[] norms(SequenceModel model, Map<String, Tensor> params, Task task, Batch batch) {
    Cell cell = model.cell();
    Recurrent rnn = model.recurrent();
    int t = batch.steps();
    int b = batch.batchSize();
    Graph g = new Graph("gradient flow " + cell.name());
    Map<String, Node> batchNodes = new LinkedHashMap<>();
    List<Node> feeds = new ArrayList<>();
    List<Tensor> values = new ArrayList<>();
    for (Map.Entry<String, Tensor> e : batch.tensors().entrySet()) {
      Node n = g.input(e.getKey(), new TensorType(e.getValue().dtype(), e.getValue().shape()));
      batchNodes.put(e.getKey(), n);
      feeds.add(n);
      values.add(e.getValue());
    }
    Map<String, Node> pn = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : params.entrySet()) {
      Node n = g.parameter(e.getKey(), new TensorType(e.getValue().dtype(), e.getValue().shape()));
      pn.put(e.getKey(), n);
      feeds.add(n);
      values.add(e.getValue());
    }
    var dtype = params.values().iterator().next().dtype();
    Node x = batchNodes.get("input");
    if (model.tokenInput()) {
      x = pn.get("embedding.weight").gather(x);
    } else if (x.dtype() != dtype) {
      x = x.cast(dtype);
    }
    Function step = cell.step(dtype, b, model.inputSize(), model.hiddenSize());
    List<String> states = cell.stateNames();
    List<Node> carry = new ArrayList<>();
    for (String s : states) {
      carry.add(g.zeros(TensorType.of(dtype, b, cell.stateSize(s, model.inputSize(), model.hiddenSize()))));
    }
    List<Node> cellParams = new ArrayList<>();
    for (String base : cell.parameterShapes(model.inputSize(), model.hiddenSize()).keySet()) {
      cellParams.add(pn.get("rnn." + rnn.parameterName(base, 0, 0)));
    }
    List<Node> hs = new ArrayList<>();
    List<Node> ys = new ArrayList<>();
    List<Node> ysStacked = new ArrayList<>();
    for (int i = 0; i < t; i++) {
      List<Node> args = new ArrayList<>(carry);
      args.add(x.select(0, i));
      args.addAll(cellParams);
      List<Node> r = step.apply(args);
      carry = new ArrayList<>(r.subList(0, states.size()));
      Node y = r.get(states.size());
      hs.add(carry.get(0));
      ys.add(y);
      ysStacked.add(y.reshape(1, y.shape().dim(0), y.shape().dim(1)));
    }
    Node hidden = Node.concat(0, ysStacked);
    Node out = hidden.matmul(pn.get("head.weight"), false, true).add(pn.get("head.bias"));
    Map<String, Node> fin = new LinkedHashMap<>();
    for (int i = 0; i < states.size(); i++) {
      fin.put(states.get(i), carry.get(i));
    }
    Map<String, Node> lossInputs = new LinkedHashMap<>(batchNodes);
    for (Map.Entry<String, Node> e : batchNodes.entrySet()) {
      if (e.getValue().dtype().isFloating() && e.getValue().dtype() != dtype) {
        lossInputs.put(e.getKey(), e.getValue().cast(dtype));
      }
    }
    Node loss = task.loss(new SequenceModel.Forward(out, hidden, fin), lossInputs);
    List<Node> wrt = new ArrayList<>(hs);
    wrt.addAll(ys);
    Gradients grads = Gradients.of(loss.reshape(Shape.scalar()), wrt);
    List<Node> outs = new ArrayList<>();
    for (int i = 0; i < t; i++) {
      Node dh = grads.get(hs.get(i));
      Node dy = grads.get(ys.get(i));
      // when the output is the state itself (rnn, lstm, gru) the two are one value's two uses
      outs.add(hs.get(i).shape().equals(ys.get(i).shape()) ? dh.add(dy) : dh);
    }
    List<Tensor> r = Plan.compile(outs, feeds).run(values);
    double[] norms = new double[t];
    for (int i = 0; i < t; i++) {
      double[] v = r.get(i).toDoubleArray();
      int h = v.length / b;
      double sum = 0;
      for (int e = 0; e < b; e++) {
        double s = 0;
        for (int j = 0; j < h; j++) {
          double d = v[e * h + j] * b;
          s += d * d;
        }
        sum += Math.sqrt(s);
      }
      norms[t - 1 - i] = sum / b;
    }
    return norms;
  }
}
