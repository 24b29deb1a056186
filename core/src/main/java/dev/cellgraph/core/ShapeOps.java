package dev.cellgraph.core;

import java.util.Arrays;
import java.util.List;

/**
 * Operations of {@link Tensor} that move elements without computing on them: reshaping with an
 * inferred dimension, transposes and permutations, slices, joins, broadcasting copies, and
 * lookups by integer ids. They work for every dtype.
 */
final class ShapeOps {
  private ShapeOps() {}

  private static final int TRANSPOSE_BLOCK = 32;

  static Tensor reshape(Tensor x, int... dims) {
    Shape shape = x.shape;
    int size = x.size();
    int[] nd = dims.clone();
    int infer = -1;
    int known = 1;
    for (int i = 0; i < nd.length; i++) {
      if (nd[i] == -1) {
        if (infer >= 0) {
          throw new IllegalArgumentException("reshape to " + Arrays.toString(dims) + ": only one dimension may be -1");
        }
        infer = i;
      } else {
        known *= nd[i];
      }
    }
    if (infer >= 0) {
      if (known == 0) {
        throw new IllegalArgumentException("cannot reshape " + shape + " (" + size + " elements) to "
            + Arrays.toString(dims) + ": the -1 is ambiguous");
      }
      if (known < 0 || size % known != 0) {
        throw new IllegalArgumentException("cannot reshape " + shape + " (" + size + " elements) to "
            + Arrays.toString(dims) + ": " + size + " is not a multiple of " + known);
      }
      nd[infer] = size / known;
    }
    return x.reshape(Shape.of(nd));
  }

  static Tensor transpose(Tensor x) {
    Shape shape = x.shape;
    int rank = x.rank();
    if (rank < 2) {
      throw new IllegalArgumentException("transpose needs rank at least 2, got " + shape);
    }
    if (x.dtype != DType.FLOAT32 && x.dtype != DType.FLOAT64) {
      int[] perm = new int[rank];
      for (int i = 0; i < perm.length; i++) {
        perm[i] = i;
      }
      perm[rank - 1] = rank - 2;
      perm[rank - 2] = rank - 1;
      return permute(x, perm); // token ids: rare, and not worth a third copy of the loop
    }
    int rows = shape.dim(-2);
    int cols = shape.dim(-1);
    int[] dims = shape.toArray();
    dims[dims.length - 1] = rows;
    dims[dims.length - 2] = cols;
    Tensor res = Tensor.zeros(x.dtype, Shape.of(dims));
    int batch = rows * cols == 0 ? 0 : x.size() / (rows * cols);
    for (int b = 0, off = 0; b < batch; b++, off += rows * cols) {
      if (x.dtype == DType.FLOAT32) {
        transposeBlock(x.f, res.f, off, rows, cols);
      } else {
        transposeBlock(x.d, res.d, off, rows, cols);
      }
    }
    return res;
  }

  /**
   * Block by block, so that both the rows read and the rows written stay in cache (one element
   * at a time through {@link #permute}, a 1600 x 256 transpose in the scan's backward pass was 4%
   * of a medium RNN training step).
   */
  private static void transposeBlock(float[] src, float[] dst, int off, int rows, int cols) {
    for (int i0 = 0; i0 < rows; i0 += TRANSPOSE_BLOCK) {
      int i1 = Math.min(rows, i0 + TRANSPOSE_BLOCK);
      for (int j0 = 0; j0 < cols; j0 += TRANSPOSE_BLOCK) {
        int j1 = Math.min(cols, j0 + TRANSPOSE_BLOCK);
        for (int i = i0; i < i1; i++) {
          for (int j = j0, si = off + i * cols + j0; j < j1; j++, si++) {
            dst[off + j * rows + i] = src[si];
          }
        }
      }
    }
  }

  private static void transposeBlock(double[] src, double[] dst, int off, int rows, int cols) {
    for (int i0 = 0; i0 < rows; i0 += TRANSPOSE_BLOCK) {
      int i1 = Math.min(rows, i0 + TRANSPOSE_BLOCK);
      for (int j0 = 0; j0 < cols; j0 += TRANSPOSE_BLOCK) {
        int j1 = Math.min(cols, j0 + TRANSPOSE_BLOCK);
        for (int i = i0; i < i1; i++) {
          for (int j = j0, si = off + i * cols + j0; j < j1; j++, si++) {
            dst[off + j * rows + i] = src[si];
          }
        }
      }
    }
  }

  static Tensor permute(Tensor x, int... perm) {
    Shape shape = x.shape;
    int r = x.rank();
    if (perm.length != r) {
      throw new IllegalArgumentException(
          "permute " + Arrays.toString(perm) + " needs " + r + " axes for shape " + shape);
    }
    boolean[] seen = new boolean[r];
    int[] od = new int[r];
    for (int i = 0; i < r; i++) {
      int p = perm[i];
      if (p < 0 || p >= r || seen[p]) {
        throw new IllegalArgumentException("permute " + Arrays.toString(perm) + " is not a permutation of " + r + " axes");
      }
      seen[p] = true;
      od[i] = shape.dim(p);
    }
    Shape out = Shape.of(od);
    int[] st = shape.strides();
    int[] src = new int[r];
    for (int i = 0; i < r; i++) {
      src[i] = st[perm[i]];
    }
    return gather(x, out, src);
  }

  /**
   * A tensor of shape {@code out} whose element at each index is x's at the offset the index
   * reaches with {@code strides} (one per axis of {@code out}): permutes and broadcasts.
   */
  private static Tensor gather(Tensor x, Shape out, int[] strides) {
    int r = out.rank();
    int[] dims = out.toArray();
    int[] idx = new int[r];
    int si = 0;
    Tensor res = Tensor.zeros(x.dtype, out);
    for (int i = 0, n = out.size(); i < n; i++) {
      copyElement(res, i, x, si);
      for (int ax = r - 1; ax >= 0; ax--) {
        idx[ax]++;
        si += strides[ax];
        if (idx[ax] < dims[ax]) {
          break;
        }
        si -= strides[ax] * dims[ax];
        idx[ax] = 0;
      }
    }
    return res;
  }

  private static void copyElement(Tensor to, int toIndex, Tensor from, int fromIndex) {
    switch (to.dtype) {
      case FLOAT32: to.f[toIndex] = from.f[fromIndex]; break;
      case FLOAT64: to.d[toIndex] = from.d[fromIndex]; break;
      default: to.l[toIndex] = from.l[fromIndex];
    }
  }

  private static void copyRange(Tensor from, int fromOff, Tensor to, int toOff, int n) {
    switch (from.dtype) {
      case FLOAT32: System.arraycopy(from.f, fromOff, to.f, toOff, n); break;
      case FLOAT64: System.arraycopy(from.d, fromOff, to.d, toOff, n); break;
      default: System.arraycopy(from.l, fromOff, to.l, toOff, n);
    }
  }

  static Tensor slice(Tensor x, int axis, int start, int end) {
    Shape shape = x.shape;
    int a = shape.normalizeAxis(axis);
    int len = shape.dim(a);
    if (start < 0 || end > len || start > end) {
      throw new IllegalArgumentException(
          "slice [" + start + ", " + end + ") is out of range for axis " + axis + " of shape " + shape);
    }
    Shape out = shape.with(a, end - start);
    Tensor res = Tensor.zeros(x.dtype, out);
    int outer = shape.product(0, a);
    int inner = shape.product(a + 1, x.rank());
    int chunk = (end - start) * inner;
    for (int o = 0; o < outer; o++) {
      copyRange(x, (o * len + start) * inner, res, o * chunk, chunk);
    }
    return res;
  }

  static Tensor select(Tensor x, int axis, int i) {
    Shape shape = x.shape;
    int a = shape.normalizeAxis(axis);
    int len = shape.dim(a);
    int k = i < 0 ? i + len : i;
    if (k < 0 || k >= len) {
      throw new IllegalArgumentException(
          "select index " + i + " is out of range for axis " + axis + " of shape " + shape);
    }
    return slice(x, a, k, k + 1).reshape(shape.without(a));
  }

  static Tensor concat(int axis, List<Tensor> parts) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("concat needs at least one tensor");
    }
    Tensor first = parts.get(0);
    int a = first.shape.normalizeAxis(axis);
    int total = 0;
    for (Tensor t : parts) {
      if (t.dtype != first.dtype || t.rank() != first.rank()) {
        throw new IllegalArgumentException("concat along axis " + axis + ": " + describe(parts) + " do not match");
      }
      for (int i = 0; i < t.rank(); i++) {
        if (i != a && t.shape.dim(i) != first.shape.dim(i)) {
          throw new IllegalArgumentException("concat along axis " + axis + ": " + describe(parts) + " do not match");
        }
      }
      total += t.shape.dim(a);
    }
    Shape out = first.shape.with(a, total);
    Tensor res = Tensor.zeros(first.dtype, out);
    int outer = first.shape.product(0, a);
    int inner = first.shape.product(a + 1, first.rank());
    int pos = 0;
    for (Tensor t : parts) {
      int chunk = t.shape.dim(a) * inner;
      for (int o = 0; o < outer; o++) {
        copyRange(t, o * chunk, res, o * total * inner + pos, chunk);
      }
      pos += chunk;
    }
    return res;
  }

  static Tensor stack(int axis, List<Tensor> parts) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("stack needs at least one tensor");
    }
    Shape s = parts.get(0).shape;
    int a = axis < 0 ? axis + s.rank() + 1 : axis;
    if (a < 0 || a > s.rank()) {
      throw new IllegalArgumentException("axis " + axis + " is out of range for stacking shape " + s);
    }
    int[] nd = new int[s.rank() + 1];
    for (int i = 0, j = 0; i < nd.length; i++) {
      nd[i] = i == a ? 1 : s.dim(j++);
    }
    Tensor[] r = new Tensor[parts.size()];
    for (int i = 0; i < r.length; i++) {
      if (!parts.get(i).shape.equals(s)) {
        throw new IllegalArgumentException("stack: " + describe(parts) + " differ in shape");
      }
      r[i] = parts.get(i).reshape(nd);
    }
    return concat(a, Arrays.asList(r));
  }

  private static String describe(List<Tensor> parts) {
    StringBuilder sb = new StringBuilder();
    for (Tensor t : parts) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(t.dtype.lowerName()).append(' ').append(t.shape);
    }
    return sb.toString();
  }

  static Tensor broadcastTo(Tensor x, Shape target) {
    Shape shape = x.shape;
    if (target.equals(shape)) {
      return x;
    }
    Shape check = Shape.broadcast(shape, target);
    if (check == null || !check.equals(target)) {
      throw new IllegalArgumentException("cannot broadcast " + shape + " to " + target);
    }
    // index mapping rather than zeros(target).add(this), so that integer tensors broadcast too
    return gather(x, target, Elementwise.broadcastStrides(shape, target));
  }

  static Tensor gather(Tensor table, Tensor ids) {
    if (table.rank() != 2) {
      throw new IllegalArgumentException("gather needs a table of rank 2, got " + table.shape);
    }
    int v = table.shape.dim(0);
    int dd = table.shape.dim(1);
    int[] od = Arrays.copyOf(ids.shape.toArray(), ids.rank() + 1);
    od[ids.rank()] = dd;
    Tensor res = Tensor.zeros(table.dtype, Shape.of(od));
    for (int i = 0, n = ids.size(); i < n; i++) {
      long id = ids.getLong(i);
      if (id < 0 || id >= v) {
        throw new IllegalArgumentException("id " + id + " at position " + i + " is outside the table of " + v + " rows");
      }
      copyRange(table, (int) id * dd, res, i * dd, dd);
    }
    return res;
  }

  static Tensor oneHot(Tensor ids, int depth, DType dtype) {
    int[] od = Arrays.copyOf(ids.shape.toArray(), ids.rank() + 1);
    od[ids.rank()] = depth;
    Tensor res = Tensor.zeros(dtype, Shape.of(od));
    for (int i = 0, n = ids.size(); i < n; i++) {
      long id = ids.getLong(i);
      if (id < 0 || id >= depth) {
        throw new IllegalArgumentException("id " + id + " at position " + i + " is outside [0, " + depth + ")");
      }
      res.setFlat(i * depth + (int) id, 1.0);
    }
    return res;
  }
}
