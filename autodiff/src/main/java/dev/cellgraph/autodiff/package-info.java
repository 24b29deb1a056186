/**
 * Graphs of tensor operations and their gradients. A {@link Graph} is an append-only list of
 * {@link Node}s, each applying an {@link Op} from one of the op tables ({@link Ops},
 * {@link LayoutOps}, {@link IndexOps}, {@link GraphOps}), which states its forward computation, its
 * backward rule and its {@link OpKind}. {@link Gradients#of(Node, Node...)} adds the backward
 * graph; a {@link Function} is a composite op (optionally with a {@link FusedRule}) and a
 * {@link Scan} applies one along time. {@link Plan#compile(java.util.List, java.util.List)}
 * schedules a graph to run under {@link CompileOptions}, with scans compiled by the
 * {@link ScanExecutor} that {@code dev.cellgraph.autodiff.compile} provides; {@link GradCheck}
 * checks gradients against finite differences.
 */
package dev.cellgraph.autodiff;
