package dev.cellgraph.render;

import dev.cellgraph.autodiff.CallOp;
import dev.cellgraph.autodiff.Function;
import dev.cellgraph.autodiff.LayoutOps;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Scan;
import java.util.List;

/**
 * What a diagram needs to know of a composite node (a call or a scan): its body, which body node
 * each of its inputs binds and each of its outputs comes from, and how its outputs are named.
 */
final class Composites {
  private Composites() {}

  /** The function whose body an expanded composite shows. */
  static Function body(Node n) {
    return n.op() instanceof CallOp ? ((CallOp) n.op()).function() : ((Scan.ScanOp) n.op()).step();
  }

  /** The body's formal input that argument {@code k} of a composite binds. */
  static Node bodyParam(Node composite, int k) {
    return body(composite).params().get(k);
  }

  static String bindingLabel(Node composite, int k) {
    if (composite.op() instanceof Scan.ScanOp) {
      Scan.ScanOp op = (Scan.ScanOp) composite.op();
      if (k < op.carryCount()) {
        return "initial";
      }
      if (k < op.carryCount() + op.sequenceCount()) {
        return "[t]";
      }
    }
    return null;
  }

  /** The body node that produces output {@code i} of an expanded composite. */
  static Node bodySource(Node composite, int i) {
    Function fn = body(composite);
    if (composite.op() instanceof Scan.ScanOp) {
      Scan.ScanOp op = (Scan.ScanOp) composite.op();
      int nc = op.carryCount();
      int ys = op.yCount();
      if (i >= nc + ys + nc) {
        return op.residuals().get(i - nc - ys - nc); // a value of the step saved for the gradient
      }
      if (i >= nc + ys) {
        return fn.params().get(i - nc - ys);   // the history holds the carry entering each step
      }
    }
    return fn.results().get(i);
  }

  static boolean isResidual(Node n, int i) {
    if (!(n.op() instanceof Scan.ScanOp)) {
      return false;
    }
    Scan.ScanOp op = (Scan.ScanOp) n.op();
    return i >= op.carryCount() + op.yCount() + op.carryCount();
  }

  static String outputName(Node n, int i) {
    Function fn = body(n);
    if (n.op() instanceof Scan.ScanOp) {
      Scan.ScanOp op = (Scan.ScanOp) n.op();
      int nc = op.carryCount();
      int ys = op.yCount();
      if (i < nc) {
        return "last " + resultName(fn, i);
      }
      if (i < nc + ys) {
        return "all " + resultName(fn, i);
      }
      if (i >= nc + ys + nc) {
        return "saved " + valueName(op.residuals().get(i - nc - ys - nc));
      }
      Node p = fn.params().get(i - nc - ys);
      return "history " + (p.name() != null ? Labels.name(p.name()) : "carry " + (i - nc - ys));
    }
    return resultName(fn, i);
  }

  /** A body value's name: its own, that of a named identity of it ({@code h'}), or its op's symbol. */
  private static String valueName(Node v) {
    if (v.name() != null) {
      return Labels.name(v.name());
    }
    List<Node> body = v.graph().nodes();
    for (int j = v.id() + 1; j < body.size(); j++) {
      Node n = body.get(j);
      if (n.op() == LayoutOps.IDENTITY && n.name() != null && n.input(0) == v) {
        return Labels.name(n.name());
      }
    }
    return Labels.html(Labels.symbol(v.op()));
  }

  private static String resultName(Function fn, int i) {
    String name = fn.results().get(i).name();
    return name != null ? Labels.name(name) : "#" + i;
  }

  /** The title of a composite's box or cluster: the scan's step and length, or the call's name. */
  static String title(Node n) {
    if (n.op() instanceof Scan.ScanOp) {
      Scan.ScanOp op = (Scan.ScanOp) n.op();
      int steps = n.input(op.carryCount()).shape().dim(0);
      return Labels.html((op.reverse() ? "reverse scan " : "scan ") + op.step().name() + ", " + steps + " steps");
    }
    return "<b>" + Labels.html(n.op().name()) + "</b>";
  }
}
