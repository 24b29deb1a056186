package dev.cellgraph.core.kernel;

import dev.cellgraph.core.Setting;
import java.util.Arrays;

/**
 * The shape of the Vector API GEMM ({@code FloatGemm}, {@code DoubleGemm}) for one element type:
 * register tile and cache blocking, derived from the machine rather than fixed for one CPU, plus
 * the thresholds that choose between its paths. Dtype-independent: the generated drivers copy
 * these numbers into {@code static final} fields, which the JIT folds like literals.
 *
 * <p>Derivation, from the vector width {@code V} bytes, the element size {@code E} bytes, the
 * vector register count and the per-core cache sizes ({@link CpuCaches}):
 * <ul>
 *   <li>{@code NR = 2 V / E}: the tile is two vectors wide.
 *   <li>{@code MR}: the tallest tile whose {@code 2 MR} accumulators, two B vectors and one
 *       broadcast fit in the registers: with 32 (AVX-512, or any ARM64), 12 rows in float32 and
 *       14 in float64 (each measured fastest on AVX-512; float64's 14-row kernel runs two depths
 *       per iteration); with 16 (AVX2, SSE), 6 rows. Edge slivers are 12, 8, 4 (or 4) rows.
 *   <li>{@code KC}: the largest power of two, at most 256, for which one packed B panel
 *       ({@code KC x NR}) fits in L1; the 256 ceiling is the depth measured best on AVX-512.
 *   <li>{@code KC_WIDE = max(KC, 1024)}: the depth per block of large products, so that each C
 *       tile is loaded and stored once per 1024 depths (measured 7-19 percent faster than 256 on
 *       1024^3); it is a bound on C traffic, not a cache size.
 *   <li>{@code NC = L2 / (KC E)} and {@code NC_WIDE = L2 / (KC_WIDE E)}, rounded down to NR: the
 *       packed block of B fills L2 (1 MB blocks measured best on a 1 MB L2).
 *   <li>{@code MC = L2 / KC_WIDE} rows, rounded up to MR: in this loop order only an MR-row
 *       sliver of A is cache-resident (L1), so MC bounds the packed-A buffer and keeps a product
 *       of up to L2 / KC_WIDE rows (1024 with a 1 MB L2) one block.
 *   <li>{@code PARALLEL_MIN = 2^21 / E} multiply-adds: smaller products stay on one thread.
 * </ul>
 * The system properties {@code cellgraph.gemm.kc}, {@code .mc}, {@code .nc}, {@code .kcwide} and
 * {@code .ncwide} override the derived sizes, for measurements.
 */
final class GemmBlocking {
  /** Reading B in place instead of packing it pays off for products with at most this many rows. */
  static final int DIRECT_B_MAX_ROWS = 48;
  /** Blocks of A with at most this many rows run through each B panel in turn (B's panels outer). */
  static final int PANEL_OUTER_MAX_ROWS = Setting.GEMM_PANEL_OUTER.intValue(64, 0, 1 << 20);
  /** Split products with at least this many rows share one packed A (see {@code sharedA}). */
  static final int SHARED_A_MIN_ROWS = 96;
  /**
   * A product with fewer rows than that and a packed B (a recurrent weight, in the loop of a
   * scan) is split by rows, in multiples of 4: each thread reads only its rows of A and writes
   * only its rows of C, and the fused gate arithmetic that follows splits its rows at the same
   * place (for batches of a multiple of 8), so the hidden state of each half of the batch stays in
   * one core's cache from step to step. By columns, every step moved all of h to the other core
   * and half of C back. Measured with both settings interleaved step by step in one JVM: medium
   * RNN 0.0119 -> 0.0111 s, medium LSTM 0.0484 -> 0.0464, large LSTM 0.488 -> 0.448 (medians).
   * Property {@code cellgraph.gemm.fewrowsbycolumns} restores the column split.
   */
  static final boolean FEW_ROWS_BY_ROWS = !Setting.GEMM_FEW_ROWS_BY_COLUMNS.booleanValue(false);
  /**
   * One row of A times a packed B (a streaming step's products) runs a loop of its own rather than
   * the register tiles, whose other rows would be padding: the medium LSTM's two products of one
   * row, 1 x 128 x 1024 and 1 x 256 x 1024, took 2.7-3.4 and 8.0-8.8 µs instead of 5.6-5.8 and
   * 11.8-11.9 (tools/bench/OneRowGemm.java, float32, AVX-512, runs alternated). Property
   * {@code cellgraph.gemm.onerowtiles} sends them through the tiles again.
   */
  static final boolean ONE_ROW_LOOP = !Setting.GEMM_ONE_ROW_TILES.booleanValue(false);
  /** Column chunks per thread in a split product: enough for a fast core to take over a slow one's. */
  static final int CHUNKS_PER_PART = 4;
  static final boolean DIRECT_B = !Setting.GEMM_PACK_B.booleanValue(false);
  /**
   * Products with at most this many rows (a multiple of 4, A not transposed) read A in place: the
   * loop's products (16 x 64 x 256 in the small LSTM) spent a third as long packing A as
   * multiplying. Property {@code cellgraph.gemm.packa} packs it anyway.
   */
  static final int IN_PLACE_A_MAX_ROWS = 48;
  static final boolean IN_PLACE_A = !Setting.GEMM_PACK_A.booleanValue(false);

  final String dtype;
  final int vectorBits;
  final int registers;
  final int elementBytes;
  final CpuCaches caches;
  /** Width of a packed B panel and of the register tile: two vectors. */
  final int nr;
  /** Height of the largest register tile. */
  final int mr;
  /** Heights of packed slivers of A, tallest first (the first is {@link #mr}). */
  private final int[] heights;
  /** Heights of slivers of A read in place, tallest first, ending in 4. */
  private final int[] inPlaceHeights;
  final int kc;
  final int kcWide;
  final int mc;
  final int nc;
  final int ncWide;
  final long parallelMin;
  /** One-row products split their columns over threads from 256 KB of B on. */
  final long gemvParallelMin;

  private GemmBlocking(String dtype, int vectorBits, int registers, int elementBytes, CpuCaches caches,
      int[] heights, int[] inPlaceHeights, int kc, int kcWide, int mc, int nc, int ncWide) {
    this.dtype = dtype;
    this.vectorBits = vectorBits;
    this.registers = registers;
    this.elementBytes = elementBytes;
    this.caches = caches;
    this.nr = 2 * vectorBits / 8 / elementBytes;
    this.heights = heights;
    this.inPlaceHeights = inPlaceHeights;
    this.mr = heights[0];
    this.kc = kc;
    this.kcWide = kcWide;
    this.mc = mc;
    this.nc = nc;
    this.ncWide = ncWide;
    this.parallelMin = (1L << 21) / elementBytes;
    this.gemvParallelMin = (1L << 18) / elementBytes;
  }

  /** The blocking of this machine for float32 (4-byte) or float64 (8-byte) elements. */
  static GemmBlocking forMachine(int elementBytes, int vectorBits, int registers) {
    GemmBlocking d = derive(elementBytes, vectorBits, registers, CpuCaches.SYSTEM,
        elementBytes == 8 && Setting.GEMM_MR12.booleanValue(true));
    int kc = Setting.GEMM_KC.intValue(d.kc, 1, 1 << 16);
    int kcWide = Math.max(kc, Setting.GEMM_KC_WIDE.intValue(d.kcWide, 1, 1 << 16));
    return new GemmBlocking(d.dtype, vectorBits, registers, elementBytes, d.caches, d.heights, d.inPlaceHeights,
        kc, kcWide,
        Math.max(d.mr, Setting.GEMM_MC.intValue(d.mc, 1, 1 << 20) / d.mr * d.mr),
        Math.max(d.nr, Setting.GEMM_NC.intValue(d.nc, 1, 1 << 20) / d.nr * d.nr),
        Math.max(d.nr, Setting.GEMM_NC_WIDE.intValue(d.ncWide, 1, 1 << 20) / d.nr * d.nr));
  }

  /**
   * The blocking for the given machine, by the formulas of the class comment. {@code mr12} keeps
   * float64 at 12 rows (for comparison with float32's tile).
   */
  static GemmBlocking derive(int elementBytes, int vectorBits, int registers, CpuCaches caches, boolean mr12) {
    if (elementBytes != 4 && elementBytes != 8) {
      throw new IllegalArgumentException("element size (" + elementBytes + ") must be 4 or 8 bytes");
    }
    if (vectorBits != 128 && vectorBits != 256 && vectorBits != 512) {
      throw new IllegalArgumentException("vector width (" + vectorBits + ") must be 128, 256 or 512 bits");
    }
    int[] heights;
    int[] inPlace;
    if (registers >= 32) {
      heights = elementBytes == 8 && !mr12 ? new int[] {14, 12, 8, 4} : new int[] {12, 8, 4};
      inPlace = new int[] {12, 8, 4};
    } else {
      heights = new int[] {6, 4};
      inPlace = new int[] {4};
    }
    int mr = heights[0];
    int nr = 2 * vectorBits / 8 / elementBytes;
    int kc = Math.min(256, Integer.highestOneBit(Math.max(64, caches.l1d / (nr * elementBytes))));
    int kcWide = Math.max(kc, 1024);
    int nc = Math.max(nr, caches.l2 / (kc * elementBytes) / nr * nr);
    int ncWide = Math.max(nr, caches.l2 / (kcWide * elementBytes) / nr * nr);
    int mc = Math.max(mr, (caches.l2 / kcWide + mr - 1) / mr * mr);
    return new GemmBlocking(elementBytes == 4 ? "float32" : "float64", vectorBits, registers, elementBytes, caches,
        heights, inPlace, kc, kcWide, mc, nc, ncWide);
  }

  /** Elements in one depth row of a packed B's panels: n rounded up to whole panels. */
  int panelStride(int n) {
    return (n + nr - 1) / nr * nr;
  }

  /** Rows per packed block of A: at most MC, evenly split, a multiple of MR. */
  int blockRows(int rows) {
    int blocks = (rows + mc - 1) / mc;
    int per = (rows + blocks - 1) / blocks;
    return (per + mr - 1) / mr * mr;
  }

  /** Depth per block up to {@link #kcWide}, evenly split. */
  int depthStep(int k) {
    int blocks = (k + kcWide - 1) / kcWide;
    return (k + blocks - 1) / blocks;
  }

  /**
   * The height of the next packed sliver: MR while at least MR rows are left, else the lowest
   * height that covers them (12 rows and more than 8 left gives 12, then 8 or 4): padding stays
   * below 4 rows.
   */
  int sliverHeight(int rowsLeft) {
    if (rowsLeft >= mr) {
      return mr;
    }
    int h = mr;
    for (int c : heights) {
      if (c >= rowsLeft) {
        h = c;
      }
    }
    return h;
  }

  /** Slivers of A read in place: the tallest in-place height that fits, never padded (rows are a multiple of 4). */
  int inPlaceHeight(int rowsLeft) {
    for (int c : inPlaceHeights) {
      if (c <= rowsLeft) {
        return c;
      }
    }
    return 4;
  }

  /** One line, e.g. for {@code --verbose}: the inputs and every derived size. */
  String describe() {
    return dtype + " GEMM: " + vectorBits + "-bit vectors, " + registers + " registers, " + caches
        + "; tile " + mr + " x " + nr + " (slivers " + Arrays.toString(heights) + ", in place "
        + Arrays.toString(inPlaceHeights) + "), KC " + kc + ", KC_WIDE " + kcWide + ", MC " + mc
        + ", NC " + nc + ", NC_WIDE " + ncWide + ", parallel from " + parallelMin + " multiply-adds (one row: from "
        + gemvParallelMin + ")";
  }

  @Override
  public String toString() {
    return describe();
  }
}
