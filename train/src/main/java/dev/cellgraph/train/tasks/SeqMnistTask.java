package dev.cellgraph.train.tasks;

import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Plan;
import dev.cellgraph.autodiff.TensorType;
import dev.cellgraph.cells.Cell;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.InvalidInputException;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.internal.TensorAccess;
import dev.cellgraph.core.io.Idx;
import dev.cellgraph.core.random.Rng;
import dev.cellgraph.train.nn.Losses;
import dev.cellgraph.train.nn.SequenceModel;
import dev.cellgraph.train.Batch;
import dev.cellgraph.train.Task;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sequential (Fashion-)MNIST (Le et al. 2015; Arjovsky et al. 2016): an image is read as a
 * sequence, one row per step ({@code T = 28}, input size 28) or one pixel per step ({@code T =
 * 784}, input size 1), optionally in a fixed random order of the pixels ("permuted"), scaled to
 * [0, 1]; a dense layer on the last hidden state classifies it into one of 10 classes
 * (cross-entropy). The images come from the four IDX files of an MNIST or Fashion-MNIST download,
 * gzipped or not (by default Debian's {@code dataset-fashion-mnist}).
 *
 * <p>One twelfth of the training images (5,000 of Fashion-MNIST's 60,000), chosen by a shuffle
 * seeded with the run's seed, is held out for validation; the test images are used only for the
 * test accuracy at the end. Training reads the remaining images in epochs, each in an order
 * shuffled from the seed and the epoch number, so a batch depends only on the step and the seed
 * and a resumed run reads exactly what it would have read. The pixel permutation is drawn from
 * the seed too.
 *
 * <p>Thread-safe: its one mutable state, the cached order of the current epoch, is guarded by
 * {@link #trainingBatch}'s lock; {@link #copy()} gives an independent task sharing the images, for
 * runs that should not contend for that lock.
 */
public final class SeqMnistTask implements Task {
  /** Where Debian's {@code dataset-fashion-mnist} puts the gzipped IDX files. */
  public static final Path DEBIAN_DIR = Paths.get("/usr/share/datasets/fashion-mnist");

  /** The number of classes. */
  public static final int CLASSES = 10;

  /** The standard file names of the MNIST family, each read as is or with {@code .gz}. */
  public static final List<String> FILES = List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
      "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

  /** Per step, a row of the image or a single pixel. */
  public enum Mode {
    /** A row of pixels per step: 28 steps of input size 28 for MNIST. */ ROWS,
    /** One pixel per step: 784 steps of input size 1 for MNIST. */ PIXELS;

    /**
     * The name on the command line: {@code rows} or {@code pixels}.
     *
     * @return the mode's lower-case name
     */
    public String lowerName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The images and labels of a download: training and test, validated against each other. */
  public record DataSet(String source, Idx.Data trainImages, Idx.Data trainLabels, Idx.Data testImages,
      Idx.Data testLabels) {
    /**
     * Checks the images and labels against each other.
     *
     * @param source the name of the download, e.g. its directory, used in messages and settings
     * @param trainImages the training images, unsigned bytes {@code [N, rows, columns]}
     * @param trainLabels the training labels, one unsigned byte class per training image
     * @param testImages the test images, unsigned bytes {@code [M, rows, columns]} of the training images' size
     * @param testLabels the test labels, one unsigned byte class per test image
     * @throws IllegalArgumentException if a file has the wrong type or shape or the counts disagree
     */
    public DataSet {
      checkImages(source, FILES.get(0), trainImages);
      checkImages(source, FILES.get(2), testImages);
      checkLabels(source, FILES.get(1), trainLabels, trainImages.dim(0));
      checkLabels(source, FILES.get(3), testLabels, testImages.dim(0));
      if (trainImages.dim(1) != testImages.dim(1) || trainImages.dim(2) != testImages.dim(2)) {
        throw new InvalidInputException(source + ": the training images are " + trainImages.dim(1) + " x "
            + trainImages.dim(2) + " pixels, the test images " + testImages.dim(1) + " x " + testImages.dim(2));
      }
      if (trainImages.dim(0) < 2 || testImages.dim(0) < 1) {
        throw new InvalidInputException(source + ": " + trainImages.dim(0) + " training and " + testImages.dim(0)
            + " test images; at least 2 training images (one held out) and 1 test image are needed");
      }
    }

    /**
     * Reads the four files from {@code dir}; a missing one, a malformed one or files that do not
     * fit together are errors naming the file.
     *
     * @param dir the directory holding the four IDX files, gzipped or not
     * @return the data set, its source the directory
     * @throws IOException if a file cannot be read
     */
    public static DataSet load(Path dir) throws IOException {
      Idx.Data[] d = new Idx.Data[4];
      for (int i = 0; i < 4; i++) {
        d[i] = Idx.read(file(dir, FILES.get(i)));
      }
      return new DataSet(dir.toString(), d[0], d[1], d[2], d[3]);
    }

    /** {@code name.gz} or {@code name} in {@code dir}; neither is an error naming both. */
    static Path file(Path dir, String name) {
      Path gz = dir.resolve(name + ".gz");
      if (Files.isRegularFile(gz)) {
        return gz;
      }
      Path plain = dir.resolve(name);
      if (Files.isRegularFile(plain)) {
        return plain;
      }
      throw new InvalidInputException(dir + " holds neither " + name + ".gz nor " + name + "; an MNIST or "
          + "Fashion-MNIST download has the four files " + String.join(", ", FILES) + " (gzipped or not)");
    }

    /**
     * The height of an image.
     *
     * @return the number of pixel rows of an image
     */
    public int rows() {
      return trainImages.dim(1);
    }

    /**
     * The width of an image.
     *
     * @return the number of pixel columns of an image
     */
    public int columns() {
      return trainImages.dim(2);
    }

    private static void checkImages(String source, String name, Idx.Data d) {
      if (d.type() != Idx.Type.UNSIGNED_BYTE || d.rank() != 3 || d.dim(1) == 0 || d.dim(2) == 0) {
        throw new InvalidInputException(source + ": " + name + " holds " + d.type().description() + " "
            + Arrays.toString(d.shape()) + ", expected images: unsigned bytes [N, rows, columns]");
      }
    }

    private static void checkLabels(String source, String name, Idx.Data d, int images) {
      if (d.type() != Idx.Type.UNSIGNED_BYTE || d.rank() != 1 || d.dim(0) != images) {
        throw new InvalidInputException(source + ": " + name + " holds " + d.type().description() + " "
            + Arrays.toString(d.shape()) + ", expected one unsigned byte label per image: [" + images + "]");
      }
      for (int i = 0; i < images; i++) {
        if (d.intAt(i) >= CLASSES) {
          throw new InvalidInputException(source + ": " + name + ": label " + i + " is " + d.intAt(i)
              + ", expected a class from 0 to " + (CLASSES - 1));
        }
      }
    }
  }

  /**
   * The directory to read: {@code data} when given, else Debian's; when the default is absent the
   * message says how to install it.
   *
   * @param data the {@code --data} directory given, or null for the default
   * @param defaultDir the directory read when {@code data} is null
   * @return the directory to read the IDX files from
   */
  public static Path locate(String data, Path defaultDir) {
    return locate(data, defaultDir, "--task seqmnist");
  }

  /**
   * As {@link #locate(String, Path)}, a {@code data} that is not a directory reported as the
   * {@code --data} of {@code user} (what the option was given to: "--task seqmnist", "the demo").
   *
   * @param data the {@code --data} directory given, or null for the default
   * @param defaultDir the directory read when {@code data} is null
   * @param user what the {@code --data} option was given to, for the message
   * @return the directory to read the IDX files from
   */
  public static Path locate(String data, Path defaultDir, String user) {
    if (data != null) {
      Path p = Paths.get(data);
      if (!Files.isDirectory(p)) {
        throw new InvalidInputException("--data " + data + " is not a directory; for " + user + " it is the "
            + "directory of an MNIST or Fashion-MNIST download (" + String.join(", ", FILES) + ", gzipped or not)");
      }
      return p;
    }
    if (!Files.isDirectory(defaultDir)) {
      throw new InvalidInputException("the Fashion-MNIST data set is not installed (looked in " + defaultDir
          + "); install it with 'apt-get install dataset-fashion-mnist', or pass --data DIR with the four files "
          + "of an MNIST or Fashion-MNIST download (" + String.join(", ", FILES) + ", gzipped or not)");
    }
    return defaultDir;
  }

  private static final long SPLIT_SALT = 0x5E9_3A17L;
  private static final long PERMUTE_SALT = 0x9E3_779BL;
  private static final long EPOCH_SALT = 0xE90C_4L;

  private final DataSet data;
  private final Mode mode;
  private final boolean permute;
  private final long seed;
  private final int batch;
  private final int steps;
  private final int inputSize;
  private final int[] pixelOrder;  // the pixel read at each position of the sequence
  private final int[] trainIndex;  // training images not held out
  private final int[] validIndex;
  private final int evalBatch;
  private final List<Batch> validation;
  private long cachedEpoch = -1;
  private int[] epochOrder;

  /**
   * The task on {@code data}, read {@code mode}, the pixels shuffled by a fixed permutation if {@code permute}, with the validation split and batches drawn from {@code seed}.
   *
   * @param data the images and labels
   * @param mode how an image is read step by step: a row or a pixel per step
   * @param permute whether the pixels are read in a fixed random order
   * @param seed the seed of the validation split, the training order and the permutation
   * @param batch the number of images per training batch (at least 1)
   * @throws IllegalArgumentException if {@code batch} is less than 1
   */
  public SeqMnistTask(DataSet data, Mode mode, boolean permute, long seed, int batch) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch size (" + batch + ") must be at least 1");
    }
    this.data = data;
    this.mode = mode;
    this.permute = permute;
    this.seed = seed;
    this.batch = batch;
    int pixels = data.rows() * data.columns();
    this.steps = mode == Mode.ROWS ? data.rows() : pixels;
    this.inputSize = mode == Mode.ROWS ? data.columns() : 1;
    this.pixelOrder = identity(pixels);
    if (permute) {
      Rng.seeded(seed ^ PERMUTE_SALT).shuffle(pixelOrder);
    }
    int n = data.trainImages().dim(0);
    int[] all = identity(n);
    Rng.seeded(seed ^ SPLIT_SALT).shuffle(all);
    int held = Math.max(1, n / 12);
    this.validIndex = Arrays.copyOfRange(all, 0, held);
    this.trainIndex = Arrays.copyOfRange(all, held, n);
    Arrays.sort(validIndex); // the validation batches read in file order
    // forward passes over many steps keep [T, B, ...] values: fewer sequences per batch when T is long
    this.evalBatch = Math.max(16, Math.min(500, 16_384 / steps));
    List<Batch> v = new ArrayList<>();
    for (int start = 0; start < validIndex.length; start += evalBatch) {
      v.add(make(data.trainImages(), data.trainLabels(), validIndex, start,
          Math.min(evalBatch, validIndex.length - start)));
    }
    this.validation = List.copyOf(v);
  }

  /**
   * An independent task over the same images and settings (the images are shared, not copied).
   *
   * @return a new task over the same images with the same settings
   */
  public SeqMnistTask copy() {
    return new SeqMnistTask(data, mode, permute, seed, batch);
  }

  /**
   * How an image is read step by step.
   *
   * @return the mode: rows or pixels per step
   */
  public Mode mode() {
    return mode;
  }

  /**
   * The sequence length T: rows, or pixels.
   *
   * @return the sequence length T
   */
  public int steps() {
    return steps;
  }

  /**
   * The input size per step: the image's width, or 1.
   *
   * @return the input size I per step
   */
  public int inputSize() {
    return inputSize;
  }

  /**
   * The number of training images (the training file less the validation split).
   *
   * @return the number of training images
   */
  public int trainingImages() {
    return trainIndex.length;
  }

  /**
   * The number of validation images, held out from the training file.
   *
   * @return the number of validation images
   */
  public int validationImages() {
    return validIndex.length;
  }

  /**
   * The number of test images.
   *
   * @return the number of test images
   */
  public int testImages() {
    return data.testImages().dim(0);
  }

  /**
   * The sequences in a validation or test batch.
   *
   * @return the number of images per validation or test batch
   */
  public int evaluationBatch() {
    return evalBatch;
  }

  /**
   * The bytes the images and the validation batches hold.
   *
   * @return the approximate size in bytes of the images and the validation batches
   */
  public long dataBytes() {
    long images = (long) data.trainImages().size() + data.testImages().size();
    return images + (long) validIndex.length * steps * inputSize * 4L;
  }

  /**
   * The same images and settings with another seed: another validation split, order of training
   * batches and (with {@code permute}) permutation, as a run with that {@code --seed} has.
   *
   * @param otherSeed the seed of the new task
   * @return a new task over the same images and settings, with that seed
   */
  public SeqMnistTask withSeed(long otherSeed) {
    return new SeqMnistTask(data, mode, permute, otherSeed, batch);
  }

  /**
   * The order in which the pixels are read (row-major indices): the identity unless permuted.
   *
   * @return a copy of the pixel order, row-major pixel indices, one per position of the sequence
   */
  public int[] pixelOrder() {
    return pixelOrder.clone();
  }

  @Override
  public String name() {
    return "seqmnist";
  }

  @Override
  public Map<String, String> settings() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("data", data.source());
    m.put("images", data.trainImages().dim(0) + "+" + data.testImages().dim(0));
    m.put("mode", mode.lowerName());
    m.put("permute", Boolean.toString(permute));
    m.put("split_seed", Long.toString(seed));
    m.put("batch", Integer.toString(batch));
    return m;
  }

  @Override
  public SequenceModel model(Cell cell, int hiddenSize, double dropout) {
    return SequenceModel.ofFeatures(cell, inputSize, hiddenSize, CLASSES, dropout);
  }

  @Override
  public synchronized Batch trainingBatch(long step, Rng rng) {
    int n = trainIndex.length;
    int[] picked = new int[batch];
    for (int j = 0; j < batch; j++) {
      long position = step * batch + j;
      long epoch = position / n;
      if (epoch != cachedEpoch) {
        epochOrder = trainIndex.clone();
        Rng.seeded(seed ^ EPOCH_SALT ^ (epoch * 0x9E3779B97F4A7C15L)).shuffle(epochOrder);
        cachedEpoch = epoch;
      }
      picked[j] = epochOrder[(int) (position % n)];
    }
    return make(data.trainImages(), data.trainLabels(), picked, 0, batch);
  }

  @Override
  public List<Batch> validationBatches() {
    return validation;
  }

  /**
   * Test batch {@code k} of {@link #testBatchCount()}, made when asked (the test set is not kept as floats).
   *
   * @param k the batch's index, 0 to {@link #testBatchCount()} - 1
   * @return the test batch, made afresh, with {@code input} and {@code target}
   */
  public Batch testBatch(int k) {
    int n = testImages();
    int start = k * evalBatch;
    return make(data.testImages(), data.testLabels(), identity(n), start, Math.min(evalBatch, n - start));
  }

  /**
   * The number of test batches.
   *
   * @return the number of test batches
   */
  public int testBatchCount() {
    return (testImages() + evalBatch - 1) / evalBatch;
  }

  /** Input {@code [T, b, I]} (pixels / 255) and target {@code [b]} of images {@code index[start..start+b)}. */
  private Batch make(Idx.Data images, Idx.Data labels, int[] index, int start, int b) {
    int pixels = data.rows() * data.columns();
    float[] x = new float[steps * b * inputSize];
    long[] y = new long[b];
    for (int e = 0; e < b; e++) {
      int image = index[start + e];
      int base = image * pixels;
      for (int p = 0; p < pixels; p++) {
        int t = p / inputSize;
        int i = p % inputSize;
        x[(t * b + e) * inputSize + i] = images.intAt(base + pixelOrder[p]) / 255f;
      }
      y[e] = labels.intAt(image);
    }
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("input", TensorAccess.wrap(x, Shape.of(steps, b, inputSize)));
    m.put("target", TensorAccess.wrap(DType.INT64, y, Shape.of(b)));
    return Batch.of(m);
  }

  @Override
  public Node loss(SequenceModel.Forward forward, Map<String, Node> batch) {
    return Losses.crossEntropy(lastLogits(forward), batch.get("target"));
  }

  /** The classifier reads the last hidden state only: the head's output at step T. */
  private Node lastLogits(SequenceModel.Forward forward) {
    return forward.outputs().select(0, steps - 1);
  }

  @Override
  public String metricName() {
    return "cross-entropy";
  }

  /**
   * The fraction of validation images the model classifies correctly.
   *
   * @param model the trained model
   * @param params the model's parameters by name
   * @param dtype the parameters' dtype
   * @return the validation accuracy, in [0, 1]
   */
  public double validationAccuracy(SequenceModel model, Map<String, Tensor> params, DType dtype) {
    return new Evaluator(model, params, dtype).accuracy(validation);
  }

  /**
   * The fraction of test images the model classifies correctly.
   *
   * @param model the trained model
   * @param params the model's parameters by name
   * @param dtype the parameters' dtype
   * @return the test accuracy, in [0, 1]
   */
  public double testAccuracy(SequenceModel model, Map<String, Tensor> params, DType dtype) {
    Evaluator ev = new Evaluator(model, params, dtype);
    long correct = 0;
    for (int k = 0; k < testBatchCount(); k++) {
      correct += ev.correct(testBatch(k));
    }
    return (double) correct / testImages();
  }

  /** Forward passes of the model (no dropout), one compiled plan per batch size. */
  private final class Evaluator {
    private final SequenceModel model;
    private final Map<String, Tensor> params;
    private final DType dtype;
    private final Map<Integer, Plan> plans = new LinkedHashMap<>();

    Evaluator(SequenceModel model, Map<String, Tensor> params, DType dtype) {
      this.model = model;
      this.params = params;
      this.dtype = dtype;
    }

    double accuracy(List<Batch> batches) {
      long correct = 0;
      long total = 0;
      for (Batch b : batches) {
        correct += correct(b);
        total += b.batchSize();
      }
      return (double) correct / total;
    }

    int correct(Batch b) {
      int size = b.batchSize();
      Plan plan = plans.computeIfAbsent(size, this::compile);
      List<Tensor> feeds = new ArrayList<>();
      feeds.add(b.input());
      for (String name : model.parameterShapes().keySet()) {
        feeds.add(params.get(name));
      }
      double[] logits = plan.run(feeds).get(0).toDoubleArray();
      long[] target = TensorAccess.longs(b.get("target"));
      int correct = 0;
      for (int e = 0; e < size; e++) {
        int best = 0;
        for (int c = 1; c < CLASSES; c++) {
          if (logits[e * CLASSES + c] > logits[e * CLASSES + best]) {
            best = c;
          }
        }
        if (best == target[e]) {
          correct++;
        }
      }
      return correct;
    }

    private Plan compile(int size) {
      Graph g = new Graph("classify seqmnist " + model.cell().name());
      List<Node> feeds = new ArrayList<>();
      Node input = g.input("input", new TensorType(DType.FLOAT32, Shape.of(steps, size, inputSize)));
      feeds.add(input);
      Map<String, Node> pn = new LinkedHashMap<>();
      for (Map.Entry<String, Shape> e : model.parameterShapes().entrySet()) {
        Node n = g.parameter(e.getKey(), new TensorType(dtype, e.getValue()));
        pn.put(e.getKey(), n);
        feeds.add(n);
      }
      Node x = dtype == DType.FLOAT32 ? input : input.cast(dtype);
      SequenceModel.Forward f = model.build(g, x, Map.of(), pn, null, false);
      return Plan.compile(List.of(lastLogits(f)), feeds);
    }
  }

  private static int[] identity(int n) {
    int[] a = new int[n];
    Arrays.setAll(a, i -> i);
    return a;
  }

  @Override
  public String toString() {
    String what = data.source().equals(DEBIAN_DIR.toString()) ? "Fashion-MNIST" : "MNIST-format images of "
        + data.source();
    return String.format(java.util.Locale.ROOT,
        "sequential %s (%s%s: T = %d, input size %d; %,d training, %,d validation, %,d test images; batch %d)", what,
        permute ? "permuted " : "", mode == Mode.ROWS ? "row by row" : "pixel by pixel", steps, inputSize,
        trainIndex.length, validIndex.length, testImages(), batch);
  }
}
