package dev.cellgraph.core;

import java.util.Locale;
import java.util.logging.Logger;

/**
 * Every {@code cellgraph.*} system property, in one typed place. Each is read once, when first
 * asked for, and parsed the same way: a value that does not parse is ignored with one warning,
 * and the default applies. None of them changes a result's bits except {@link #KERNELS}, and
 * {@link #VECTOR_BITS} within float rounding; they exist for machines that differ, for comparisons
 * and for the tests that run the suite both ways.
 *
 * <p>Compile options ({@code cellgraph.compile.*}) are only the defaults of the options that code
 * passes explicitly to {@code Plan.compile}; nothing changes them at run time.
 *
 * <p>Thread-safe: the constants hold only their names, and every method reads the system property
 * afresh.
 */
public enum Setting {
  // kernels (core)
  /** Threads for large products and elementwise passes; default: the available processors. */
  THREADS("cellgraph.threads", "the available processors"),
  /** {@code plain} forces the plain-Java kernels; default: the Vector API when the JVM has it. */
  KERNELS("cellgraph.kernels", "vector"),
  /** 128, 256 or 512: the vector width the kernels use; default: the CPU's preferred one. */
  VECTOR_BITS("cellgraph.vector.bits", "the preferred species"),
  /** The vector registers the GEMM tiles assume (16 or 32); default: 32 on ARM64 or AVX-512. */
  VECTOR_REGISTERS("cellgraph.vector.registers", "from the CPU"),
  /** Nanoseconds a kernel helper thread spins for work before it parks. */
  SPIN_NANOS("cellgraph.spin.nanos", "500000"),
  /** GEMM depth block for packed-B and few-row products (a power of two). */
  GEMM_KC("cellgraph.gemm.kc", "from L1d"),
  /** GEMM depth block for products whose B is packed per product. */
  GEMM_KC_WIDE("cellgraph.gemm.kcwide", "1024"),
  /** GEMM rows of A per block. */
  GEMM_MC("cellgraph.gemm.mc", "from L2"),
  /** GEMM columns of B per block (KC depths). */
  GEMM_NC("cellgraph.gemm.nc", "from L2"),
  /** GEMM columns of B per block (KC_WIDE depths). */
  GEMM_NC_WIDE("cellgraph.gemm.ncwide", "from L2"),
  /** Rows of A up to which a block walks B's panels in the outer loop. */
  GEMM_PANEL_OUTER("cellgraph.gemm.panelouter", "64"),
  /** Multiply-adds above which a product is split over threads. */
  GEMM_PARALLEL_MIN("cellgraph.gemm.parallelmin", "2^21 / element bytes"),
  /** Multiply-adds from which a one-row product (a stream's step) splits its columns over threads. */
  GEMM_GEMV_PARALLEL_MIN("cellgraph.gemm.gemvparallelmin", "2^18 / element bytes"),
  /** {@code true}: few-row products split over threads by columns instead of by rows. */
  GEMM_FEW_ROWS_BY_COLUMNS("cellgraph.gemm.fewrowsbycolumns", "false"),
  /** {@code true}: always pack B (no in-place reading for few-row products). */
  GEMM_PACK_B("cellgraph.gemm.packb", "false"),
  /** {@code true}: always pack A (no in-place reading for small products). */
  GEMM_PACK_A("cellgraph.gemm.packa", "false"),
  /**
   * {@code true} (the default): the float64 kernels use the 12-row tile; {@code false} the 14-row
   * one, whose accumulating kernel C1 cannot compile at tier 3, so that on a loaded machine the
   * JIT can leave it in C1's code for good (a float64 RNN step 10x slower).
   */
  GEMM_MR12("cellgraph.gemm.mr12", "true"),
  /** {@code true}: packed panels are not aligned to 64 bytes. */
  GEMM_NO_ALIGN("cellgraph.gemm.noalign", "false"),
  /** {@code true}: one row times a packed B goes through the register tiles (no one-row loop). */
  GEMM_ONE_ROW_TILES("cellgraph.gemm.onerowtiles", "false"),
  // graphs (autodiff)
  /** Default of compiling scans ({@code CompileOptions.compileScans}); {@code false} interprets them. */
  COMPILE_SCANS("cellgraph.compile.scans", "true"),
  /** Default of fusing elementwise groups in compiled scans. */
  COMPILE_FUSE("cellgraph.compile.fuse", "true"),
  /** Default of splitting row-wise scan loops by batch rows over the threads. */
  COMPILE_ROW_SPLIT("cellgraph.compile.rowsplit", "true"),
  /** Default of computing a row-split loop's elementwise inputs inside the loop. */
  COMPILE_SINK("cellgraph.compile.sink", "true"),
  /** Elements above which a fused elementwise pass is split over threads. */
  FUSE_PARALLEL_MIN("cellgraph.fuse.parallelmin", "32768"),
  /** Shapes (lengths, batch sizes) whose compiled scans, cell steps and layer runners are kept, least recently used dropped. */
  CACHE_SHAPES("cellgraph.cache.shapes", "32"),
  // rendering
  /** {@code dot}, {@code js} or {@code auto}: which Graphviz lays out diagrams. */
  GRAPHVIZ("cellgraph.graphviz", "auto");

  private static final Logger LOG = Logger.getLogger(Setting.class.getName());

  private final String property;
  private final String defaultDescription;

  Setting(String property, String defaultDescription) {
    this.property = property;
    this.defaultDescription = defaultDescription;
  }

  /**
   * The system property's name, e.g. {@code cellgraph.threads}.
   *
   * @return the system property's full name, starting with {@code cellgraph.}
   */
  public String property() {
    return property;
  }

  /**
   * The default, as the documentation states it.
   *
   * @return a human-readable description of the default, such as {@code the available processors}
   */
  public String defaultDescription() {
    return defaultDescription;
  }

  /**
   * The raw value, or null when the property is not set.
   *
   * @return the property's value with surrounding blanks trimmed, or {@code null} if unset or blank
   */
  public String raw() {
    String v = System.getProperty(property);
    return v == null || v.isBlank() ? null : v.trim();
  }

  /**
   * The value as a whole number in [min, max], or {@code dflt} when unset or invalid.
   *
   * @param dflt the value to use when the property is unset or invalid
   * @param min the smallest valid value
   * @param max the largest valid value
   * @return the parsed value if it lies in [min, max], otherwise {@code dflt}
   */
  public int intValue(int dflt, int min, int max) {
    long v = longValue(dflt, min, max);
    return (int) v;
  }

  /**
   * The value as a whole number in [min, max], or {@code dflt} when unset or invalid.
   *
   * @param dflt the value to use when the property is unset or invalid
   * @param min the smallest valid value
   * @param max the largest valid value
   * @return the parsed value if it lies in [min, max], otherwise {@code dflt}
   */
  public long longValue(long dflt, long min, long max) {
    String s = raw();
    if (s == null) {
      return dflt;
    }
    try {
      long v = Long.parseLong(s);
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    LOG.warning("ignoring " + property + "=" + s + ": expected a whole number in [" + min + ", " + max
        + "]; using " + dflt);
    return dflt;
  }

  /**
   * The value as {@code true} or {@code false} (any case), or {@code dflt} when unset or invalid.
   *
   * @param dflt the value to use when the property is unset or invalid
   * @return the parsed value, or {@code dflt} if the property is unset or neither true nor false
   */
  public boolean booleanValue(boolean dflt) {
    String s = raw();
    if (s == null) {
      return dflt;
    }
    String l = s.toLowerCase(Locale.ROOT);
    if (l.equals("true") || l.equals("false")) {
      return l.equals("true");
    }
    LOG.warning("ignoring " + property + "=" + s + ": expected true or false; using " + dflt);
    return dflt;
  }

  /**
   * The value if it is one of {@code choices} (any case, returned lower case), else {@code dflt}.
   *
   * @param dflt the value to use when the property is unset or not a valid choice
   * @param choices the accepted values, in lower case
   * @return the matching choice in lower case, or {@code dflt}
   */
  public String choice(String dflt, String... choices) {
    String s = raw();
    if (s == null) {
      return dflt;
    }
    String l = s.toLowerCase(Locale.ROOT);
    for (String c : choices) {
      if (c.equals(l)) {
        return c;
      }
    }
    LOG.warning("ignoring " + property + "=" + s + ": expected one of " + String.join(", ", choices)
        + "; using " + dflt);
    return dflt;
  }
}
