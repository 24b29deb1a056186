package dev.cellgraph.cli;

import dev.cellgraph.cells.Cell;
import dev.cellgraph.core.DType;
import dev.cellgraph.train.nn.SequenceModel;
import java.util.Locale;

/**
 * A lower bound of the memory one training run needs, from its sizes alone, checked before
 * anything is allocated, so a run that cannot fit is refused with the figures instead of ending
 * in an {@link OutOfMemoryError} (or an {@code int} overflow) minutes later.
 *
 * <p>It counts only what a step must hold at once: the parameters four times (values, gradients,
 * two optimizer moments); for the training batch, per time step and sequence, the states, the
 * gate pre-activations (the cell's parameters per input-plus-hidden column, at least H), the
 * outputs and the inputs, all kept for the backward pass; the same per-step values for the largest
 * validation batch (its forward pass computes the input products of all steps at once); and the
 * batches' own data. The real peak is higher (temporaries,
 * garbage), so a refused run could never have run.
 *
 * @param steps the sequence length T of a batch
 * @param batch the training batch size B
 * @param validationBatch the largest validation batch
 * @param dataBytes the bytes of all batches' data that are held at once
 */
record MemoryBudget(SequenceModel model, DType dtype, long steps, long batch, long validationBatch, long dataBytes) {

  long parameterBytes() {
    return 4 * model.parameterCount() * dtype.byteSize();
  }

  /** The width of the gate pre-activations per sequence and step: 4H for an LSTM, 3H for a GRU. */
  long gateWidth() {
    Cell cell = model.cell();
    int i = model.inputSize();
    int h = model.hiddenSize();
    return Math.max(h, cell.parameterCount(i, h) / ((long) i + h + 2));
  }

  long stateWidth() {
    long n = 0;
    for (String s : model.cell().stateNames()) {
      n += model.cell().stateSize(s, model.inputSize(), model.hiddenSize());
    }
    return n;
  }

  /** The values kept for the backward pass per time step and sequence of the training batch. */
  long keptPerStep() {
    return stateWidth() + gateWidth() + model.outputs() + model.inputSize();
  }

  long activationBytes() {
    return steps * batch * keptPerStep() * dtype.byteSize();
  }

  long validationBytes() {
    return steps * validationBatch * keptPerStep() * dtype.byteSize();
  }

  long totalBytes() {
    return parameterBytes() + activationBytes() + validationBytes() + dataBytes;
  }

  /** The element count of the largest tensor of a training step: [T, B, widest per-step value]. */
  long largestTensor() {
    long width = Math.max(Math.max(gateWidth(), model.outputs()), Math.max(model.inputSize(), model.hiddenSize()));
    return steps * Math.max(batch, validationBatch) * width;
  }

  /**
   * Refuses the run, naming the figures, when a tensor would exceed the 2^31 - 1 elements of one
   * array or the total exceeds {@code available} bytes ({@code jobs} runs at once).
   */
  void check(long available, int jobs) {
    long width = largestTensor() / (steps * Math.max(batch, validationBatch));
    if (largestTensor() > Integer.MAX_VALUE) {
      throw new UsageException(String.format(Locale.ROOT,
          "%s of %,d sequences of %,d steps needs tensors of [%d, %d, %d] = %,d elements, more than the "
              + "%,d of one tensor; lower --length, --batch or --hidden-size",
          batch >= validationBatch ? "a batch" : "a validation batch", Math.max(batch, validationBatch), steps, steps, Math.max(batch, validationBatch), width, largestTensor(),
          Integer.MAX_VALUE));
    }
    long total = totalBytes() * jobs;
    if (total > available) {
      throw new UsageException(String.format(Locale.ROOT,
          "this run needs at least %s of memory%s (parameters with gradients and optimizer state %s; "
              + "activations kept for the backward pass %s: length %,d x batch %,d x %,d values; validation %s; "
              + "data %s), but the JVM may use at most %s; lower --hidden-size, --length or --batch, or give "
              + "Java more memory (CELLGRAPH_JAVA_OPTS=-Xmx...)",
          size(total), jobs > 1 ? " for " + jobs + " jobs at once" : "", size(parameterBytes()),
          size(activationBytes()), steps, batch, keptPerStep(), size(validationBytes()), size(dataBytes),
          size(available)));
    }
  }

  /** Bytes for a reader: 1.2 GB, 340 MB, 12 KB (powers of 1000, as {@code ls -h --si}). */
  static String size(long bytes) {
    if (bytes >= 1_000_000_000L) {
      return String.format(Locale.ROOT, "%.1f GB", bytes / 1e9);
    }
    if (bytes >= 1_000_000L) {
      return String.format(Locale.ROOT, "%.0f MB", bytes / 1e6);
    }
    return String.format(Locale.ROOT, "%.0f KB", Math.ceil(bytes / 1e3));
  }
}
