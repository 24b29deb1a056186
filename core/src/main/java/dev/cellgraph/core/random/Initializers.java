package dev.cellgraph.core.random;

import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealMatrix;

/**
 * Initial values for parameters, following PyTorch's {@code torch.nn.init} definitions.
 *
 * <p>Every initializer draws its values from the given {@link Rng} in row-major order, so the
 * same generator state gives identical tensors. Values are computed in double precision and
 * rounded once to a float32 tensor. Only floating dtypes are accepted. Shapes are {@code [out,
 * in, ...]} as in PyTorch: {@code fanIn = in * receptive field}, {@code fanOut = out * receptive
 * field}, where the receptive field is the product of the dimensions after the second.
 *
 * <p>Thread-safe: its static methods share no mutable state; the {@link Rng} a caller passes is not
 * thread-safe, so each thread needs its own.
 */
public final class Initializers {
  private Initializers() {}

  /**
   * A tensor of zeros.
   *
   * @param dtype the element type, {@code FLOAT32} or {@code FLOAT64}
   * @param shape the shape of the result
   * @return a new tensor of zeros of that shape
   */
  public static Tensor zeros(DType dtype, Shape shape) {
    requireFloating("zeros", dtype);
    return Tensor.zeros(dtype, shape);
  }

  /**
   * An inverted-dropout mask: each element, drawn in row-major order, is {@code 1/(1-p)} with
   * probability {@code 1 - p} and otherwise 0, so that multiplying by it keeps the expected value.
   *
   * @param rng the generator the values are drawn from, in row-major order
   * @param dtype the mask's element type
   * @param shape the shape of the result
   * @param p the probability that an element is 0, in {@code [0, 1)}
   * @return a new mask whose elements are 0 or {@code 1/(1-p)}
   */
  public static Tensor dropoutMask(Rng rng, DType dtype, Shape shape, double p) {
    if (!(p >= 0 && p < 1)) {
      throw new IllegalArgumentException("dropout probability (" + p + ") must be in [0, 1)");
    }
    double keep = 1.0 / (1.0 - p);
    double[] m = new double[shape.size()];
    for (int i = 0; i < m.length; i++) {
      m[i] = rng.nextDouble() >= p ? keep : 0.0;
    }
    return Tensor.of(dtype, m, shape);
  }

  /**
   * Independent uniform values in {@code [lo, hi)}.
   *
   * @param rng the generator the values are drawn from, in row-major order
   * @param dtype the element type, {@code FLOAT32} or {@code FLOAT64}
   * @param shape the shape of the result
   * @param lo the inclusive lower bound, finite
   * @param hi the exclusive upper bound, finite and greater than {@code lo}
   * @return a new tensor of values in {@code [lo, hi)}
   */
  public static Tensor uniform(Rng rng, DType dtype, Shape shape, double lo, double hi) {
    requireFloating("uniform", dtype);
    if (!(lo < hi) || Double.isInfinite(lo) || Double.isInfinite(hi)) {
      throw new IllegalArgumentException(
          "uniform: lo (" + lo + ") must be less than hi (" + hi + ") and both finite");
    }
    int n = shape.size();
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      double x = lo + (hi - lo) * rng.nextDouble();
      if (dtype == DType.FLOAT32) {
        // rounding to float32 may leave [lo, hi) (hi itself, or just past a bound that is not
        // a float); clamp to the nearest float inside
        float fx = (float) x;
        if (fx >= hi) {
          fx = (float) hi;
          while (fx >= hi) {
            fx = Math.nextDown(fx);
          }
        } else if (fx < lo) {
          fx = (float) lo;
          while (fx < lo) {
            fx = Math.nextUp(fx);
          }
        }
        x = fx;
      }
      v[i] = x;
    }
    return Tensor.of(dtype, v, shape);
  }

  /**
   * Independent normal values with the given mean and standard deviation.
   *
   * @param rng the generator the values are drawn from, in row-major order
   * @param dtype the element type, {@code FLOAT32} or {@code FLOAT64}
   * @param shape the shape of the result
   * @param mean the mean of the distribution
   * @param std the standard deviation, finite and at least 0
   * @return a new tensor of normal draws
   */
  public static Tensor normal(Rng rng, DType dtype, Shape shape, double mean, double std) {
    requireFloating("normal", dtype);
    if (!(std >= 0) || Double.isInfinite(std)) {
      throw new IllegalArgumentException("normal: std (" + std + ") must be finite and not negative");
    }
    int n = shape.size();
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = mean + std * rng.nextGaussian();
    }
    return Tensor.of(dtype, v, shape);
  }

  /**
   * Xavier/Glorot uniform ({@code nn.init.xavier_uniform_}): uniform(-a, a) with {@code a = gain
   * * sqrt(6 / (fanIn + fanOut))}.
   *
   * @param rng the generator the values are drawn from, in row-major order
   * @param dtype the element type, {@code FLOAT32} or {@code FLOAT64}
   * @param shape the shape of the result, {@code [out, in, ...]}, of rank at least 2
   * @param gain the factor the bound {@code a} is scaled by
   * @return a new tensor of values uniform in {@code [-a, a)}
   */
  public static Tensor xavierUniform(Rng rng, DType dtype, Shape shape, double gain) {
    int[] fans = fans("xavierUniform", shape);
    double a = gain * Math.sqrt(6.0 / (fans[0] + fans[1]));
    return uniform(rng, dtype, shape, -a, a);
  }

  /**
   * {@link #xavierUniform(Rng, DType, Shape, double)} with gain 1.
   *
   * @param rng the generator the values are drawn from, in row-major order
   * @param dtype the element type, {@code FLOAT32} or {@code FLOAT64}
   * @param shape the shape of the result, {@code [out, in, ...]}, of rank at least 2
   * @return a new tensor of values uniform in {@code [-a, a)}, {@code a = sqrt(6 / (fanIn +
   *     fanOut))}
   */
  public static Tensor xavierUniform(Rng rng, DType dtype, Shape shape) {
    return xavierUniform(rng, dtype, shape, 1.0);
  }

  /**
   * Xavier/Glorot normal ({@code nn.init.xavier_normal_}): normal(0, std) with {@code std = gain
   * * sqrt(2 / (fanIn + fanOut))}.
   *
   * @param rng the generator the values are drawn from, in row-major order
   * @param dtype the element type, {@code FLOAT32} or {@code FLOAT64}
   * @param shape the shape of the result, {@code [out, in, ...]}, of rank at least 2
   * @param gain the factor the standard deviation is scaled by
   * @return a new tensor of normal draws with mean 0
   */
  public static Tensor xavierNormal(Rng rng, DType dtype, Shape shape, double gain) {
    int[] fans = fans("xavierNormal", shape);
    return normal(rng, dtype, shape, 0.0, gain * Math.sqrt(2.0 / (fans[0] + fans[1])));
  }

  /**
   * {@link #xavierNormal(Rng, DType, Shape, double)} with gain 1.
   *
   * @param rng the generator the values are drawn from, in row-major order
   * @param dtype the element type, {@code FLOAT32} or {@code FLOAT64}
   * @param shape the shape of the result, {@code [out, in, ...]}, of rank at least 2
   * @return a new tensor of normal draws with mean 0 and {@code std = sqrt(2 / (fanIn + fanOut))}
   */
  public static Tensor xavierNormal(Rng rng, DType dtype, Shape shape) {
    return xavierNormal(rng, dtype, shape, 1.0);
  }

  /**
   * PyTorch's default for the weights and biases of {@code nn.RNN}, {@code nn.LSTM} and {@code
   * nn.GRU}: uniform(-1/sqrt(H), 1/sqrt(H)) with {@code H = hiddenSize}.
   *
   * @param rng the generator the values are drawn from, in row-major order
   * @param dtype the element type, {@code FLOAT32} or {@code FLOAT64}
   * @param shape the shape of the result
   * @param hiddenSize the hidden size H of the recurrent layer, at least 1
   * @return a new tensor of values uniform in {@code [-1/sqrt(H), 1/sqrt(H))}
   */
  public static Tensor pytorchRecurrent(Rng rng, DType dtype, Shape shape, int hiddenSize) {
    if (hiddenSize <= 0) {
      throw new IllegalArgumentException("hiddenSize (" + hiddenSize + ") must be positive");
    }
    double k = 1.0 / Math.sqrt(hiddenSize);
    return uniform(rng, dtype, shape, -k, k);
  }

  /**
   * A (semi-)orthogonal matrix ({@code nn.init.orthogonal_}), scaled by {@code gain}. The tensor
   * is seen as {@code [rows, cols]} with {@code rows = shape[0]}; a standard normal matrix of
   * that shape (transposed when wide) is factored as QR by Householder reflections, and each
   * column of Q is multiplied by the sign of R's diagonal, which makes Q uniformly (Haar)
   * distributed. The result has orthonormal rows when {@code rows <= cols}, otherwise
   * orthonormal columns.
   *
   * @param rng the generator the values are drawn from, in row-major order
   * @param dtype the element type, {@code FLOAT32} or {@code FLOAT64}
   * @param shape the shape of the result, of rank at least 2; seen as {@code [shape[0], rest]}
   * @param gain the factor every element is scaled by
   * @return a new tensor with orthonormal rows or columns, times {@code gain}
   */
  public static Tensor orthogonal(Rng rng, DType dtype, Shape shape, double gain) {
    requireFloating("orthogonal", dtype);
    if (shape.rank() < 2) {
      throw new IllegalArgumentException(
          "orthogonal needs a shape of rank at least 2, got " + shape);
    }
    int rows = shape.dim(0);
    int cols = rows == 0 ? 0 : shape.size() / rows;
    if (shape.size() == 0) {
      return Tensor.zeros(dtype, shape);
    }
    boolean wide = rows < cols;
    int m = wide ? cols : rows; // tall orientation: m >= n
    int n = wide ? rows : cols;
    double[][] a = new double[rows][cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        a[i][j] = rng.nextGaussian();
      }
    }
    RealMatrix flat = new Array2DRowRealMatrix(a, false);
    if (wide) {
      flat = flat.transpose();
    }
    QRDecomposition qr = new QRDecomposition(flat);
    RealMatrix q = qr.getQ(); // m x m; the reduced Q is its first n columns
    RealMatrix r = qr.getR(); // m x n
    double[] out = new double[rows * cols];
    for (int j = 0; j < n; j++) {
      // PyTorch multiplies by sign(diag(R)); a zero diagonal (probability zero) keeps the column
      // instead of zeroing it.
      double sign = r.getEntry(j, j) < 0 ? -1.0 : 1.0;
      for (int i = 0; i < m; i++) {
        double v = gain * sign * q.getEntry(i, j);
        if (wide) {
          out[j * cols + i] = v; // transpose back: [n, m] = [rows, cols]
        } else {
          out[i * cols + j] = v;
        }
      }
    }
    return Tensor.of(dtype, out, shape);
  }

  /**
   * {@link #orthogonal(Rng, DType, Shape, double)} with gain 1.
   *
   * @param rng the generator the values are drawn from, in row-major order
   * @param dtype the element type, {@code FLOAT32} or {@code FLOAT64}
   * @param shape the shape of the result, of rank at least 2; seen as {@code [shape[0], rest]}
   * @return a new tensor with orthonormal rows (if not tall) or columns
   */
  public static Tensor orthogonal(Rng rng, DType dtype, Shape shape) {
    return orthogonal(rng, dtype, shape, 1.0);
  }

  /**
   * {@code {fanIn, fanOut}} of a weight shaped {@code [out, in, ...]}, as PyTorch's {@code
   * _calculate_fan_in_and_fan_out} computes them.
   *
   * @param shape the weight's shape, of rank at least 2
   * @return a new two-element array {@code {fanIn, fanOut}}
   */
  public static int[] fans(Shape shape) {
    return fans("fans", shape);
  }

  private static int[] fans(String op, Shape shape) {
    if (shape.rank() < 2) {
      throw new IllegalArgumentException(
          op + " needs a shape of rank at least 2 to compute fan-in and fan-out, got " + shape);
    }
    int receptive = shape.product(2, shape.rank());
    int fanIn = shape.dim(1) * receptive;
    int fanOut = shape.dim(0) * receptive;
    if (fanIn + fanOut == 0) {
      throw new IllegalArgumentException(op + ": shape " + shape + " has zero fan-in and fan-out");
    }
    return new int[] {fanIn, fanOut};
  }

  private static void requireFloating(String op, DType dtype) {
    if (!dtype.isFloating()) {
      throw new IllegalArgumentException(
          op + " needs a floating dtype, got " + dtype.lowerName());
    }
  }
}
