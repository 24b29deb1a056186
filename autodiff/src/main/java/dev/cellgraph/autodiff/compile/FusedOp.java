package dev.cellgraph.autodiff.compile;

import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Op;
import dev.cellgraph.autodiff.OpKind;
import dev.cellgraph.autodiff.TensorType;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Setting;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.Workspace;
import dev.cellgraph.core.internal.TensorAccess;
import dev.cellgraph.core.kernel.BinaryOp;
import dev.cellgraph.core.kernel.Kernels;
import dev.cellgraph.core.kernel.UnaryOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A group of elementwise nodes run as one pass over memory: built by {@link Fusion}, it exists only
 * in compiled plans (it has no backward rule).
 *
 * <p>Every value of the group has the same leading dimensions (the <em>rows</em>) and its own
 * last dimension (its <em>width</em>): gate slices and concatenations act on the last axis only.
 * A run walks the rows a few at a time and executes the group's program on each chunk: values
 * used only inside the group live in a small per-thread scratch buffer that stays in cache, and
 * only the values read outside the group are written to the output arrays. Slices are views
 * (an offset into the row of their base), never copies.
 *
 * <p>Each instruction calls the same kernel the unfused op would ({@link Kernels#unary},
 * {@link Kernels#binary}, ...), on the elements of the chunk. The kernels compute every element
 * independently of its position (the vector code pads its tails), so a fused group gives the same
 * bits as its nodes run one by one.
 */
final class FusedOp extends Op {
  // where a value lives
  static final int EXTERNAL = 0; // an input of the fused node, read in place
  static final int OUTPUT = 1;   // an output array of the fused node
  static final int SCRATCH = 2;  // the per-thread scratch buffer

  /** Elements of the widest value that one chunk covers: a few KB per value, so a chunk stays in L1/L2. */
  static final int CHUNK_ELEMENTS = 2048;
  /** Rows times instruction widths below which a run stays on the calling thread. */
  static final long PARALLEL_MIN = Setting.FUSE_PARALLEL_MIN.longValue(1L << 15, 0, Long.MAX_VALUE);

  private static final ThreadLocal<float[]> FLOAT_SCRATCH = ThreadLocal.withInitial(() -> new float[0]);
  private static final ThreadLocal<double[]> DOUBLE_SCRATCH = ThreadLocal.withInitial(() -> new double[0]);

  /**
   * Row r (counted from the chunk's first row r0) of a value: element {@code base + r * stride} of
   * its array, where base is {@code offset} in scratch (which holds one chunk) and
   * {@code r0 * stride + offset} elsewhere. A stride of 0 repeats one row (a broadcast bias).
   */
  record Ref(int space, int index, int offset, int stride) {
    int base(int r0) {
      return space == SCRATCH ? offset : r0 * stride + offset;
    }
  }

  enum Kind { UNARY, BINARY, SCALAR_RIGHT, SCALAR_LEFT, POW, COPY, CONCAT, COLUMN_RIGHT, COLUMN_LEFT, ROW_SUM,
    FILL_ROWS }

  /**
   * One step of the program: {@code dst = op(src...)} on {@code width} elements per row.
   * SCALAR_RIGHT is {@code src op c}, SCALAR_LEFT {@code c op src}, with c the constant or, when
   * {@code scalarInput >= 0}, the one element of that input. CONCAT copies each source row to
   * its column in dst. The column kinds read a value of one element per row: COLUMN_RIGHT is
   * {@code src[0] op src[1][r]} on row r, COLUMN_LEFT {@code src[0][r] op src[1]}; ROW_SUM writes
   * the sum of the {@code width} elements of each source row to the one element of the dst row;
   * FILL_ROWS repeats the one element of each source row over the {@code width} of the dst row.
   */
  record Instr(Kind kind, UnaryOp unary, BinaryOp binary, double constant, int scalarInput,
      Ref dst, Ref[] src, int width, int[] columns) {
    /** Whether every row of a chunk is contiguous with the next, so that one kernel call covers the chunk. */
    boolean contiguous() {
      if (dst.stride() != width) {
        return false;
      }
      for (Ref s : src) {
        if (s.stride() != width) {
          return false;
        }
      }
      return kind != Kind.CONCAT && kind != Kind.COLUMN_RIGHT && kind != Kind.COLUMN_LEFT && kind != Kind.ROW_SUM
          && kind != Kind.FILL_ROWS;
    }
  }

  private final String label;
  private final DType dtype;
  private final int rows;
  private final int chunkRows;
  private final Instr[] program;
  private final boolean[] contiguous;
  private final int scratchSize;           // elements per chunk
  private final long work;                 // elements one row of the program writes
  private final int[] outputWidth;         // per output array
  private final int[] resultSource;        // per result: output array index, or -1 - input index (passed through)
  private final List<TensorType> types;
  private final List<String> memberLabels;

  FusedOp(DType dtype, int rows, int chunkRows, List<Instr> program, int scratchSize, int[] outputWidth,
      int[] resultSource, List<TensorType> types, List<String> memberLabels) {
    this.dtype = dtype;
    this.rows = rows;
    this.chunkRows = chunkRows;
    this.program = program.toArray(new Instr[0]);
    this.contiguous = new boolean[this.program.length];
    for (int i = 0; i < this.program.length; i++) {
      contiguous[i] = chunkRows == 1 || this.program[i].contiguous();
    }
    this.scratchSize = scratchSize;
    long wsum = 0;
    for (Instr i : this.program) {
      wsum += i.width();
    }
    this.work = wsum;
    this.outputWidth = outputWidth.clone();
    this.resultSource = resultSource.clone();
    this.types = List.copyOf(types);
    this.memberLabels = List.copyOf(memberLabels);
    this.label = "fused" + memberLabels;
  }

  @Override public OpKind kind() { return OpKind.FUSED; }
  @Override public String name() { return "fused"; }

  /** {@code fused[add, sigmoid, ...]}: the ops of the group in order. */
  @Override public String label() { return label; }

  /** The labels of the nodes this op computes, in order. */
  List<String> memberLabels() { return memberLabels; }

  @Override public int outputCount() { return types.size(); }

  @Override public List<TensorType> inferTypes(List<TensorType> in) { return types; }

  @Override public List<Node> backward(Node node, List<Node> cotangents) {
    throw new UnsupportedOperationException("fused: a compiled group of elementwise ops has no backward rule");
  }

  @Override public List<Tensor> compute(List<Tensor> in) {
    boolean f32 = dtype == DType.FLOAT32;
    Object[] inputs = new Object[in.size()];
    double[] scalars = new double[in.size()];
    for (int i = 0; i < inputs.length; i++) {
      Tensor t = in.get(i);
      inputs[i] = f32 ? TensorAccess.floats(t) : TensorAccess.doubles(t);
      if (t.size() == 1) {
        scalars[i] = t.getFlat(0);
      }
    }
    Object[] outputs = new Object[outputWidth.length];
    for (int j = 0; j < outputs.length; j++) {
      int n = rows * outputWidth[j];
      outputs[j] = f32 ? Workspace.newFloats(n) : Workspace.newDoubles(n); // every element is written
    }
    int chunks = (rows + chunkRows - 1) / chunkRows;
    int parts = (long) rows * work >= PARALLEL_MIN ? Math.min(Kernels.threads(), chunks) : 1;
    if (parts <= 1) {
      run(inputs, outputs, scalars, 0, rows);
    } else {
      // split by whole chunks; each thread has its own scratch
      Kernels.parallel(parts, p -> run(inputs, outputs, scalars,
          Math.min(rows, chunks * p / parts * chunkRows), Math.min(rows, chunks * (p + 1) / parts * chunkRows)));
    }
    List<Tensor> result = new ArrayList<>(resultSource.length);
    for (int j = 0; j < resultSource.length; j++) {
      int s = resultSource[j];
      if (s < 0) {
        result.add(in.get(-1 - s));
      } else if (f32) {
        result.add(TensorAccess.wrap((float[]) outputs[s], types.get(j).shape()));
      } else {
        result.add(TensorAccess.wrap((double[]) outputs[s], types.get(j).shape()));
      }
    }
    return result;
  }

  /** Rows [from, to) of the program, chunk by chunk. */
  private void run(Object[] inputs, Object[] outputs, double[] scalars, int from, int to) {
    Object scratch = dtype == DType.FLOAT32 ? floatScratch(scratchSize) : doubleScratch(scratchSize);
    Object[][] spaces = {inputs, outputs, {scratch}};
    for (int r0 = from; r0 < to; r0 += chunkRows) {
      int k = Math.min(chunkRows, to - r0);
      for (int p = 0; p < program.length; p++) {
        execute(program[p], contiguous[p], spaces, scalars, r0, k);
      }
    }
  }

  private static float[] floatScratch(int n) {
    float[] s = FLOAT_SCRATCH.get();
    if (s.length < n) {
      s = new float[n];
      FLOAT_SCRATCH.set(s);
    }
    return s;
  }

  private static double[] doubleScratch(int n) {
    double[] s = DOUBLE_SCRATCH.get();
    if (s.length < n) {
      s = new double[n];
      DOUBLE_SCRATCH.set(s);
    }
    return s;
  }

  private static Object array(Object[][] spaces, Ref r) {
    return spaces[r.space()][r.space() == SCRATCH ? 0 : r.index()];
  }

  /**
   * Rows [r0, r0 + k) of one instruction. When the rows of an operand are not contiguous (a gate
   * slice of a wider value), they are first copied into the destination, which is contiguous, and
   * the op runs there in place: one kernel call per chunk rather than per row (elementwise
   * kernels read and write the same index, so in place gives the same values).
   */
  private static void execute(Instr ins, boolean contiguous, Object[][] spaces, double[] scalars, int r0, int k) {
    Ref dst = ins.dst();
    Object d = array(spaces, dst);
    int dp = dst.base(r0);
    int w = ins.width();
    int n = k * w;
    switch (ins.kind()) {
      case UNARY:
      case SCALAR_RIGHT:
      case SCALAR_LEFT:
      case POW: {
        Ref a = ins.src()[0];
        Object x = array(spaces, a);
        int ap = a.base(r0);
        if (!contiguous) {
          gather(x, ap, a.stride(), d, dp, w, k);
          x = d;
          ap = dp;
        }
        if (ins.kind() == Kind.UNARY) {
          unary(ins.unary(), x, ap, d, dp, n);
        } else if (ins.kind() == Kind.POW) {
          pow(ins.constant(), x, ap, d, dp, n);
        } else {
          double c = ins.scalarInput() >= 0 ? scalars[ins.scalarInput()] : ins.constant();
          scalar(ins.binary(), ins.kind() == Kind.SCALAR_LEFT, c, x, ap, d, dp, n);
        }
        return;
      }
      case BINARY: {
        Ref a = ins.src()[0];
        Ref b = ins.src()[1];
        Object x = array(spaces, a);
        Object y = array(spaces, b);
        int ap = a.base(r0);
        int bp = b.base(r0);
        if (contiguous) {
          binary(ins.binary(), x, ap, y, bp, d, dp, n);
        } else if (b.stride() == w && a.stride() != 0) {
          gather(x, ap, a.stride(), d, dp, w, k);
          binary(ins.binary(), d, dp, y, bp, d, dp, n);
        } else if (a.stride() == w && b.stride() != 0) {
          gather(y, bp, b.stride(), d, dp, w, k);
          binary(ins.binary(), x, ap, d, dp, d, dp, n);
        } else {
          for (int r = 0; r < k; r++) {
            binary(ins.binary(), x, ap + r * a.stride(), y, bp + r * b.stride(), d, dp + r * w, w);
          }
        }
        return;
      }
      case COPY: {
        Ref a = ins.src()[0];
        gather(array(spaces, a), a.base(r0), a.stride(), d, dp, w, k);
        return;
      }
      case CONCAT: {
        Ref[] parts = ins.src();
        int[] col = ins.columns();
        for (int p = 0; p < parts.length; p++) {
          Object x = array(spaces, parts[p]);
          int ap = parts[p].base(r0);
          int pw = col[p + 1] - col[p];
          for (int r = 0; r < k; r++) {
            System.arraycopy(x, ap + r * parts[p].stride(), d, dp + r * w + col[p], pw);
          }
        }
        return;
      }
      case COLUMN_RIGHT:
      case COLUMN_LEFT: {
        boolean left = ins.kind() == Kind.COLUMN_LEFT;
        Ref a = ins.src()[left ? 1 : 0];
        Ref c = ins.src()[left ? 0 : 1];
        Object x = array(spaces, a);
        Object col = array(spaces, c);
        int ap = a.base(r0);
        int cp = c.base(r0);
        for (int r = 0; r < k; r++) {
          int ci = cp + r * c.stride();
          double v = col instanceof float[] ? ((float[]) col)[ci] : ((double[]) col)[ci];
          scalar(ins.binary(), left, v, x, ap + r * a.stride(), d, dp + r * dst.stride(), w);
        }
        return;
      }
      case ROW_SUM: {
        Ref a = ins.src()[0];
        rowSums(array(spaces, a), a.base(r0), a.stride(), d, dp, dst.stride(), w, k);
        return;
      }
      case FILL_ROWS: {
        Ref a = ins.src()[0];
        Object x = array(spaces, a);
        int ap = a.base(r0);
        for (int r = 0; r < k; r++) {
          int xi = ap + r * a.stride();
          int o = dp + r * dst.stride();
          if (x instanceof float[]) {
            Arrays.fill((float[]) d, o, o + w, ((float[]) x)[xi]);
          } else {
            Arrays.fill((double[]) d, o, o + w, ((double[]) x)[xi]);
          }
        }
        return;
      }
      default:
        throw new IllegalStateException("fused: unknown instruction " + ins.kind());
    }
  }

  /**
   * The sums of k rows of w elements, {@code stride} apart in x, to the elements {@code dStride}
   * apart in d, each by {@link Kernels#rowSum}: the order of core's {@code Tensor.sum(-1)} and
   * {@code sumTo}, so a fused row sum has the same bits.
   */
  private static void rowSums(Object x, int xp, int stride, Object d, int dp, int dStride, int w, int k) {
    if (x instanceof float[]) {
      float[] a = (float[]) x;
      float[] o = (float[]) d;
      for (int r = 0; r < k; r++) {
        o[dp + r * dStride] = Kernels.rowSum(a, xp + r * stride, w);
      }
    } else {
      double[] a = (double[]) x;
      double[] o = (double[]) d;
      for (int r = 0; r < k; r++) {
        o[dp + r * dStride] = Kernels.rowSum(a, xp + r * stride, w);
      }
    }
  }

  /** k rows of w elements, {@code stride} apart in x, to consecutive rows of d. */
  private static void gather(Object x, int xp, int stride, Object d, int dp, int w, int k) {
    if (stride == w) {
      System.arraycopy(x, xp, d, dp, k * w);
    } else {
      for (int r = 0; r < k; r++) {
        System.arraycopy(x, xp + r * stride, d, dp + r * w, w);
      }
    }
  }

  private static void unary(UnaryOp op, Object x, int xOff, Object out, int outOff, int n) {
    if (x instanceof float[]) {
      Kernels.unary(op, (float[]) x, xOff, (float[]) out, outOff, n);
    } else {
      Kernels.unary(op, (double[]) x, xOff, (double[]) out, outOff, n);
    }
  }

  private static void binary(BinaryOp op, Object a, int aOff, Object b, int bOff, Object out, int outOff, int n) {
    if (a instanceof float[]) {
      Kernels.binary(op, (float[]) a, aOff, (float[]) b, bOff, (float[]) out, outOff, n);
    } else {
      Kernels.binary(op, (double[]) a, aOff, (double[]) b, bOff, (double[]) out, outOff, n);
    }
  }

  /** As {@link Tensor#zip(BinaryOp, double)} and {@link Tensor#zipLeft}: float32 rounds c first. */
  private static void scalar(BinaryOp op, boolean left, double c, Object a, int aOff, Object out, int outOff, int n) {
    if (a instanceof float[]) {
      if (left) {
        Kernels.scalarBinary(op, (float) c, (float[]) a, aOff, (float[]) out, outOff, n);
      } else {
        Kernels.binaryScalar(op, (float[]) a, aOff, (float) c, (float[]) out, outOff, n);
      }
    } else if (left) {
      Kernels.scalarBinary(op, c, (double[]) a, aOff, (double[]) out, outOff, n);
    } else {
      Kernels.binaryScalar(op, (double[]) a, aOff, c, (double[]) out, outOff, n);
    }
  }

  /** As {@code Ops.PowScalar}: Math.pow in double, rounded once for float32. */
  private static void pow(double p, Object a, int aOff, Object out, int outOff, int n) {
    if (a instanceof float[]) {
      float[] x = (float[]) a;
      float[] o = (float[]) out;
      for (int i = 0; i < n; i++) {
        o[outOff + i] = (float) Math.pow(x[aOff + i], p);
      }
    } else {
      double[] x = (double[]) a;
      double[] o = (double[]) out;
      for (int i = 0; i < n; i++) {
        o[outOff + i] = Math.pow(x[aOff + i], p);
      }
    }
  }

  @Override public String toString() {
    return label + " " + Arrays.toString(outputWidth);
  }
}
