package dev.cellgraph.train.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cellgraph.cells.BuiltinCell;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.InvalidInputException;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.internal.TensorAccess;
import dev.cellgraph.core.io.Idx;
import dev.cellgraph.core.random.Rng;
import dev.cellgraph.train.nn.SequenceModel;
import dev.cellgraph.train.Batch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sequential MNIST on tiny generated IDX files: layout, permutation, split, epochs, accuracy, errors. */
public class SeqMnistTaskTest {
  static final int ROWS = 3;
  static final int COLS = 4;

  /**
   * Writes a tiny MNIST-format download: {@code train} and {@code test} images of 3 x 4 pixels,
   * pixel p of image k holding {@code (7 k + p) mod 256}, labels {@code k mod 10}; the training
   * files gzipped, the test files plain, as a user's unpacked download might be.
   */
  public static Path writeDataSet(Path dir, int train, int test) throws IOException {
    Files.createDirectories(dir);
    Idx.write(dir.resolve("train-images-idx3-ubyte.gz"), images(train));
    Idx.write(dir.resolve("train-labels-idx1-ubyte.gz"), labels(train));
    Idx.write(dir.resolve("t10k-images-idx3-ubyte"), images(test));
    Idx.write(dir.resolve("t10k-labels-idx1-ubyte"), labels(test));
    return dir;
  }

  static Idx.Data images(int n) {
    byte[] b = new byte[n * ROWS * COLS];
    for (int k = 0; k < n; k++) {
      for (int p = 0; p < ROWS * COLS; p++) {
        b[k * ROWS * COLS + p] = (byte) (7 * k + p);
      }
    }
    return Idx.Data.ofUnsignedBytes(b, n, ROWS, COLS);
  }

  static Idx.Data labels(int n) {
    byte[] b = new byte[n];
    for (int k = 0; k < n; k++) {
      b[k] = (byte) (k % 10);
    }
    return Idx.Data.ofUnsignedBytes(b, n);
  }

  static float pixel(int image, int p) {
    return ((7 * image + p) & 0xff) / 255f;
  }

  @TempDir Path tmp;

  private SeqMnistTask task(SeqMnistTask.Mode mode, boolean permute, long seed, int batch) throws IOException {
    return new SeqMnistTask(SeqMnistTask.DataSet.load(writeDataSet(tmp.resolve("d"), 36, 5)), mode, permute, seed,
        batch);
  }

  @Test
  void rowsAreStepsAndPixelsAreScaledToTheUnitInterval() throws IOException {
    SeqMnistTask t = task(SeqMnistTask.Mode.ROWS, false, 1, 4);
    assertEquals(ROWS, t.steps());
    assertEquals(COLS, t.inputSize());
    assertEquals(33, t.trainingImages());
    assertEquals(3, t.validationImages(), "one twelfth held out");
    Batch b = t.testBatch(0);
    assertEquals("[3, 5, 4]", b.input().shape().toString());
    float[] x = TensorAccess.floats(b.input());
    for (int e = 0; e < 5; e++) {
      for (int r = 0; r < ROWS; r++) {
        for (int c = 0; c < COLS; c++) {
          assertEquals(pixel(e, r * COLS + c), x[(r * 5 + e) * COLS + c], "image " + e + " row " + r + " column " + c);
        }
      }
      assertEquals(e % 10, TensorAccess.longs(b.get("target"))[e]);
    }
  }

  @Test
  void pixelByPixelReadsOnePixelPerStepInAFixedSeededOrderWhenPermuted() throws IOException {
    SeqMnistTask plain = task(SeqMnistTask.Mode.PIXELS, false, 1, 4);
    assertEquals(ROWS * COLS, plain.steps());
    assertEquals(1, plain.inputSize());
    float[] x = TensorAccess.floats(plain.testBatch(0).input());
    for (int p = 0; p < ROWS * COLS; p++) {
      assertEquals(pixel(2, p), x[p * 5 + 2]);
    }

    SeqMnistTask permuted = task(SeqMnistTask.Mode.PIXELS, true, 1, 4);
    int[] order = permuted.pixelOrder();
    int[] sorted = order.clone();
    Arrays.sort(sorted);
    assertArrayEquals(plain.pixelOrder(), sorted, "a permutation of the pixels");
    assertFalse(Arrays.equals(plain.pixelOrder(), order));
    assertArrayEquals(order, task(SeqMnistTask.Mode.PIXELS, true, 1, 4).pixelOrder(), "the same for the same seed");
    assertFalse(Arrays.equals(order, task(SeqMnistTask.Mode.PIXELS, true, 2, 4).pixelOrder()));
    float[] px = TensorAccess.floats(permuted.testBatch(0).input());
    for (int p = 0; p < ROWS * COLS; p++) {
      assertEquals(pixel(2, order[p]), px[p * 5 + 2]);
    }
  }

  /** The image of each sequence of a batch, recovered from its first pixel (7 k mod 256 for k < 36). */
  private static int[] imagesOf(Batch b, int steps, int inputSize) {
    int n = b.batchSize();
    int[] k = new int[n];
    float[] x = TensorAccess.floats(b.input());
    for (int e = 0; e < n; e++) {
      k[e] = Math.round(x[e * inputSize] * 255) / 7;
    }
    return k;
  }

  @Test
  void eachEpochReadsEveryTrainingImageOnceAndNeverAValidationImage() throws IOException {
    SeqMnistTask t = task(SeqMnistTask.Mode.ROWS, false, 5, 11); // 33 training images: 3 batches an epoch
    Set<Integer> validation = new HashSet<>();
    for (Batch b : t.validationBatches()) {
      for (int k : imagesOf(b, ROWS, COLS)) {
        validation.add(k);
      }
    }
    assertEquals(3, validation.size());
    for (int epoch = 0; epoch < 2; epoch++) {
      Set<Integer> seen = new HashSet<>();
      for (int s = 0; s < 3; s++) {
        for (int k : imagesOf(t.trainingBatch(epoch * 3 + s, Rng.seeded(0)), ROWS, COLS)) {
          assertFalse(validation.contains(k), "image " + k + " is held out");
          seen.add(k);
        }
      }
      assertEquals(33, seen.size(), "epoch " + epoch);
    }
    assertNotEquals(Arrays.toString(imagesOf(t.trainingBatch(0, Rng.seeded(0)), ROWS, COLS)),
        Arrays.toString(imagesOf(t.trainingBatch(3, Rng.seeded(0)), ROWS, COLS)), "each epoch is shuffled anew");
    // a batch depends on the step only: a fresh task, asked out of order, gives the same batch
    assertEquals(t.trainingBatch(4, Rng.seeded(0)).tensors(), t.copy().trainingBatch(4, Rng.seeded(9)).tensors());
    assertNotEquals(Arrays.toString(imagesOf(t.validationBatches().get(0), ROWS, COLS)),
        Arrays.toString(imagesOf(task(SeqMnistTask.Mode.ROWS, false, 6, 11).validationBatches().get(0), ROWS, COLS)),
        "the split follows the seed");
  }

  @Test
  void accuracyCountsTheClassOfTheLargestLogitAtTheLastStep() throws IOException {
    SeqMnistTask t = task(SeqMnistTask.Mode.ROWS, false, 1, 4);
    SequenceModel m = t.model(BuiltinCell.of(BuiltinCell.Kind.GRU, true), 3, 0);
    // zero weights and a head bias that favours class 3: every image is classified as a 3
    Map<String, Tensor> params = new LinkedHashMap<>();
    m.parameterShapes().forEach((name, shape) -> params.put(name, Tensor.zeros(DType.FLOAT64, shape)));
    double[] bias = new double[10];
    bias[3] = 1;
    params.put("head.bias", Tensor.of(bias, 10));
    // test labels are 0, 1, 2, 3, 4: one in five is a 3
    assertEquals(0.2, t.testAccuracy(m, params, DType.FLOAT64), 1e-12);
    long threes = 0;
    for (Batch b : t.validationBatches()) {
      threes += Arrays.stream(TensorAccess.longs(b.get("target"))).filter(y -> y == 3).count();
    }
    assertEquals(threes / 3.0, t.validationAccuracy(m, params, DType.FLOAT64), 1e-12);
  }

  @Test
  void filesThatDoNotFitTogetherAreNamed() throws IOException {
    Path d = writeDataSet(tmp.resolve("bad"), 24, 4);
    Idx.write(d.resolve("t10k-labels-idx1-ubyte"), labels(3));
    assertEquals(d + ": t10k-labels-idx1-ubyte holds unsigned byte [3], expected one unsigned byte label per "
        + "image: [4]", assertThrows(InvalidInputException.class, () -> SeqMnistTask.DataSet.load(d)).getMessage());
    Idx.write(d.resolve("t10k-labels-idx1-ubyte"), Idx.Data.ofUnsignedBytes(new byte[] {1, 2, 10, 3}, 4));
    assertEquals(d + ": t10k-labels-idx1-ubyte: label 2 is 10, expected a class from 0 to 9",
        assertThrows(InvalidInputException.class, () -> SeqMnistTask.DataSet.load(d)).getMessage());
    Idx.write(d.resolve("t10k-labels-idx1-ubyte"), labels(4));
    Idx.write(d.resolve("t10k-images-idx3-ubyte"), Idx.Data.ofUnsignedBytes(new byte[4 * 9], 4, 3, 3));
    assertEquals(d + ": the training images are 3 x 4 pixels, the test images 3 x 3",
        assertThrows(InvalidInputException.class, () -> SeqMnistTask.DataSet.load(d)).getMessage());
    Idx.write(d.resolve("t10k-images-idx3-ubyte"), Idx.Data.ofFloats(new float[4], 4));
    assertEquals(d + ": t10k-images-idx3-ubyte holds float [4], expected images: unsigned bytes [N, rows, columns]",
        assertThrows(InvalidInputException.class, () -> SeqMnistTask.DataSet.load(d)).getMessage());
    Files.delete(d.resolve("t10k-images-idx3-ubyte"));
    assertEquals(d + " holds neither t10k-images-idx3-ubyte.gz nor t10k-images-idx3-ubyte; an MNIST or Fashion-MNIST "
        + "download has the four files train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, "
        + "t10k-labels-idx1-ubyte (gzipped or not)",
        assertThrows(InvalidInputException.class, () -> SeqMnistTask.DataSet.load(d)).getMessage());
  }

  @Test
  void anAbsentDataSetSaysHowToInstallIt() {
    Path none = tmp.resolve("not-installed");
    assertEquals("the Fashion-MNIST data set is not installed (looked in " + none + "); install it with 'apt-get "
        + "install dataset-fashion-mnist', or pass --data DIR with the four files of an MNIST or Fashion-MNIST "
        + "download (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, "
        + "t10k-labels-idx1-ubyte, gzipped or not)",
        assertThrows(InvalidInputException.class, () -> SeqMnistTask.locate(null, none)).getMessage());
    assertEquals(tmp, SeqMnistTask.locate(tmp.toString(), none));
  }
}
