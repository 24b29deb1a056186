package dev.cellgraph.train;

import dev.cellgraph.autodiff.Gradients;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Plan;
import dev.cellgraph.autodiff.TensorType;
import dev.cellgraph.cells.Recurrent;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.train.nn.SequenceModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One graph and plan of a {@link SequenceModel} for one batch shape, the one way the train module
 * builds them (the {@link Trainer} and the eager {@link Model} share it): feeds (batch,
 * step mask, states, parameters, dropout masks), outputs (the loss, or the model's outputs when
 * there is no loss; the final states; the gradients of the loss when training).
 *
 * <p>Immutable after construction and thread-safe (its plan is).
 */
final class StepGraph {
  /** The scalar loss of a forward pass and the batch's tensors (floating ones in the model's dtype). */
  interface LossFunction {
    Node loss(SequenceModel.Forward forward, Map<String, Node> batch);
  }

  final Plan plan;
  final List<String> batchNames = new ArrayList<>();
  final List<String> stateNames = new ArrayList<>();
  final List<String> parameterNames = new ArrayList<>();
  /** Every fed node, in the order of {@link #feeds}. */
  final List<Node> feedNodes = new ArrayList<>();
  /** The parameters' nodes, in {@link SequenceModel#parameterShapes()} order. */
  final List<Node> parameterNodes = new ArrayList<>();
  /** The scalar loss, or null for a prediction graph. */
  final Node loss;
  final boolean lengths;
  final boolean hasMask;
  final int layerMasks;
  final boolean training;
  final int batchSize;
  private final SequenceModel model;
  private final DType dtype;

  /**
   * Builds the graph named {@code name} for batches shaped as {@code b}: with {@code lossFunction}
   * null, its first output is the model's outputs {@code [T, B, O]} (and {@code training} must be
   * false); {@code carriesState} feeds the initial states and outputs the final ones.
   */
  StepGraph(String name, SequenceModel model, DType dtype, LossFunction lossFunction, boolean carriesState, Batch b,
      boolean training) {
    this.model = model;
    this.dtype = dtype;
    this.training = training;
    this.batchSize = b.batchSize();
    Graph g = new Graph(name);
    Map<String, Node> batchNodes = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : b.tensors().entrySet()) {
      Node n = g.input(e.getKey(), new TensorType(e.getValue().dtype(), e.getValue().shape()));
      batchNodes.put(e.getKey(), n);
      batchNames.add(e.getKey());
      feedNodes.add(n);
    }
    this.lengths = b.hasLengths();
    Node stepMask = null;
    if (lengths) {
      stepMask = g.input("lengths.mask", TensorType.of(dtype, b.steps(), batchSize));
      feedNodes.add(stepMask);
    }
    Map<String, Node> init = new LinkedHashMap<>();
    if (carriesState) {
      for (String s : model.stateNames()) {
        Node n = g.input(s + "0", new TensorType(dtype, model.stateShape(s, batchSize)));
        init.put(s, n);
        stateNames.add(s);
        feedNodes.add(n);
      }
    }
    Map<String, Node> pn = new LinkedHashMap<>();
    for (Map.Entry<String, Shape> e : model.parameterShapes().entrySet()) {
      Node n = g.parameter(e.getKey(), new TensorType(dtype, e.getValue()));
      pn.put(e.getKey(), n);
      parameterNames.add(e.getKey());
      parameterNodes.add(n);
      feedNodes.add(n);
    }
    this.hasMask = training && model.dropout().active();
    Node mask = null;
    if (hasMask) {
      mask = g.input("dropout.mask", new TensorType(dtype, model.dropoutMaskShape(b.steps(), batchSize)));
      feedNodes.add(mask);
    }
    List<Node> layerMaskNodes = new ArrayList<>();
    if (training) {
      List<Shape> shapes = model.layerDropoutMaskShapes(b.steps(), batchSize);
      for (int l = 0; l < shapes.size(); l++) {
        Node n = g.input("dropout.layer" + l, new TensorType(dtype, shapes.get(l)));
        layerMaskNodes.add(n);
        feedNodes.add(n);
      }
    }
    this.layerMasks = layerMaskNodes.size();
    Node input = batchNodes.get("input");
    if (!model.tokenInput() && input.dtype() != dtype) {
      input = input.cast(dtype);
    }
    SequenceModel.Forward f = model.build(g, input, stepMask, init, pn, mask, layerMaskNodes, training);
    List<Node> outputs = new ArrayList<>();
    if (lossFunction == null) {
      if (training) {
        throw new IllegalStateException("a prediction graph has no loss to train");
      }
      this.loss = null;
      outputs.add(f.outputs());
    } else {
      Map<String, Node> lossInputs = new LinkedHashMap<>(batchNodes);
      for (Map.Entry<String, Node> e : batchNodes.entrySet()) {
        if (e.getValue().dtype().isFloating() && e.getValue().dtype() != dtype) {
          lossInputs.put(e.getKey(), e.getValue().cast(dtype));
        }
      }
      Node l = lossFunction.loss(f, lossInputs);
      if (l.shape().size() != 1) {
        throw new IllegalStateException(name + ": the loss has shape " + l.shape() + ", not a scalar");
      }
      this.loss = l.reshape(Shape.scalar());
      outputs.add(loss);
    }
    for (String s : stateNames) {
      outputs.add(f.finalStates().get(s));
    }
    if (training) {
      outputs.addAll(Gradients.of(loss, parameterNodes).list());
    }
    this.plan = Plan.compile(outputs, feedNodes);
  }

  /** The values of {@link #feedNodes} for a run; missing states are zeros. */
  List<Tensor> feeds(Batch b, Map<String, Tensor> state, Map<String, Tensor> params, Tensor mask,
      List<Tensor> layerDropout) {
    List<Tensor> v = new ArrayList<>();
    for (String n : batchNames) {
      v.add(b.get(n));
    }
    if (lengths) {
      v.add(Recurrent.lengthMask(b.lengths(), b.steps(), dtype));
    }
    for (String s : stateNames) {
      Tensor t = state.get(s);
      v.add(t != null ? t : Tensor.zeros(dtype, model.stateShape(s, batchSize)));
    }
    for (String p : parameterNames) {
      v.add(params.get(p));
    }
    if (hasMask) {
      v.add(mask);
    }
    v.addAll(layerDropout);
    return v;
  }

  Map<String, Tensor> finalStates(List<Tensor> out) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    for (int i = 0; i < stateNames.size(); i++) {
      m.put(stateNames.get(i), out.get(1 + i));
    }
    return m;
  }

  /** The gradients of a training run's outputs, by parameter name. */
  LinkedHashMap<String, Tensor> gradients(List<Tensor> out) {
    LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
    int i = 1 + stateNames.size();
    for (String p : parameterNames) {
      m.put(p, out.get(i++));
    }
    return m;
  }
}
