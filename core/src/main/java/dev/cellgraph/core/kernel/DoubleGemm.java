package dev.cellgraph.core.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Double-precision GEMM with the Vector API, in the structure of BLIS and OpenBLAS: B is packed
 * into panels {@code NR} columns wide that stay in L1 while the micro-kernel sweeps down a packed
 * block of A (in L2), and the micro-kernel keeps a 14 x 2-vector tile of C in registers
 * (28 of the 32 AVX-512 registers) so that each loaded B vector feeds 14 FMAs.
 *
 * <p>Edges: A is packed in slivers of 14, 12, 8 or 4 rows (so that batch sizes like 16 or 64 waste
 * no work), padded with zero rows; a partial column panel is computed in a scratch tile loaded
 * from C and copied back. Every element of C is one chain of multiply-adds over the depths in
 * order, so the blocking and the thread count never change the result. Large products are split over threads by columns (or by rows when C is tall); each
 * thread packs its own operands, since each core has its own L2.
 *
 * <p>This is {@link FloatGemm} for float64, line for line but for the tile: 14 rows, two depths
 * per iteration ({@link #kernel14}), where float32 keeps 12. (Property
 * {@code cellgraph.gemm.mr12} restores 12 rows, for comparison.)
 */
final class DoubleGemm {
  private DoubleGemm() {}

  private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  /** Width of a packed B panel and of the register tile: two vectors. */
  static final int NR = 2 * L;
  /** Height of the largest register tile: 14, or 12 with {@code cellgraph.gemm.mr12}. */
  static final int MR = Boolean.getBoolean("cellgraph.gemm.mr12") ? 12 : 14;
  /** Depth of a packed block: a 12 x KC sliver of A (24 KB) stays in the 48 KB L1 while B panels stream from L2. */
  static final int KC = Integer.getInteger("cellgraph.gemm.kc", 256);
  /** Rows of A packed at once (a multiple of MR): the MC x KC block is reused for every block of B. */
  static final int MC = Integer.getInteger("cellgraph.gemm.mc", 1032) / MR * MR;
  /** Columns of B packed at once (a multiple of NR): the KC x NC block (1 MB) stays in the 2 MB L2. */
  static final int NC = Integer.getInteger("cellgraph.gemm.nc", 512) / NR * NR;
  /**
   * Depth of a packed block in products with more than {@link #PANEL_OUTER_MAX_ROWS} rows and B not
   * packed in advance: the whole depth up to 1024, so that each tile of C is loaded and stored once
   * per 1024 depths rather than once per 256 (C rarely fits in L2: a 1024 x 1024 float C is 4 MB).
   * Measured on 1024^3 on one thread, both settings interleaved product by product in one JVM:
   * 7-19 percent faster in float32 and 9-12 percent in float64 than depth 256.
   */
  static final int KC_WIDE = Math.max(KC, Integer.getInteger("cellgraph.gemm.kcwide", 1024));
  /** Columns of B packed at once with depth {@link #KC_WIDE}: the KC_WIDE x NC_WIDE block is 1 MB. */
  static final int NC_WIDE = Math.max(NR, Integer.getInteger("cellgraph.gemm.ncwide", 128) / NR * NR);
  /** Products with fewer multiply-adds than this run on the calling thread only (see FloatGemm). */
  static final long PARALLEL_MIN = Long.getLong("cellgraph.gemm.parallelmin", 1L << 18);
  /** Reading B in place instead of packing it pays off for products with at most this many rows. */
  static final int DIRECT_B_MAX_ROWS = 48;
  /** Blocks of A with at most this many rows run through each B panel in turn (B's panels outer). */
  static final int PANEL_OUTER_MAX_ROWS = Integer.getInteger("cellgraph.gemm.panelouter", 64);
  /** Split products with at least this many rows share one packed A (see sharedA). */
  static final int SHARED_A_MIN_ROWS = 96;
  /**
   * A product with fewer rows than that and a packed B (a recurrent weight, in the loop of a
   * scan) is split by rows, in multiples of 4: each thread reads only its rows of A and writes
   * only its rows of C, and the fused gate arithmetic that follows splits its rows at the same
   * place (for batches of a multiple of 8), so the hidden state of each half of the batch stays in
   * one core's cache from step to step. By columns, every step moved all of h to the other core
   * and half of C back. Measured with both
   * settings interleaved step by step in one JVM: medium RNN 0.0119 -> 0.0111 s, medium LSTM
   * 0.0484 -> 0.0464, large LSTM 0.488 -> 0.448 (medians). Property
   * {@code cellgraph.gemm.fewrowsbycolumns} restores the column split.
   */
  static final boolean FEW_ROWS_BY_ROWS = !Boolean.getBoolean("cellgraph.gemm.fewrowsbycolumns");
  /** Column chunks per thread in a split product: enough for a fast core to take over a slow one's. */
  static final int CHUNKS_PER_PART = 4;
  static final boolean DIRECT_B = !Boolean.getBoolean("cellgraph.gemm.packb");
  /** As in {@link FloatGemm}: products with at most this many rows read A in place. */
  static final int IN_PLACE_A_MAX_ROWS = 48;
  static final boolean IN_PLACE_A = !Boolean.getBoolean("cellgraph.gemm.packa");

  private static final class Buffers {
    /** A packed block of A: sized for depth KC, grown on first use of a deeper block. */
    private double[] a = new double[(MC + MR) * KC];

    double[] a(int size) {
      if (a.length < size) {
        a = new double[Math.max(size, (MC + MR) * KC_WIDE)];
      }
      return a;
    }
    /** Packed blocks of B, aligned from {@link #bBase} ({@link AlignedArrays}). */
    final double[] b = AlignedArrays.doubles(Math.max(KC * NC, KC_WIDE * NC_WIDE), Integer.MAX_VALUE);
    final int bBase = AlignedArrays.offset(b);
    final double[] tile = new double[MR * NR];
    /** A block packed by several threads together (owned by the thread that splits the product). */
    private double[] shared;

    /** Allocated on first use: only a thread that splits a product needs it, never a helper. */
    double[] shared() {
      if (shared == null) {
        shared = new double[(MC + MR) * KC_WIDE];
      }
      return shared;
    }
  }

  private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

  static void gemm(boolean transA, boolean transB, int m, int n, int k,
      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
      double[] c, int cOff, int ldc, boolean accumulate, int threads) {
    gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, null, c, cOff, ldc, accumulate, threads);
  }

  /**
   * Packs op(B) (k x n) once into the panels the micro-kernel reads: depth blocks of KC, each a
   * row of zero-padded panels NR columns wide, for products that multiply by the same B many times
   * (the recurrent weights of a scan). The panels start at {@link AlignedArrays#offset}: large
   * enough packed matrices are 64-byte aligned.
   */
  static double[] pack(boolean transB, double[] b, int bOff, int ldb, int k, int n) {
    int stride = panelStride(n);
    double[] dst = AlignedArrays.doubles(k * stride, 2);
    int base = AlignedArrays.offset(dst);
    for (int pc = 0; pc < k; pc += KC) {
      packB(transB, b, bOff, ldb, pc, Math.min(KC, k - pc), 0, n, dst, base + pc * stride);
    }
    return dst;
  }

  /** C = (accumulate ? C : 0) + op(A) B, with B packed by {@link #pack}. */
  static void gemmPacked(boolean transA, int m, int n, int k, double[] a, int aOff, int lda,
      double[] packedB, double[] c, int cOff, int ldc, boolean accumulate, int threads) {
    gemm(transA, false, m, n, k, a, aOff, lda, null, 0, 0, packedB, c, cOff, ldc, accumulate, threads);
  }

  /** With {@code packedB} non-null, B is read from it ({@link #pack}) instead of {@code b}. */
  private static void gemm(boolean transA, boolean transB, int m, int n, int k,
      double[] a, int aOff, int lda, double[] b, int bOff, int ldb, double[] packedB,
      double[] c, int cOff, int ldc, boolean accumulate, int threads) {
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0) {
      if (!accumulate) {
        for (int i = 0; i < m; i++) {
          java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0.0);
        }
      }
      return;
    }
    int stride = panelStride(n); // of packedB
    int parts = 1;
    boolean fewRowsByRows = FEW_ROWS_BY_ROWS && m < SHARED_A_MIN_ROWS && packedB != null;
    boolean byColumns = n >= m && !fewRowsByRows;
    int rowUnit = fewRowsByRows ? 4 : MR;
    if (threads > 1 && (long) m * n * k >= PARALLEL_MIN) {
      // at least two register tiles of columns (or rows) per part
      parts = Math.max(1, Math.min(threads, byColumns ? n / (2 * NR) : m / (2 * rowUnit)));
    }
    if (parts == 1) {
      block(transA, transB, k, a, aOff, lda, b, bOff, ldb, packedB, stride, c, cOff, ldc, accumulate, 0, m, 0, n);
    } else if (byColumns && m >= SHARED_A_MIN_ROWS) {
      sharedA(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, packedB, c, cOff, ldc, accumulate, parts, stride);
    } else if (byColumns) {
      // few rows: each thread packs A for itself, which keeps its reads of A local
      int p = parts;
      Parallel.forEach(parts, i -> block(transA, transB, k, a, aOff, lda, b, bOff, ldb, packedB, stride, c, cOff, ldc,
          accumulate, 0, m, Parallel.split(n, NR, p, i), Parallel.split(n, NR, p, i + 1)));
    } else {
      int p = parts;
      Parallel.forEach(parts, i -> block(transA, transB, k, a, aOff, lda, b, bOff, ldb, packedB, stride, c, cOff, ldc,
          accumulate, Parallel.split(m, rowUnit, p, i), Parallel.split(m, rowUnit, p, i + 1), 0, n));
    }
  }

  /**
   * Columns split over {@code parts} threads that share one packed block of A: the threads pack
   * disjoint slivers of it, then multiply it by chunks of the columns of B, each thread its own
   * share first ({@link Parallel#forEachChunk}). (Each thread packing all of A for itself costs a
   * tenth of a 1024^3 product.)
   */
  private static void sharedA(boolean transA, boolean transB, int m, int n, int k,
      double[] a, int aOff, int lda, double[] b, int bOff, int ldb, double[] packedB,
      double[] c, int cOff, int ldc, boolean accumulate, int parts, int stride) {
    double[] packed = BUFFERS.get().shared();
    int step = blockRows(m);
    int panels = (n + NR - 1) / NR;
    int chunks = Math.min(panels, parts * CHUNKS_PER_PART);
    int depth = packedB == null ? depthStep(k) : KC;
    int ncBlock = packedB == null ? NC_WIDE : NC;
    for (int ic = 0; ic < m; ic += step) {
      int mc = Math.min(step, m - ic);
      int i0 = ic;
      for (int pc = 0; pc < k; pc += depth) {
        int kc = Math.min(depth, k - pc);
        int p0 = pc;
        boolean add = accumulate || pc > 0;
        // sliver boundaries at multiples of MR rows: every sliver before a boundary is MR high, so
        // each part's slivers land where packing the whole block would put them
        Parallel.forEach(parts, i -> {
          int r0 = Parallel.split(mc, MR, parts, i);
          int r1 = Parallel.split(mc, MR, parts, i + 1);
          packA(transA, a, aOff, lda, i0 + r0, r1 - r0, p0, kc, packed, r0 * kc);
        });
        Parallel.forEachChunk(parts, chunks, ch -> macro(packed, 0, 0, mc, kc, add, transB, b, bOff, ldb, packedB,
            stride, p0, c, cOff + i0 * ldc, ldc, Parallel.split(n, NR, chunks, ch), Parallel.split(n, NR, chunks, ch + 1),
            ncBlock, false, BUFFERS.get()));
      }
    }
  }

  /** Rows [i0, i1) and columns [j0, j1) of C, on the calling thread. */
  private static void block(boolean transA, boolean transB, int k,
      double[] a, int aOff, int lda, double[] b, int bOff, int ldb, double[] packedB, int packedStride,
      double[] c, int cOff, int ldc, boolean accumulate, int i0, int i1, int j0, int j1) {
    Buffers buf = BUFFERS.get();
    // With few rows each B element feeds few multiply-adds, so copying B costs more than it
    // saves: the micro-kernel reads row-major B in place.
    boolean direct = DIRECT_B && packedB == null && !transB && i1 - i0 <= DIRECT_B_MAX_ROWS;
    // Likewise for A when it serves at most two panels of B: the kernels read its rows in place,
    // in slivers of exactly 12, 8 or 4 rows. (Over more panels, packing pays for itself.)
    boolean inPlaceA = IN_PLACE_A && !transA && i1 - i0 <= Math.min(IN_PLACE_A_MAX_ROWS, PANEL_OUTER_MAX_ROWS)
        && (i1 - i0) % 4 == 0 && j1 - j0 <= 2 * NR;
    int step = blockRows(i1 - i0);
    boolean wide = packedB == null && i1 - i0 > PANEL_OUTER_MAX_ROWS;
    int depth = wide ? depthStep(k) : KC;
    int ncBlock = wide ? NC_WIDE : NC;
    for (int ic = i0; ic < i1; ic += step) {
      int mc = Math.min(step, i1 - ic);
      for (int pc = 0; pc < k; pc += depth) {
        int kc = Math.min(depth, k - pc);
        if (inPlaceA) {
          macro(a, aOff + ic * lda + pc, lda, mc, kc, accumulate || pc > 0, transB, b, bOff, ldb, packedB,
              packedStride, pc, c, cOff + ic * ldc, ldc, j0, j1, ncBlock, direct, buf);
        } else {
          double[] packed = buf.a((mc + MR) * kc);
          packA(transA, a, aOff, lda, ic, mc, pc, kc, packed, 0);
          macro(packed, 0, 0, mc, kc, accumulate || pc > 0, transB, b, bOff, ldb, packedB, packedStride, pc,
              c, cOff + ic * ldc, ldc, j0, j1, ncBlock, direct, buf);
        }
      }
    }
  }

  /**
   * Adds (or stores) the product of an mc x kc block of A and depths [pc, pc + kc), columns
   * [j0, j1) of op(B) into the mc rows of C starting at {@code cOff}. A is packed from
   * {@code aOff} with {@code aStride} 0, or read in place, its rows {@code aStride} apart (then
   * at most {@link #PANEL_OUTER_MAX_ROWS} rows, a multiple of 4).
   */
  private static void macro(double[] packedA, int aOff, int aStride, int mc, int kc, boolean add,
      boolean transB, double[] b, int bOff, int ldb, double[] packedB, int packedStride, int pc,
      double[] c, int cOff, int ldc, int j0, int j1, int ncBlock, boolean direct, Buffers buf) {
    for (int jc = j0; jc < j1; jc += ncBlock) {
      int nc = Math.min(ncBlock, j1 - jc);
      int fullPanels = direct ? nc / NR : 0;
      double[] blockB = buf.b;
      int blockOff = buf.bBase;
      if (packedB != null) {
        blockB = packedB;
        blockOff = AlignedArrays.offset(packedB) + pc * packedStride + jc * kc;
      } else {
        packB(transB, b, bOff, ldb, pc, kc, jc + fullPanels * NR, nc - fullPanels * NR, buf.b, blockOff);
      }
      if (direct || mc <= PANEL_OUTER_MAX_ROWS) {
        // few rows: each panel of B goes to L1 once and serves every sliver of A
        for (int jr = 0; jr < nc; jr += NR) {
          int panel = jr / NR;
          double[] bArr = panel < fullPanels ? b : blockB;
          int bIdx = panel < fullPanels ? bOff + pc * ldb + jc + jr : blockOff + (panel - fullPanels) * kc * NR;
          int bs = panel < fullPanels ? ldb : NR;
          for (int ir = 0, ai = aOff; ir < mc; ) {
            int h = aStride == 0 ? sliverHeight(mc - ir) : inPlaceHeight(mc - ir);
            tile(h, Math.min(h, mc - ir), Math.min(NR, nc - jr), kc, add, packedA, ai, aStride, bArr, bIdx, bs,
                c, cOff + ir * ldc + jc + jr, ldc, buf);
            ai += aStride == 0 ? h * kc : h * aStride;
            ir += h;
          }
        }
      } else {
        // The MR x KC sliver of A stays in L1 while the micro-kernel walks along a row of C
        // tiles, streaming the panels of the packed B block from L2 (BLIS's loop order).
        for (int ir = 0, ai = 0; ir < mc; ) {
          int h = sliverHeight(mc - ir);
          int rows = Math.min(h, mc - ir);
          for (int jr = 0; jr < nc; jr += NR) {
            tile(h, rows, Math.min(NR, nc - jr), kc, add, packedA, ai, 0, blockB, blockOff + jr * kc, NR,
                c, cOff + ir * ldc + jc + jr, ldc, buf);
          }
          ai += h * kc;
          ir += h;
        }
      }
    }
  }

  /**
   * One tile of C: full tiles are computed in place, accumulating ones by separate kernels that
   * start from C (one kernel with both paths outgrows C2's inlining budget and boxes), and edge
   * tiles through a scratch tile that starts from C too. So every element of C is one chain of
   * multiply-adds over the depths in order, whatever the blocking: products give the same bits
   * split over any number of threads, with B packed in advance or not, at any depth per block.
   */
  private static void tile(int h, int rows, int cols, int kc, boolean add, double[] a, int ai, int aStride,
      double[] b, int bi, int bs, double[] c, int ci, int ldc, Buffers buf) {
    if (rows == h && cols == NR) {
      if (add) {
        kernelAcc(h, kc, a, ai, aStride, b, bi, bs, c, ci, ldc);
      } else {
        kernel(h, kc, a, ai, aStride, b, bi, bs, c, ci, ldc);
      }
    } else {
      double[] t = buf.tile;
      if (add) {
        for (int r = 0; r < rows; r++) {
          System.arraycopy(c, ci + r * ldc, t, r * NR, cols);
        }
        kernelAcc(h, kc, a, ai, aStride, b, bi, bs, t, 0, NR);
      } else {
        kernel(h, kc, a, ai, aStride, b, bi, bs, t, 0, NR);
      }
      for (int r = 0; r < rows; r++) {
        System.arraycopy(t, r * NR, c, ci + r * ldc, cols);
      }
    }
  }

  /** Elements in one depth row of a packed B's panels: n rounded up to whole panels. */
  private static int panelStride(int n) {
    return (n + NR - 1) / NR * NR;
  }

  /** Rows per packed block of A: at most MC, evenly split, a multiple of MR. */
  private static int blockRows(int rows) {
    int blocks = (rows + MC - 1) / MC;
    int per = (rows + blocks - 1) / blocks;
    return (per + MR - 1) / MR * MR;
  }

  /** Depth per block up to {@link #KC_WIDE}, evenly split. */
  private static int depthStep(int k) {
    int blocks = (k + KC_WIDE - 1) / KC_WIDE;
    return (k + blocks - 1) / blocks;
  }

  /** Slivers of A read in place: 12, 8 or 4 rows, never padded (the rows are a multiple of 4). */
  private static int inPlaceHeight(int rowsLeft) {
    return rowsLeft >= 12 ? 12 : rowsLeft >= 8 ? 8 : 4;
  }

  /** {@link #MR} rows while there are more than 12 left, then 12, 8 or 4: padding stays below 4 rows. */
  private static int sliverHeight(int rowsLeft) {
    return rowsLeft > 12 ? MR : rowsLeft > 8 ? 12 : rowsLeft > 4 ? 8 : 4;
  }

  private static void kernel(int h, int kc, double[] a, int ai, int aStride, double[] b, int bi, int bs,
      double[] c, int ci, int ldc) {
    if (aStride > 0) {
      if (h == 12) {
        kernel12Direct(kc, a, ai, aStride, b, bi, bs, c, ci, ldc);
      } else if (h == 8) {
        kernel8Direct(kc, a, ai, aStride, b, bi, bs, c, ci, ldc);
      } else {
        kernel4Direct(kc, a, ai, aStride, b, bi, bs, c, ci, ldc);
      }
    } else if (h == 14) {
      kernel14(kc, a, ai, b, bi, bs, c, ci, ldc);
    } else if (h == 12) {
      kernel12(kc, a, ai, b, bi, bs, c, ci, ldc);
    } else if (h == 8) {
      kernel8(kc, a, ai, b, bi, bs, c, ci, ldc);
    } else {
      kernel4(kc, a, ai, b, bi, bs, c, ci, ldc);
    }
  }

  /** {@link #kernel} that adds to C: separate straight-line kernels, so each stays intrinsified. */
  private static void kernelAcc(int h, int kc, double[] a, int ai, int aStride, double[] b, int bi, int bs,
      double[] c, int ci, int ldc) {
    if (aStride > 0) {
      if (h == 12) {
        kernel12AccDirect(kc, a, ai, aStride, b, bi, bs, c, ci, ldc);
      } else if (h == 8) {
        kernel8AccDirect(kc, a, ai, aStride, b, bi, bs, c, ci, ldc);
      } else {
        kernel4AccDirect(kc, a, ai, aStride, b, bi, bs, c, ci, ldc);
      }
    } else if (h == 14) {
      kernel14Acc(kc, a, ai, b, bi, bs, c, ci, ldc);
    } else if (h == 12) {
      kernel12Acc(kc, a, ai, b, bi, bs, c, ci, ldc);
    } else if (h == 8) {
      kernel8Acc(kc, a, ai, b, bi, bs, c, ci, ldc);
    } else {
      kernel4Acc(kc, a, ai, b, bi, bs, c, ci, ldc);
    }
  }

  /**
   * Packs rows [ic, ic + mc) and depths [pc, pc + kc) of op(A) into slivers of 14, 12, 8 or 4 rows,
   * each stored depth-major (the rows of one depth adjacent), padded with zero rows.
   */
  private static void packA(boolean transA, double[] a, int aOff, int lda, int ic, int mc, int pc, int kc,
      double[] dst, int dstOff) {
    int s = dstOff;
    for (int ir = 0; ir < mc; ) {
      int h = sliverHeight(mc - ir);
      int rows = Math.min(h, mc - ir);
      if (transA) {
        for (int p = 0; p < kc; p++) {
          int d = s + p * h;
          System.arraycopy(a, aOff + (pc + p) * lda + ic + ir, dst, d, rows);
          for (int r = rows; r < h; r++) {
            dst[d + r] = 0.0;
          }
        }
      } else {
        // depth by depth, the rows of a full sliver written out: sequential stores, and a load
        // from each of h rows (1.5x faster than row by row with stores h apart)
        int q = aOff + (ic + ir) * lda + pc;
        if (rows == 14) {
          for (int p = 0; p < kc; p++, q++) {
            int d = s + p * 14;
            dst[d] = a[q]; dst[d + 1] = a[q + lda]; dst[d + 2] = a[q + 2 * lda]; dst[d + 3] = a[q + 3 * lda];
            dst[d + 4] = a[q + 4 * lda]; dst[d + 5] = a[q + 5 * lda]; dst[d + 6] = a[q + 6 * lda];
            dst[d + 7] = a[q + 7 * lda]; dst[d + 8] = a[q + 8 * lda]; dst[d + 9] = a[q + 9 * lda];
            dst[d + 10] = a[q + 10 * lda]; dst[d + 11] = a[q + 11 * lda]; dst[d + 12] = a[q + 12 * lda];
            dst[d + 13] = a[q + 13 * lda];
          }
        } else if (rows == 12) {
          for (int p = 0; p < kc; p++, q++) {
            int d = s + p * 12;
            dst[d] = a[q]; dst[d + 1] = a[q + lda]; dst[d + 2] = a[q + 2 * lda]; dst[d + 3] = a[q + 3 * lda];
            dst[d + 4] = a[q + 4 * lda]; dst[d + 5] = a[q + 5 * lda]; dst[d + 6] = a[q + 6 * lda];
            dst[d + 7] = a[q + 7 * lda]; dst[d + 8] = a[q + 8 * lda]; dst[d + 9] = a[q + 9 * lda];
            dst[d + 10] = a[q + 10 * lda]; dst[d + 11] = a[q + 11 * lda];
          }
        } else if (rows == 8) {
          for (int p = 0; p < kc; p++, q++) {
            int d = s + p * 8;
            dst[d] = a[q]; dst[d + 1] = a[q + lda]; dst[d + 2] = a[q + 2 * lda]; dst[d + 3] = a[q + 3 * lda];
            dst[d + 4] = a[q + 4 * lda]; dst[d + 5] = a[q + 5 * lda]; dst[d + 6] = a[q + 6 * lda];
            dst[d + 7] = a[q + 7 * lda];
          }
        } else if (rows == 4) {
          for (int p = 0; p < kc; p++, q++) {
            int d = s + p * 4;
            dst[d] = a[q]; dst[d + 1] = a[q + lda]; dst[d + 2] = a[q + 2 * lda]; dst[d + 3] = a[q + 3 * lda];
          }
        } else {
          for (int p = 0; p < kc; p++, q++) {
            int d = s + p * h;
            for (int r = 0; r < rows; r++) {
              dst[d + r] = a[q + r * lda];
            }
            for (int r = rows; r < h; r++) {
              dst[d + r] = 0.0;
            }
          }
        }
      }
      s += h * kc;
      ir += h;
    }
  }

  /**
   * Packs depths [pc, pc + kc) and columns [jc, jc + nc) of op(B) into panels NR columns wide,
   * each stored depth-major, the last one padded with zero columns.
   */
  private static void packB(boolean transB, double[] b, int bOff, int ldb, int pc, int kc, int jc, int nc,
      double[] dst, int dstOff) {
    for (int jr = 0, base = dstOff; jr < nc; jr += NR, base += kc * NR) {
      int cols = Math.min(NR, nc - jr);
      if (transB) {
        for (int j = 0; j < cols; j++) {
          int src = bOff + (jc + jr + j) * ldb + pc;
          for (int p = 0; p < kc; p++) {
            dst[base + p * NR + j] = b[src + p];
          }
        }
        for (int j = cols; j < NR; j++) {
          for (int p = 0; p < kc; p++) {
            dst[base + p * NR + j] = 0.0;
          }
        }
      } else if (cols == NR) {
        // two vector copies per depth: cheaper than a System.arraycopy call for 128 bytes
        for (int p = 0; p < kc; p++) {
          int src = bOff + (pc + p) * ldb + jc + jr;
          int d = base + p * NR;
          DoubleVector.fromArray(S, b, src).intoArray(dst, d);
          DoubleVector.fromArray(S, b, src + L).intoArray(dst, d + L);
        }
      } else {
        for (int p = 0; p < kc; p++) {
          int d = base + p * NR;
          System.arraycopy(b, bOff + (pc + p) * ldb + jc + jr, dst, d, cols);
          java.util.Arrays.fill(dst, d + cols, d + NR, 0.0);
        }
      }
    }
  }

  // The micro-kernels are unrolled by hand: the JIT keeps each named vector in a register.

  /**
   * The 14 x 2-vector tile (28 of the 32 registers), two depths per iteration: the loop's index
   * arithmetic and bounds checks, which the JIT leaves in the loop and which compete with the FMAs
   * for ports 0 and 5, are spread over 56 FMAs instead of 24. Kernel alone, B streaming from L2,
   * depth 1024: 1.11-1.25x the 12-row kernel's multiply-adds per second.
   */
  private static void kernel14(int kc, double[] a, int ai, double[] b, int bi, int bs,
      double[] c, int ci, int ldc) {
    DoubleVector c00 = DoubleVector.zero(S); DoubleVector c01 = DoubleVector.zero(S);
    DoubleVector c10 = DoubleVector.zero(S); DoubleVector c11 = DoubleVector.zero(S);
    DoubleVector c20 = DoubleVector.zero(S); DoubleVector c21 = DoubleVector.zero(S);
    DoubleVector c30 = DoubleVector.zero(S); DoubleVector c31 = DoubleVector.zero(S);
    DoubleVector c40 = DoubleVector.zero(S); DoubleVector c41 = DoubleVector.zero(S);
    DoubleVector c50 = DoubleVector.zero(S); DoubleVector c51 = DoubleVector.zero(S);
    DoubleVector c60 = DoubleVector.zero(S); DoubleVector c61 = DoubleVector.zero(S);
    DoubleVector c70 = DoubleVector.zero(S); DoubleVector c71 = DoubleVector.zero(S);
    DoubleVector c80 = DoubleVector.zero(S); DoubleVector c81 = DoubleVector.zero(S);
    DoubleVector c90 = DoubleVector.zero(S); DoubleVector c91 = DoubleVector.zero(S);
    DoubleVector c100 = DoubleVector.zero(S); DoubleVector c101 = DoubleVector.zero(S);
    DoubleVector c110 = DoubleVector.zero(S); DoubleVector c111 = DoubleVector.zero(S);
    DoubleVector c120 = DoubleVector.zero(S); DoubleVector c121 = DoubleVector.zero(S);
    DoubleVector c130 = DoubleVector.zero(S); DoubleVector c131 = DoubleVector.zero(S);
    int ap = ai;
    int bp = bi;
    int p = 0;
    for (; p + 1 < kc; p += 2, ap += 28, bp += 2 * bs) {
      {
        DoubleVector b0 = DoubleVector.fromArray(S, b, bp); DoubleVector b1 = DoubleVector.fromArray(S, b, bp + L);
        DoubleVector a0 = DoubleVector.broadcast(S, a[ap + 0]);
        c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
        DoubleVector a1 = DoubleVector.broadcast(S, a[ap + 1]);
        c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
        DoubleVector a2 = DoubleVector.broadcast(S, a[ap + 2]);
        c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
        DoubleVector a3 = DoubleVector.broadcast(S, a[ap + 3]);
        c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
        DoubleVector a4 = DoubleVector.broadcast(S, a[ap + 4]);
        c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
        DoubleVector a5 = DoubleVector.broadcast(S, a[ap + 5]);
        c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
        DoubleVector a6 = DoubleVector.broadcast(S, a[ap + 6]);
        c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
        DoubleVector a7 = DoubleVector.broadcast(S, a[ap + 7]);
        c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71);
        DoubleVector a8 = DoubleVector.broadcast(S, a[ap + 8]);
        c80 = a8.fma(b0, c80); c81 = a8.fma(b1, c81);
        DoubleVector a9 = DoubleVector.broadcast(S, a[ap + 9]);
        c90 = a9.fma(b0, c90); c91 = a9.fma(b1, c91);
        DoubleVector a10 = DoubleVector.broadcast(S, a[ap + 10]);
        c100 = a10.fma(b0, c100); c101 = a10.fma(b1, c101);
        DoubleVector a11 = DoubleVector.broadcast(S, a[ap + 11]);
        c110 = a11.fma(b0, c110); c111 = a11.fma(b1, c111);
        DoubleVector a12 = DoubleVector.broadcast(S, a[ap + 12]);
        c120 = a12.fma(b0, c120); c121 = a12.fma(b1, c121);
        DoubleVector a13 = DoubleVector.broadcast(S, a[ap + 13]);
        c130 = a13.fma(b0, c130); c131 = a13.fma(b1, c131);
      }
      {
        DoubleVector b0 = DoubleVector.fromArray(S, b, bp + bs); DoubleVector b1 = DoubleVector.fromArray(S, b, bp + bs + L);
        DoubleVector a0 = DoubleVector.broadcast(S, a[ap + 14 + 0]);
        c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
        DoubleVector a1 = DoubleVector.broadcast(S, a[ap + 14 + 1]);
        c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
        DoubleVector a2 = DoubleVector.broadcast(S, a[ap + 14 + 2]);
        c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
        DoubleVector a3 = DoubleVector.broadcast(S, a[ap + 14 + 3]);
        c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
        DoubleVector a4 = DoubleVector.broadcast(S, a[ap + 14 + 4]);
        c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
        DoubleVector a5 = DoubleVector.broadcast(S, a[ap + 14 + 5]);
        c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
        DoubleVector a6 = DoubleVector.broadcast(S, a[ap + 14 + 6]);
        c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
        DoubleVector a7 = DoubleVector.broadcast(S, a[ap + 14 + 7]);
        c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71);
        DoubleVector a8 = DoubleVector.broadcast(S, a[ap + 14 + 8]);
        c80 = a8.fma(b0, c80); c81 = a8.fma(b1, c81);
        DoubleVector a9 = DoubleVector.broadcast(S, a[ap + 14 + 9]);
        c90 = a9.fma(b0, c90); c91 = a9.fma(b1, c91);
        DoubleVector a10 = DoubleVector.broadcast(S, a[ap + 14 + 10]);
        c100 = a10.fma(b0, c100); c101 = a10.fma(b1, c101);
        DoubleVector a11 = DoubleVector.broadcast(S, a[ap + 14 + 11]);
        c110 = a11.fma(b0, c110); c111 = a11.fma(b1, c111);
        DoubleVector a12 = DoubleVector.broadcast(S, a[ap + 14 + 12]);
        c120 = a12.fma(b0, c120); c121 = a12.fma(b1, c121);
        DoubleVector a13 = DoubleVector.broadcast(S, a[ap + 14 + 13]);
        c130 = a13.fma(b0, c130); c131 = a13.fma(b1, c131);
      }
    }
    if (p < kc) {
      DoubleVector b0 = DoubleVector.fromArray(S, b, bp); DoubleVector b1 = DoubleVector.fromArray(S, b, bp + L);
      DoubleVector a0 = DoubleVector.broadcast(S, a[ap + 0]);
      c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
      DoubleVector a1 = DoubleVector.broadcast(S, a[ap + 1]);
      c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
      DoubleVector a2 = DoubleVector.broadcast(S, a[ap + 2]);
      c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
      DoubleVector a3 = DoubleVector.broadcast(S, a[ap + 3]);
      c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
      DoubleVector a4 = DoubleVector.broadcast(S, a[ap + 4]);
      c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
      DoubleVector a5 = DoubleVector.broadcast(S, a[ap + 5]);
      c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
      DoubleVector a6 = DoubleVector.broadcast(S, a[ap + 6]);
      c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
      DoubleVector a7 = DoubleVector.broadcast(S, a[ap + 7]);
      c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71);
      DoubleVector a8 = DoubleVector.broadcast(S, a[ap + 8]);
      c80 = a8.fma(b0, c80); c81 = a8.fma(b1, c81);
      DoubleVector a9 = DoubleVector.broadcast(S, a[ap + 9]);
      c90 = a9.fma(b0, c90); c91 = a9.fma(b1, c91);
      DoubleVector a10 = DoubleVector.broadcast(S, a[ap + 10]);
      c100 = a10.fma(b0, c100); c101 = a10.fma(b1, c101);
      DoubleVector a11 = DoubleVector.broadcast(S, a[ap + 11]);
      c110 = a11.fma(b0, c110); c111 = a11.fma(b1, c111);
      DoubleVector a12 = DoubleVector.broadcast(S, a[ap + 12]);
      c120 = a12.fma(b0, c120); c121 = a12.fma(b1, c121);
      DoubleVector a13 = DoubleVector.broadcast(S, a[ap + 13]);
      c130 = a13.fma(b0, c130); c131 = a13.fma(b1, c131);
    }
    // Stores written out: a helper method would exceed the JIT's inlining budget and box.
    c00.intoArray(c, ci + 0 * ldc); c01.intoArray(c, ci + 0 * ldc + L);
    c10.intoArray(c, ci + 1 * ldc); c11.intoArray(c, ci + 1 * ldc + L);
    c20.intoArray(c, ci + 2 * ldc); c21.intoArray(c, ci + 2 * ldc + L);
    c30.intoArray(c, ci + 3 * ldc); c31.intoArray(c, ci + 3 * ldc + L);
    c40.intoArray(c, ci + 4 * ldc); c41.intoArray(c, ci + 4 * ldc + L);
    c50.intoArray(c, ci + 5 * ldc); c51.intoArray(c, ci + 5 * ldc + L);
    c60.intoArray(c, ci + 6 * ldc); c61.intoArray(c, ci + 6 * ldc + L);
    c70.intoArray(c, ci + 7 * ldc); c71.intoArray(c, ci + 7 * ldc + L);
    c80.intoArray(c, ci + 8 * ldc); c81.intoArray(c, ci + 8 * ldc + L);
    c90.intoArray(c, ci + 9 * ldc); c91.intoArray(c, ci + 9 * ldc + L);
    c100.intoArray(c, ci + 10 * ldc); c101.intoArray(c, ci + 10 * ldc + L);
    c110.intoArray(c, ci + 11 * ldc); c111.intoArray(c, ci + 11 * ldc + L);
    c120.intoArray(c, ci + 12 * ldc); c121.intoArray(c, ci + 12 * ldc + L);
    c130.intoArray(c, ci + 13 * ldc); c131.intoArray(c, ci + 13 * ldc + L);
  }

  // Kernels reading A in place (row-major, rows lda apart) instead of from a packed sliver: for
  // products with few rows, where packing A costs as much as a fifth of the multiply-adds.

  private static void kernel12Direct(int kc, double[] a, int ai, int lda, double[] b, int bi, int bs,
      double[] c, int ci, int ldc) {
    DoubleVector c00 = DoubleVector.zero(S); DoubleVector c01 = DoubleVector.zero(S);
    DoubleVector c10 = DoubleVector.zero(S); DoubleVector c11 = DoubleVector.zero(S);
    DoubleVector c20 = DoubleVector.zero(S); DoubleVector c21 = DoubleVector.zero(S);
    DoubleVector c30 = DoubleVector.zero(S); DoubleVector c31 = DoubleVector.zero(S);
    DoubleVector c40 = DoubleVector.zero(S); DoubleVector c41 = DoubleVector.zero(S);
    DoubleVector c50 = DoubleVector.zero(S); DoubleVector c51 = DoubleVector.zero(S);
    DoubleVector c60 = DoubleVector.zero(S); DoubleVector c61 = DoubleVector.zero(S);
    DoubleVector c70 = DoubleVector.zero(S); DoubleVector c71 = DoubleVector.zero(S);
    DoubleVector c80 = DoubleVector.zero(S); DoubleVector c81 = DoubleVector.zero(S);
    DoubleVector c90 = DoubleVector.zero(S); DoubleVector c91 = DoubleVector.zero(S);
    DoubleVector c100 = DoubleVector.zero(S); DoubleVector c101 = DoubleVector.zero(S);
    DoubleVector c110 = DoubleVector.zero(S); DoubleVector c111 = DoubleVector.zero(S);
    int r0 = ai; int r1 = ai + 1 * lda; int r2 = ai + 2 * lda; int r3 = ai + 3 * lda;
    int r4 = ai + 4 * lda; int r5 = ai + 5 * lda; int r6 = ai + 6 * lda; int r7 = ai + 7 * lda;
    int r8 = ai + 8 * lda; int r9 = ai + 9 * lda; int r10 = ai + 10 * lda; int r11 = ai + 11 * lda;
    for (int p = 0; p < kc; p++) {
      int bp = bi + p * bs;
      DoubleVector b0 = DoubleVector.fromArray(S, b, bp);
      DoubleVector b1 = DoubleVector.fromArray(S, b, bp + L);
      DoubleVector a0 = DoubleVector.broadcast(S, a[r0 + p]);
      c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
      DoubleVector a1 = DoubleVector.broadcast(S, a[r1 + p]);
      c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
      DoubleVector a2 = DoubleVector.broadcast(S, a[r2 + p]);
      c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
      DoubleVector a3 = DoubleVector.broadcast(S, a[r3 + p]);
      c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
      DoubleVector a4 = DoubleVector.broadcast(S, a[r4 + p]);
      c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
      DoubleVector a5 = DoubleVector.broadcast(S, a[r5 + p]);
      c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
      DoubleVector a6 = DoubleVector.broadcast(S, a[r6 + p]);
      c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
      DoubleVector a7 = DoubleVector.broadcast(S, a[r7 + p]);
      c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71);
      DoubleVector a8 = DoubleVector.broadcast(S, a[r8 + p]);
      c80 = a8.fma(b0, c80); c81 = a8.fma(b1, c81);
      DoubleVector a9 = DoubleVector.broadcast(S, a[r9 + p]);
      c90 = a9.fma(b0, c90); c91 = a9.fma(b1, c91);
      DoubleVector a10 = DoubleVector.broadcast(S, a[r10 + p]);
      c100 = a10.fma(b0, c100); c101 = a10.fma(b1, c101);
      DoubleVector a11 = DoubleVector.broadcast(S, a[r11 + p]);
      c110 = a11.fma(b0, c110); c111 = a11.fma(b1, c111);
    }
    // Stores written out: a helper method would exceed the JIT's inlining budget and box.
    c00.intoArray(c, ci + 0 * ldc); c01.intoArray(c, ci + 0 * ldc + L);
    c10.intoArray(c, ci + 1 * ldc); c11.intoArray(c, ci + 1 * ldc + L);
    c20.intoArray(c, ci + 2 * ldc); c21.intoArray(c, ci + 2 * ldc + L);
    c30.intoArray(c, ci + 3 * ldc); c31.intoArray(c, ci + 3 * ldc + L);
    c40.intoArray(c, ci + 4 * ldc); c41.intoArray(c, ci + 4 * ldc + L);
    c50.intoArray(c, ci + 5 * ldc); c51.intoArray(c, ci + 5 * ldc + L);
    c60.intoArray(c, ci + 6 * ldc); c61.intoArray(c, ci + 6 * ldc + L);
    c70.intoArray(c, ci + 7 * ldc); c71.intoArray(c, ci + 7 * ldc + L);
    c80.intoArray(c, ci + 8 * ldc); c81.intoArray(c, ci + 8 * ldc + L);
    c90.intoArray(c, ci + 9 * ldc); c91.intoArray(c, ci + 9 * ldc + L);
    c100.intoArray(c, ci + 10 * ldc); c101.intoArray(c, ci + 10 * ldc + L);
    c110.intoArray(c, ci + 11 * ldc); c111.intoArray(c, ci + 11 * ldc + L);
  }

  private static void kernel12AccDirect(int kc, double[] a, int ai, int lda, double[] b, int bi, int bs,
      double[] c, int ci, int ldc) {
    DoubleVector c00 = DoubleVector.fromArray(S, c, ci + 0 * ldc); DoubleVector c01 = DoubleVector.fromArray(S, c, ci + 0 * ldc + L);
    DoubleVector c10 = DoubleVector.fromArray(S, c, ci + 1 * ldc); DoubleVector c11 = DoubleVector.fromArray(S, c, ci + 1 * ldc + L);
    DoubleVector c20 = DoubleVector.fromArray(S, c, ci + 2 * ldc); DoubleVector c21 = DoubleVector.fromArray(S, c, ci + 2 * ldc + L);
    DoubleVector c30 = DoubleVector.fromArray(S, c, ci + 3 * ldc); DoubleVector c31 = DoubleVector.fromArray(S, c, ci + 3 * ldc + L);
    DoubleVector c40 = DoubleVector.fromArray(S, c, ci + 4 * ldc); DoubleVector c41 = DoubleVector.fromArray(S, c, ci + 4 * ldc + L);
    DoubleVector c50 = DoubleVector.fromArray(S, c, ci + 5 * ldc); DoubleVector c51 = DoubleVector.fromArray(S, c, ci + 5 * ldc + L);
    DoubleVector c60 = DoubleVector.fromArray(S, c, ci + 6 * ldc); DoubleVector c61 = DoubleVector.fromArray(S, c, ci + 6 * ldc + L);
    DoubleVector c70 = DoubleVector.fromArray(S, c, ci + 7 * ldc); DoubleVector c71 = DoubleVector.fromArray(S, c, ci + 7 * ldc + L);
    DoubleVector c80 = DoubleVector.fromArray(S, c, ci + 8 * ldc); DoubleVector c81 = DoubleVector.fromArray(S, c, ci + 8 * ldc + L);
    DoubleVector c90 = DoubleVector.fromArray(S, c, ci + 9 * ldc); DoubleVector c91 = DoubleVector.fromArray(S, c, ci + 9 * ldc + L);
    DoubleVector c100 = DoubleVector.fromArray(S, c, ci + 10 * ldc); DoubleVector c101 = DoubleVector.fromArray(S, c, ci + 10 * ldc + L);
    DoubleVector c110 = DoubleVector.fromArray(S, c, ci + 11 * ldc); DoubleVector c111 = DoubleVector.fromArray(S, c, ci + 11 * ldc + L);
    int r0 = ai; int r1 = ai + 1 * lda; int r2 = ai + 2 * lda; int r3 = ai + 3 * lda;
    int r4 = ai + 4 * lda; int r5 = ai + 5 * lda; int r6 = ai + 6 * lda; int r7 = ai + 7 * lda;
    int r8 = ai + 8 * lda; int r9 = ai + 9 * lda; int r10 = ai + 10 * lda; int r11 = ai + 11 * lda;
    for (int p = 0; p < kc; p++) {
      int bp = bi + p * bs;
      DoubleVector b0 = DoubleVector.fromArray(S, b, bp);
      DoubleVector b1 = DoubleVector.fromArray(S, b, bp + L);
      DoubleVector a0 = DoubleVector.broadcast(S, a[r0 + p]);
      c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
      DoubleVector a1 = DoubleVector.broadcast(S, a[r1 + p]);
      c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
      DoubleVector a2 = DoubleVector.broadcast(S, a[r2 + p]);
      c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
      DoubleVector a3 = DoubleVector.broadcast(S, a[r3 + p]);
      c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
      DoubleVector a4 = DoubleVector.broadcast(S, a[r4 + p]);
      c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
      DoubleVector a5 = DoubleVector.broadcast(S, a[r5 + p]);
      c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
      DoubleVector a6 = DoubleVector.broadcast(S, a[r6 + p]);
      c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
      DoubleVector a7 = DoubleVector.broadcast(S, a[r7 + p]);
      c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71);
      DoubleVector a8 = DoubleVector.broadcast(S, a[r8 + p]);
      c80 = a8.fma(b0, c80); c81 = a8.fma(b1, c81);
      DoubleVector a9 = DoubleVector.broadcast(S, a[r9 + p]);
      c90 = a9.fma(b0, c90); c91 = a9.fma(b1, c91);
      DoubleVector a10 = DoubleVector.broadcast(S, a[r10 + p]);
      c100 = a10.fma(b0, c100); c101 = a10.fma(b1, c101);
      DoubleVector a11 = DoubleVector.broadcast(S, a[r11 + p]);
      c110 = a11.fma(b0, c110); c111 = a11.fma(b1, c111);
    }
    // Stores written out: a helper method would exceed the JIT's inlining budget and box.
    c00.intoArray(c, ci + 0 * ldc); c01.intoArray(c, ci + 0 * ldc + L);
    c10.intoArray(c, ci + 1 * ldc); c11.intoArray(c, ci + 1 * ldc + L);
    c20.intoArray(c, ci + 2 * ldc); c21.intoArray(c, ci + 2 * ldc + L);
    c30.intoArray(c, ci + 3 * ldc); c31.intoArray(c, ci + 3 * ldc + L);
    c40.intoArray(c, ci + 4 * ldc); c41.intoArray(c, ci + 4 * ldc + L);
    c50.intoArray(c, ci + 5 * ldc); c51.intoArray(c, ci + 5 * ldc + L);
    c60.intoArray(c, ci + 6 * ldc); c61.intoArray(c, ci + 6 * ldc + L);
    c70.intoArray(c, ci + 7 * ldc); c71.intoArray(c, ci + 7 * ldc + L);
    c80.intoArray(c, ci + 8 * ldc); c81.intoArray(c, ci + 8 * ldc + L);
    c90.intoArray(c, ci + 9 * ldc); c91.intoArray(c, ci + 9 * ldc + L);
    c100.intoArray(c, ci + 10 * ldc); c101.intoArray(c, ci + 10 * ldc + L);
    c110.intoArray(c, ci + 11 * ldc); c111.intoArray(c, ci + 11 * ldc + L);
  }

  private static void kernel8Direct(int kc, double[] a, int ai, int lda, double[] b, int bi, int bs,
      double[] c, int ci, int ldc) {
    DoubleVector c00 = DoubleVector.zero(S); DoubleVector c01 = DoubleVector.zero(S);
    DoubleVector c10 = DoubleVector.zero(S); DoubleVector c11 = DoubleVector.zero(S);
    DoubleVector c20 = DoubleVector.zero(S); DoubleVector c21 = DoubleVector.zero(S);
    DoubleVector c30 = DoubleVector.zero(S); DoubleVector c31 = DoubleVector.zero(S);
    DoubleVector c40 = DoubleVector.zero(S); DoubleVector c41 = DoubleVector.zero(S);
    DoubleVector c50 = DoubleVector.zero(S); DoubleVector c51 = DoubleVector.zero(S);
    DoubleVector c60 = DoubleVector.zero(S); DoubleVector c61 = DoubleVector.zero(S);
    DoubleVector c70 = DoubleVector.zero(S); DoubleVector c71 = DoubleVector.zero(S);
    int r0 = ai; int r1 = ai + 1 * lda; int r2 = ai + 2 * lda; int r3 = ai + 3 * lda;
    int r4 = ai + 4 * lda; int r5 = ai + 5 * lda; int r6 = ai + 6 * lda; int r7 = ai + 7 * lda;
    for (int p = 0; p < kc; p++) {
      int bp = bi + p * bs;
      DoubleVector b0 = DoubleVector.fromArray(S, b, bp);
      DoubleVector b1 = DoubleVector.fromArray(S, b, bp + L);
      DoubleVector a0 = DoubleVector.broadcast(S, a[r0 + p]);
      c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
      DoubleVector a1 = DoubleVector.broadcast(S, a[r1 + p]);
      c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
      DoubleVector a2 = DoubleVector.broadcast(S, a[r2 + p]);
      c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
      DoubleVector a3 = DoubleVector.broadcast(S, a[r3 + p]);
      c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
      DoubleVector a4 = DoubleVector.broadcast(S, a[r4 + p]);
      c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
      DoubleVector a5 = DoubleVector.broadcast(S, a[r5 + p]);
      c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
      DoubleVector a6 = DoubleVector.broadcast(S, a[r6 + p]);
      c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
      DoubleVector a7 = DoubleVector.broadcast(S, a[r7 + p]);
      c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71);
    }
    // Stores written out: a helper method would exceed the JIT's inlining budget and box.
    c00.intoArray(c, ci + 0 * ldc); c01.intoArray(c, ci + 0 * ldc + L);
    c10.intoArray(c, ci + 1 * ldc); c11.intoArray(c, ci + 1 * ldc + L);
    c20.intoArray(c, ci + 2 * ldc); c21.intoArray(c, ci + 2 * ldc + L);
    c30.intoArray(c, ci + 3 * ldc); c31.intoArray(c, ci + 3 * ldc + L);
    c40.intoArray(c, ci + 4 * ldc); c41.intoArray(c, ci + 4 * ldc + L);
    c50.intoArray(c, ci + 5 * ldc); c51.intoArray(c, ci + 5 * ldc + L);
    c60.intoArray(c, ci + 6 * ldc); c61.intoArray(c, ci + 6 * ldc + L);
    c70.intoArray(c, ci + 7 * ldc); c71.intoArray(c, ci + 7 * ldc + L);
  }

  private static void kernel8AccDirect(int kc, double[] a, int ai, int lda, double[] b, int bi, int bs,
      double[] c, int ci, int ldc) {
    DoubleVector c00 = DoubleVector.fromArray(S, c, ci + 0 * ldc); DoubleVector c01 = DoubleVector.fromArray(S, c, ci + 0 * ldc + L);
    DoubleVector c10 = DoubleVector.fromArray(S, c, ci + 1 * ldc); DoubleVector c11 = DoubleVector.fromArray(S, c, ci + 1 * ldc + L);
    DoubleVector c20 = DoubleVector.fromArray(S, c, ci + 2 * ldc); DoubleVector c21 = DoubleVector.fromArray(S, c, ci + 2 * ldc + L);
    DoubleVector c30 = DoubleVector.fromArray(S, c, ci + 3 * ldc); DoubleVector c31 = DoubleVector.fromArray(S, c, ci + 3 * ldc + L);
    DoubleVector c40 = DoubleVector.fromArray(S, c, ci + 4 * ldc); DoubleVector c41 = DoubleVector.fromArray(S, c, ci + 4 * ldc + L);
    DoubleVector c50 = DoubleVector.fromArray(S, c, ci + 5 * ldc); DoubleVector c51 = DoubleVector.fromArray(S, c, ci + 5 * ldc + L);
    DoubleVector c60 = DoubleVector.fromArray(S, c, ci + 6 * ldc); DoubleVector c61 = DoubleVector.fromArray(S, c, ci + 6 * ldc + L);
    DoubleVector c70 = DoubleVector.fromArray(S, c, ci + 7 * ldc); DoubleVector c71 = DoubleVector.fromArray(S, c, ci + 7 * ldc + L);
    int r0 = ai; int r1 = ai + 1 * lda; int r2 = ai + 2 * lda; int r3 = ai + 3 * lda;
    int r4 = ai + 4 * lda; int r5 = ai + 5 * lda; int r6 = ai + 6 * lda; int r7 = ai + 7 * lda;
    for (int p = 0; p < kc; p++) {
      int bp = bi + p * bs;
      DoubleVector b0 = DoubleVector.fromArray(S, b, bp);
      DoubleVector b1 = DoubleVector.fromArray(S, b, bp + L);
      DoubleVector a0 = DoubleVector.broadcast(S, a[r0 + p]);
      c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
      DoubleVector a1 = DoubleVector.broadcast(S, a[r1 + p]);
      c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
      DoubleVector a2 = DoubleVector.broadcast(S, a[r2 + p]);
      c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
      DoubleVector a3 = DoubleVector.broadcast(S, a[r3 + p]);
      c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
      DoubleVector a4 = DoubleVector.broadcast(S, a[r4 + p]);
      c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
      DoubleVector a5 = DoubleVector.broadcast(S, a[r5 + p]);
      c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
      DoubleVector a6 = DoubleVector.broadcast(S, a[r6 + p]);
      c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
      DoubleVector a7 = DoubleVector.broadcast(S, a[r7 + p]);
      c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71);
    }
    // Stores written out: a helper method would exceed the JIT's inlining budget and box.
    c00.intoArray(c, ci + 0 * ldc); c01.intoArray(c, ci + 0 * ldc + L);
    c10.intoArray(c, ci + 1 * ldc); c11.intoArray(c, ci + 1 * ldc + L);
    c20.intoArray(c, ci + 2 * ldc); c21.intoArray(c, ci + 2 * ldc + L);
    c30.intoArray(c, ci + 3 * ldc); c31.intoArray(c, ci + 3 * ldc + L);
    c40.intoArray(c, ci + 4 * ldc); c41.intoArray(c, ci + 4 * ldc + L);
    c50.intoArray(c, ci + 5 * ldc); c51.intoArray(c, ci + 5 * ldc + L);
    c60.intoArray(c, ci + 6 * ldc); c61.intoArray(c, ci + 6 * ldc + L);
    c70.intoArray(c, ci + 7 * ldc); c71.intoArray(c, ci + 7 * ldc + L);
  }

  private static void kernel4Direct(int kc, double[] a, int ai, int lda, double[] b, int bi, int bs,
      double[] c, int ci, int ldc) {
    DoubleVector c00 = DoubleVector.zero(S); DoubleVector c01 = DoubleVector.zero(S);
    DoubleVector c10 = DoubleVector.zero(S); DoubleVector c11 = DoubleVector.zero(S);
    DoubleVector c20 = DoubleVector.zero(S); DoubleVector c21 = DoubleVector.zero(S);
    DoubleVector c30 = DoubleVector.zero(S); DoubleVector c31 = DoubleVector.zero(S);
    int r0 = ai; int r1 = ai + 1 * lda; int r2 = ai + 2 * lda; int r3 = ai + 3 * lda;
    for (int p = 0; p < kc; p++) {
      int bp = bi + p * bs;
      DoubleVector b0 = DoubleVector.fromArray(S, b, bp);
      DoubleVector b1 = DoubleVector.fromArray(S, b, bp + L);
      DoubleVector a0 = DoubleVector.broadcast(S, a[r0 + p]);
      c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
      DoubleVector a1 = DoubleVector.broadcast(S, a[r1 + p]);
      c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
      DoubleVector a2 = DoubleVector.broadcast(S, a[r2 + p]);
      c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
      DoubleVector a3 = DoubleVector.broadcast(S, a[r3 + p]);
      c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
    }
    // Stores written out: a helper method would exceed the JIT's inlining budget and box.
    c00.intoArray(c, ci + 0 * ldc); c01.intoArray(c, ci + 0 * ldc + L);
    c10.intoArray(c, ci + 1 * ldc); c11.intoArray(c, ci + 1 * ldc + L);
    c20.intoArray(c, ci + 2 * ldc); c21.intoArray(c, ci + 2 * ldc + L);
    c30.intoArray(c, ci + 3 * ldc); c31.intoArray(c, ci + 3 * ldc + L);
  }

  private static void kernel4AccDirect(int kc, double[] a, int ai, int lda, double[] b, int bi, int bs,
      double[] c, int ci, int ldc) {
    DoubleVector c00 = DoubleVector.fromArray(S, c, ci + 0 * ldc); DoubleVector c01 = DoubleVector.fromArray(S, c, ci + 0 * ldc + L);
    DoubleVector c10 = DoubleVector.fromArray(S, c, ci + 1 * ldc); DoubleVector c11 = DoubleVector.fromArray(S, c, ci + 1 * ldc + L);
    DoubleVector c20 = DoubleVector.fromArray(S, c, ci + 2 * ldc); DoubleVector c21 = DoubleVector.fromArray(S, c, ci + 2 * ldc + L);
    DoubleVector c30 = DoubleVector.fromArray(S, c, ci + 3 * ldc); DoubleVector c31 = DoubleVector.fromArray(S, c, ci + 3 * ldc + L);
    int r0 = ai; int r1 = ai + 1 * lda; int r2 = ai + 2 * lda; int r3 = ai + 3 * lda;
    for (int p = 0; p < kc; p++) {
      int bp = bi + p * bs;
      DoubleVector b0 = DoubleVector.fromArray(S, b, bp);
      DoubleVector b1 = DoubleVector.fromArray(S, b, bp + L);
      DoubleVector a0 = DoubleVector.broadcast(S, a[r0 + p]);
      c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
      DoubleVector a1 = DoubleVector.broadcast(S, a[r1 + p]);
      c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
      DoubleVector a2 = DoubleVector.broadcast(S, a[r2 + p]);
      c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
      DoubleVector a3 = DoubleVector.broadcast(S, a[r3 + p]);
      c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
    }
    // Stores written out: a helper method would exceed the JIT's inlining budget and box.
    c00.intoArray(c, ci + 0 * ldc); c01.intoArray(c, ci + 0 * ldc + L);
    c10.intoArray(c, ci + 1 * ldc); c11.intoArray(c, ci + 1 * ldc + L);
    c20.intoArray(c, ci + 2 * ldc); c21.intoArray(c, ci + 2 * ldc + L);
    c30.intoArray(c, ci + 3 * ldc); c31.intoArray(c, ci + 3 * ldc + L);
  }

  private static void kernel12(int kc, double[] a, int ai, double[] b, int bi, int bs,
      double[] c, int ci, int ldc) {
    DoubleVector c00 = DoubleVector.zero(S); DoubleVector c01 = DoubleVector.zero(S);
    DoubleVector c10 = DoubleVector.zero(S); DoubleVector c11 = DoubleVector.zero(S);
    DoubleVector c20 = DoubleVector.zero(S); DoubleVector c21 = DoubleVector.zero(S);
    DoubleVector c30 = DoubleVector.zero(S); DoubleVector c31 = DoubleVector.zero(S);
    DoubleVector c40 = DoubleVector.zero(S); DoubleVector c41 = DoubleVector.zero(S);
    DoubleVector c50 = DoubleVector.zero(S); DoubleVector c51 = DoubleVector.zero(S);
    DoubleVector c60 = DoubleVector.zero(S); DoubleVector c61 = DoubleVector.zero(S);
    DoubleVector c70 = DoubleVector.zero(S); DoubleVector c71 = DoubleVector.zero(S);
    DoubleVector c80 = DoubleVector.zero(S); DoubleVector c81 = DoubleVector.zero(S);
    DoubleVector c90 = DoubleVector.zero(S); DoubleVector c91 = DoubleVector.zero(S);
    DoubleVector c100 = DoubleVector.zero(S); DoubleVector c101 = DoubleVector.zero(S);
    DoubleVector c110 = DoubleVector.zero(S); DoubleVector c111 = DoubleVector.zero(S);
    for (int p = 0; p < kc; p++) {
      int ap = ai + p * 12;
      int bp = bi + p * bs;
      DoubleVector b0 = DoubleVector.fromArray(S, b, bp);
      DoubleVector b1 = DoubleVector.fromArray(S, b, bp + L);
      DoubleVector a0 = DoubleVector.broadcast(S, a[ap + 0]);
      c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
      DoubleVector a1 = DoubleVector.broadcast(S, a[ap + 1]);
      c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
      DoubleVector a2 = DoubleVector.broadcast(S, a[ap + 2]);
      c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
      DoubleVector a3 = DoubleVector.broadcast(S, a[ap + 3]);
      c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
      DoubleVector a4 = DoubleVector.broadcast(S, a[ap + 4]);
      c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
      DoubleVector a5 = DoubleVector.broadcast(S, a[ap + 5]);
      c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
      DoubleVector a6 = DoubleVector.broadcast(S, a[ap + 6]);
      c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
      DoubleVector a7 = DoubleVector.broadcast(S, a[ap + 7]);
      c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71);
      DoubleVector a8 = DoubleVector.broadcast(S, a[ap + 8]);
      c80 = a8.fma(b0, c80); c81 = a8.fma(b1, c81);
      DoubleVector a9 = DoubleVector.broadcast(S, a[ap + 9]);
      c90 = a9.fma(b0, c90); c91 = a9.fma(b1, c91);
      DoubleVector a10 = DoubleVector.broadcast(S, a[ap + 10]);
      c100 = a10.fma(b0, c100); c101 = a10.fma(b1, c101);
      DoubleVector a11 = DoubleVector.broadcast(S, a[ap + 11]);
      c110 = a11.fma(b0, c110); c111 = a11.fma(b1, c111);
    }
    // Stores written out: a helper method would exceed the JIT's inlining budget and box.
    c00.intoArray(c, ci + 0 * ldc); c01.intoArray(c, ci + 0 * ldc + L);
    c10.intoArray(c, ci + 1 * ldc); c11.intoArray(c, ci + 1 * ldc + L);
    c20.intoArray(c, ci + 2 * ldc); c21.intoArray(c, ci + 2 * ldc + L);
    c30.intoArray(c, ci + 3 * ldc); c31.intoArray(c, ci + 3 * ldc + L);
    c40.intoArray(c, ci + 4 * ldc); c41.intoArray(c, ci + 4 * ldc + L);
    c50.intoArray(c, ci + 5 * ldc); c51.intoArray(c, ci + 5 * ldc + L);
    c60.intoArray(c, ci + 6 * ldc); c61.intoArray(c, ci + 6 * ldc + L);
    c70.intoArray(c, ci + 7 * ldc); c71.intoArray(c, ci + 7 * ldc + L);
    c80.intoArray(c, ci + 8 * ldc); c81.intoArray(c, ci + 8 * ldc + L);
    c90.intoArray(c, ci + 9 * ldc); c91.intoArray(c, ci + 9 * ldc + L);
    c100.intoArray(c, ci + 10 * ldc); c101.intoArray(c, ci + 10 * ldc + L);
    c110.intoArray(c, ci + 11 * ldc); c111.intoArray(c, ci + 11 * ldc + L);
  }

  private static void kernel8(int kc, double[] a, int ai, double[] b, int bi, int bs,
      double[] c, int ci, int ldc) {
    DoubleVector c00 = DoubleVector.zero(S); DoubleVector c01 = DoubleVector.zero(S);
    DoubleVector c10 = DoubleVector.zero(S); DoubleVector c11 = DoubleVector.zero(S);
    DoubleVector c20 = DoubleVector.zero(S); DoubleVector c21 = DoubleVector.zero(S);
    DoubleVector c30 = DoubleVector.zero(S); DoubleVector c31 = DoubleVector.zero(S);
    DoubleVector c40 = DoubleVector.zero(S); DoubleVector c41 = DoubleVector.zero(S);
    DoubleVector c50 = DoubleVector.zero(S); DoubleVector c51 = DoubleVector.zero(S);
    DoubleVector c60 = DoubleVector.zero(S); DoubleVector c61 = DoubleVector.zero(S);
    DoubleVector c70 = DoubleVector.zero(S); DoubleVector c71 = DoubleVector.zero(S);
    for (int p = 0; p < kc; p++) {
      int ap = ai + p * 8;
      int bp = bi + p * bs;
      DoubleVector b0 = DoubleVector.fromArray(S, b, bp);
      DoubleVector b1 = DoubleVector.fromArray(S, b, bp + L);
      DoubleVector a0 = DoubleVector.broadcast(S, a[ap + 0]);
      c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
      DoubleVector a1 = DoubleVector.broadcast(S, a[ap + 1]);
      c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
      DoubleVector a2 = DoubleVector.broadcast(S, a[ap + 2]);
      c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
      DoubleVector a3 = DoubleVector.broadcast(S, a[ap + 3]);
      c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
      DoubleVector a4 = DoubleVector.broadcast(S, a[ap + 4]);
      c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
      DoubleVector a5 = DoubleVector.broadcast(S, a[ap + 5]);
      c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
      DoubleVector a6 = DoubleVector.broadcast(S, a[ap + 6]);
      c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
      DoubleVector a7 = DoubleVector.broadcast(S, a[ap + 7]);
      c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71);
    }
    // Stores written out: a helper method would exceed the JIT's inlining budget and box.
    c00.intoArray(c, ci + 0 * ldc); c01.intoArray(c, ci + 0 * ldc + L);
    c10.intoArray(c, ci + 1 * ldc); c11.intoArray(c, ci + 1 * ldc + L);
    c20.intoArray(c, ci + 2 * ldc); c21.intoArray(c, ci + 2 * ldc + L);
    c30.intoArray(c, ci + 3 * ldc); c31.intoArray(c, ci + 3 * ldc + L);
    c40.intoArray(c, ci + 4 * ldc); c41.intoArray(c, ci + 4 * ldc + L);
    c50.intoArray(c, ci + 5 * ldc); c51.intoArray(c, ci + 5 * ldc + L);
    c60.intoArray(c, ci + 6 * ldc); c61.intoArray(c, ci + 6 * ldc + L);
    c70.intoArray(c, ci + 7 * ldc); c71.intoArray(c, ci + 7 * ldc + L);
  }

  private static void kernel4(int kc, double[] a, int ai, double[] b, int bi, int bs,
      double[] c, int ci, int ldc) {
    DoubleVector c00 = DoubleVector.zero(S); DoubleVector c01 = DoubleVector.zero(S);
    DoubleVector c10 = DoubleVector.zero(S); DoubleVector c11 = DoubleVector.zero(S);
    DoubleVector c20 = DoubleVector.zero(S); DoubleVector c21 = DoubleVector.zero(S);
    DoubleVector c30 = DoubleVector.zero(S); DoubleVector c31 = DoubleVector.zero(S);
    for (int p = 0; p < kc; p++) {
      int ap = ai + p * 4;
      int bp = bi + p * bs;
      DoubleVector b0 = DoubleVector.fromArray(S, b, bp);
      DoubleVector b1 = DoubleVector.fromArray(S, b, bp + L);
      DoubleVector a0 = DoubleVector.broadcast(S, a[ap + 0]);
      c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
      DoubleVector a1 = DoubleVector.broadcast(S, a[ap + 1]);
      c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
      DoubleVector a2 = DoubleVector.broadcast(S, a[ap + 2]);
      c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
      DoubleVector a3 = DoubleVector.broadcast(S, a[ap + 3]);
      c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
    }
    // Stores written out: a helper method would exceed the JIT's inlining budget and box.
    c00.intoArray(c, ci + 0 * ldc); c01.intoArray(c, ci + 0 * ldc + L);
    c10.intoArray(c, ci + 1 * ldc); c11.intoArray(c, ci + 1 * ldc + L);
    c20.intoArray(c, ci + 2 * ldc); c21.intoArray(c, ci + 2 * ldc + L);
    c30.intoArray(c, ci + 3 * ldc); c31.intoArray(c, ci + 3 * ldc + L);
  }

  /** {@link #kernel14} adding to C. */
  private static void kernel14Acc(int kc, double[] a, int ai, double[] b, int bi, int bs,
      double[] c, int ci, int ldc) {
    DoubleVector c00 = DoubleVector.fromArray(S, c, ci + 0 * ldc); DoubleVector c01 = DoubleVector.fromArray(S, c, ci + 0 * ldc + L);
    DoubleVector c10 = DoubleVector.fromArray(S, c, ci + 1 * ldc); DoubleVector c11 = DoubleVector.fromArray(S, c, ci + 1 * ldc + L);
    DoubleVector c20 = DoubleVector.fromArray(S, c, ci + 2 * ldc); DoubleVector c21 = DoubleVector.fromArray(S, c, ci + 2 * ldc + L);
    DoubleVector c30 = DoubleVector.fromArray(S, c, ci + 3 * ldc); DoubleVector c31 = DoubleVector.fromArray(S, c, ci + 3 * ldc + L);
    DoubleVector c40 = DoubleVector.fromArray(S, c, ci + 4 * ldc); DoubleVector c41 = DoubleVector.fromArray(S, c, ci + 4 * ldc + L);
    DoubleVector c50 = DoubleVector.fromArray(S, c, ci + 5 * ldc); DoubleVector c51 = DoubleVector.fromArray(S, c, ci + 5 * ldc + L);
    DoubleVector c60 = DoubleVector.fromArray(S, c, ci + 6 * ldc); DoubleVector c61 = DoubleVector.fromArray(S, c, ci + 6 * ldc + L);
    DoubleVector c70 = DoubleVector.fromArray(S, c, ci + 7 * ldc); DoubleVector c71 = DoubleVector.fromArray(S, c, ci + 7 * ldc + L);
    DoubleVector c80 = DoubleVector.fromArray(S, c, ci + 8 * ldc); DoubleVector c81 = DoubleVector.fromArray(S, c, ci + 8 * ldc + L);
    DoubleVector c90 = DoubleVector.fromArray(S, c, ci + 9 * ldc); DoubleVector c91 = DoubleVector.fromArray(S, c, ci + 9 * ldc + L);
    DoubleVector c100 = DoubleVector.fromArray(S, c, ci + 10 * ldc); DoubleVector c101 = DoubleVector.fromArray(S, c, ci + 10 * ldc + L);
    DoubleVector c110 = DoubleVector.fromArray(S, c, ci + 11 * ldc); DoubleVector c111 = DoubleVector.fromArray(S, c, ci + 11 * ldc + L);
    DoubleVector c120 = DoubleVector.fromArray(S, c, ci + 12 * ldc); DoubleVector c121 = DoubleVector.fromArray(S, c, ci + 12 * ldc + L);
    DoubleVector c130 = DoubleVector.fromArray(S, c, ci + 13 * ldc); DoubleVector c131 = DoubleVector.fromArray(S, c, ci + 13 * ldc + L);
    int ap = ai;
    int bp = bi;
    int p = 0;
    for (; p + 1 < kc; p += 2, ap += 28, bp += 2 * bs) {
      {
        DoubleVector b0 = DoubleVector.fromArray(S, b, bp); DoubleVector b1 = DoubleVector.fromArray(S, b, bp + L);
        DoubleVector a0 = DoubleVector.broadcast(S, a[ap + 0]);
        c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
        DoubleVector a1 = DoubleVector.broadcast(S, a[ap + 1]);
        c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
        DoubleVector a2 = DoubleVector.broadcast(S, a[ap + 2]);
        c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
        DoubleVector a3 = DoubleVector.broadcast(S, a[ap + 3]);
        c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
        DoubleVector a4 = DoubleVector.broadcast(S, a[ap + 4]);
        c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
        DoubleVector a5 = DoubleVector.broadcast(S, a[ap + 5]);
        c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
        DoubleVector a6 = DoubleVector.broadcast(S, a[ap + 6]);
        c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
        DoubleVector a7 = DoubleVector.broadcast(S, a[ap + 7]);
        c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71);
        DoubleVector a8 = DoubleVector.broadcast(S, a[ap + 8]);
        c80 = a8.fma(b0, c80); c81 = a8.fma(b1, c81);
        DoubleVector a9 = DoubleVector.broadcast(S, a[ap + 9]);
        c90 = a9.fma(b0, c90); c91 = a9.fma(b1, c91);
        DoubleVector a10 = DoubleVector.broadcast(S, a[ap + 10]);
        c100 = a10.fma(b0, c100); c101 = a10.fma(b1, c101);
        DoubleVector a11 = DoubleVector.broadcast(S, a[ap + 11]);
        c110 = a11.fma(b0, c110); c111 = a11.fma(b1, c111);
        DoubleVector a12 = DoubleVector.broadcast(S, a[ap + 12]);
        c120 = a12.fma(b0, c120); c121 = a12.fma(b1, c121);
        DoubleVector a13 = DoubleVector.broadcast(S, a[ap + 13]);
        c130 = a13.fma(b0, c130); c131 = a13.fma(b1, c131);
      }
      {
        DoubleVector b0 = DoubleVector.fromArray(S, b, bp + bs); DoubleVector b1 = DoubleVector.fromArray(S, b, bp + bs + L);
        DoubleVector a0 = DoubleVector.broadcast(S, a[ap + 14 + 0]);
        c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
        DoubleVector a1 = DoubleVector.broadcast(S, a[ap + 14 + 1]);
        c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
        DoubleVector a2 = DoubleVector.broadcast(S, a[ap + 14 + 2]);
        c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
        DoubleVector a3 = DoubleVector.broadcast(S, a[ap + 14 + 3]);
        c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
        DoubleVector a4 = DoubleVector.broadcast(S, a[ap + 14 + 4]);
        c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
        DoubleVector a5 = DoubleVector.broadcast(S, a[ap + 14 + 5]);
        c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
        DoubleVector a6 = DoubleVector.broadcast(S, a[ap + 14 + 6]);
        c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
        DoubleVector a7 = DoubleVector.broadcast(S, a[ap + 14 + 7]);
        c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71);
        DoubleVector a8 = DoubleVector.broadcast(S, a[ap + 14 + 8]);
        c80 = a8.fma(b0, c80); c81 = a8.fma(b1, c81);
        DoubleVector a9 = DoubleVector.broadcast(S, a[ap + 14 + 9]);
        c90 = a9.fma(b0, c90); c91 = a9.fma(b1, c91);
        DoubleVector a10 = DoubleVector.broadcast(S, a[ap + 14 + 10]);
        c100 = a10.fma(b0, c100); c101 = a10.fma(b1, c101);
        DoubleVector a11 = DoubleVector.broadcast(S, a[ap + 14 + 11]);
        c110 = a11.fma(b0, c110); c111 = a11.fma(b1, c111);
        DoubleVector a12 = DoubleVector.broadcast(S, a[ap + 14 + 12]);
        c120 = a12.fma(b0, c120); c121 = a12.fma(b1, c121);
        DoubleVector a13 = DoubleVector.broadcast(S, a[ap + 14 + 13]);
        c130 = a13.fma(b0, c130); c131 = a13.fma(b1, c131);
      }
    }
    if (p < kc) {
      DoubleVector b0 = DoubleVector.fromArray(S, b, bp); DoubleVector b1 = DoubleVector.fromArray(S, b, bp + L);
      DoubleVector a0 = DoubleVector.broadcast(S, a[ap + 0]);
      c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
      DoubleVector a1 = DoubleVector.broadcast(S, a[ap + 1]);
      c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
      DoubleVector a2 = DoubleVector.broadcast(S, a[ap + 2]);
      c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
      DoubleVector a3 = DoubleVector.broadcast(S, a[ap + 3]);
      c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
      DoubleVector a4 = DoubleVector.broadcast(S, a[ap + 4]);
      c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
      DoubleVector a5 = DoubleVector.broadcast(S, a[ap + 5]);
      c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
      DoubleVector a6 = DoubleVector.broadcast(S, a[ap + 6]);
      c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
      DoubleVector a7 = DoubleVector.broadcast(S, a[ap + 7]);
      c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71);
      DoubleVector a8 = DoubleVector.broadcast(S, a[ap + 8]);
      c80 = a8.fma(b0, c80); c81 = a8.fma(b1, c81);
      DoubleVector a9 = DoubleVector.broadcast(S, a[ap + 9]);
      c90 = a9.fma(b0, c90); c91 = a9.fma(b1, c91);
      DoubleVector a10 = DoubleVector.broadcast(S, a[ap + 10]);
      c100 = a10.fma(b0, c100); c101 = a10.fma(b1, c101);
      DoubleVector a11 = DoubleVector.broadcast(S, a[ap + 11]);
      c110 = a11.fma(b0, c110); c111 = a11.fma(b1, c111);
      DoubleVector a12 = DoubleVector.broadcast(S, a[ap + 12]);
      c120 = a12.fma(b0, c120); c121 = a12.fma(b1, c121);
      DoubleVector a13 = DoubleVector.broadcast(S, a[ap + 13]);
      c130 = a13.fma(b0, c130); c131 = a13.fma(b1, c131);
    }
    // Stores written out: a helper method would exceed the JIT's inlining budget and box.
    c00.intoArray(c, ci + 0 * ldc); c01.intoArray(c, ci + 0 * ldc + L);
    c10.intoArray(c, ci + 1 * ldc); c11.intoArray(c, ci + 1 * ldc + L);
    c20.intoArray(c, ci + 2 * ldc); c21.intoArray(c, ci + 2 * ldc + L);
    c30.intoArray(c, ci + 3 * ldc); c31.intoArray(c, ci + 3 * ldc + L);
    c40.intoArray(c, ci + 4 * ldc); c41.intoArray(c, ci + 4 * ldc + L);
    c50.intoArray(c, ci + 5 * ldc); c51.intoArray(c, ci + 5 * ldc + L);
    c60.intoArray(c, ci + 6 * ldc); c61.intoArray(c, ci + 6 * ldc + L);
    c70.intoArray(c, ci + 7 * ldc); c71.intoArray(c, ci + 7 * ldc + L);
    c80.intoArray(c, ci + 8 * ldc); c81.intoArray(c, ci + 8 * ldc + L);
    c90.intoArray(c, ci + 9 * ldc); c91.intoArray(c, ci + 9 * ldc + L);
    c100.intoArray(c, ci + 10 * ldc); c101.intoArray(c, ci + 10 * ldc + L);
    c110.intoArray(c, ci + 11 * ldc); c111.intoArray(c, ci + 11 * ldc + L);
    c120.intoArray(c, ci + 12 * ldc); c121.intoArray(c, ci + 12 * ldc + L);
    c130.intoArray(c, ci + 13 * ldc); c131.intoArray(c, ci + 13 * ldc + L);
  }

  private static void kernel12Acc(int kc, double[] a, int ai, double[] b, int bi, int bs,
      double[] c, int ci, int ldc) {
    DoubleVector c00 = DoubleVector.fromArray(S, c, ci + 0 * ldc); DoubleVector c01 = DoubleVector.fromArray(S, c, ci + 0 * ldc + L);
    DoubleVector c10 = DoubleVector.fromArray(S, c, ci + 1 * ldc); DoubleVector c11 = DoubleVector.fromArray(S, c, ci + 1 * ldc + L);
    DoubleVector c20 = DoubleVector.fromArray(S, c, ci + 2 * ldc); DoubleVector c21 = DoubleVector.fromArray(S, c, ci + 2 * ldc + L);
    DoubleVector c30 = DoubleVector.fromArray(S, c, ci + 3 * ldc); DoubleVector c31 = DoubleVector.fromArray(S, c, ci + 3 * ldc + L);
    DoubleVector c40 = DoubleVector.fromArray(S, c, ci + 4 * ldc); DoubleVector c41 = DoubleVector.fromArray(S, c, ci + 4 * ldc + L);
    DoubleVector c50 = DoubleVector.fromArray(S, c, ci + 5 * ldc); DoubleVector c51 = DoubleVector.fromArray(S, c, ci + 5 * ldc + L);
    DoubleVector c60 = DoubleVector.fromArray(S, c, ci + 6 * ldc); DoubleVector c61 = DoubleVector.fromArray(S, c, ci + 6 * ldc + L);
    DoubleVector c70 = DoubleVector.fromArray(S, c, ci + 7 * ldc); DoubleVector c71 = DoubleVector.fromArray(S, c, ci + 7 * ldc + L);
    DoubleVector c80 = DoubleVector.fromArray(S, c, ci + 8 * ldc); DoubleVector c81 = DoubleVector.fromArray(S, c, ci + 8 * ldc + L);
    DoubleVector c90 = DoubleVector.fromArray(S, c, ci + 9 * ldc); DoubleVector c91 = DoubleVector.fromArray(S, c, ci + 9 * ldc + L);
    DoubleVector c100 = DoubleVector.fromArray(S, c, ci + 10 * ldc); DoubleVector c101 = DoubleVector.fromArray(S, c, ci + 10 * ldc + L);
    DoubleVector c110 = DoubleVector.fromArray(S, c, ci + 11 * ldc); DoubleVector c111 = DoubleVector.fromArray(S, c, ci + 11 * ldc + L);
    for (int p = 0; p < kc; p++) {
      int ap = ai + p * 12;
      int bp = bi + p * bs;
      DoubleVector b0 = DoubleVector.fromArray(S, b, bp);
      DoubleVector b1 = DoubleVector.fromArray(S, b, bp + L);
      DoubleVector a0 = DoubleVector.broadcast(S, a[ap + 0]);
      c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
      DoubleVector a1 = DoubleVector.broadcast(S, a[ap + 1]);
      c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
      DoubleVector a2 = DoubleVector.broadcast(S, a[ap + 2]);
      c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
      DoubleVector a3 = DoubleVector.broadcast(S, a[ap + 3]);
      c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
      DoubleVector a4 = DoubleVector.broadcast(S, a[ap + 4]);
      c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
      DoubleVector a5 = DoubleVector.broadcast(S, a[ap + 5]);
      c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
      DoubleVector a6 = DoubleVector.broadcast(S, a[ap + 6]);
      c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
      DoubleVector a7 = DoubleVector.broadcast(S, a[ap + 7]);
      c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71);
      DoubleVector a8 = DoubleVector.broadcast(S, a[ap + 8]);
      c80 = a8.fma(b0, c80); c81 = a8.fma(b1, c81);
      DoubleVector a9 = DoubleVector.broadcast(S, a[ap + 9]);
      c90 = a9.fma(b0, c90); c91 = a9.fma(b1, c91);
      DoubleVector a10 = DoubleVector.broadcast(S, a[ap + 10]);
      c100 = a10.fma(b0, c100); c101 = a10.fma(b1, c101);
      DoubleVector a11 = DoubleVector.broadcast(S, a[ap + 11]);
      c110 = a11.fma(b0, c110); c111 = a11.fma(b1, c111);
    }
    // Stores written out: a helper method would exceed the JIT's inlining budget and box.
    c00.intoArray(c, ci + 0 * ldc); c01.intoArray(c, ci + 0 * ldc + L);
    c10.intoArray(c, ci + 1 * ldc); c11.intoArray(c, ci + 1 * ldc + L);
    c20.intoArray(c, ci + 2 * ldc); c21.intoArray(c, ci + 2 * ldc + L);
    c30.intoArray(c, ci + 3 * ldc); c31.intoArray(c, ci + 3 * ldc + L);
    c40.intoArray(c, ci + 4 * ldc); c41.intoArray(c, ci + 4 * ldc + L);
    c50.intoArray(c, ci + 5 * ldc); c51.intoArray(c, ci + 5 * ldc + L);
    c60.intoArray(c, ci + 6 * ldc); c61.intoArray(c, ci + 6 * ldc + L);
    c70.intoArray(c, ci + 7 * ldc); c71.intoArray(c, ci + 7 * ldc + L);
    c80.intoArray(c, ci + 8 * ldc); c81.intoArray(c, ci + 8 * ldc + L);
    c90.intoArray(c, ci + 9 * ldc); c91.intoArray(c, ci + 9 * ldc + L);
    c100.intoArray(c, ci + 10 * ldc); c101.intoArray(c, ci + 10 * ldc + L);
    c110.intoArray(c, ci + 11 * ldc); c111.intoArray(c, ci + 11 * ldc + L);
  }

  private static void kernel8Acc(int kc, double[] a, int ai, double[] b, int bi, int bs,
      double[] c, int ci, int ldc) {
    DoubleVector c00 = DoubleVector.fromArray(S, c, ci + 0 * ldc); DoubleVector c01 = DoubleVector.fromArray(S, c, ci + 0 * ldc + L);
    DoubleVector c10 = DoubleVector.fromArray(S, c, ci + 1 * ldc); DoubleVector c11 = DoubleVector.fromArray(S, c, ci + 1 * ldc + L);
    DoubleVector c20 = DoubleVector.fromArray(S, c, ci + 2 * ldc); DoubleVector c21 = DoubleVector.fromArray(S, c, ci + 2 * ldc + L);
    DoubleVector c30 = DoubleVector.fromArray(S, c, ci + 3 * ldc); DoubleVector c31 = DoubleVector.fromArray(S, c, ci + 3 * ldc + L);
    DoubleVector c40 = DoubleVector.fromArray(S, c, ci + 4 * ldc); DoubleVector c41 = DoubleVector.fromArray(S, c, ci + 4 * ldc + L);
    DoubleVector c50 = DoubleVector.fromArray(S, c, ci + 5 * ldc); DoubleVector c51 = DoubleVector.fromArray(S, c, ci + 5 * ldc + L);
    DoubleVector c60 = DoubleVector.fromArray(S, c, ci + 6 * ldc); DoubleVector c61 = DoubleVector.fromArray(S, c, ci + 6 * ldc + L);
    DoubleVector c70 = DoubleVector.fromArray(S, c, ci + 7 * ldc); DoubleVector c71 = DoubleVector.fromArray(S, c, ci + 7 * ldc + L);
    for (int p = 0; p < kc; p++) {
      int ap = ai + p * 8;
      int bp = bi + p * bs;
      DoubleVector b0 = DoubleVector.fromArray(S, b, bp);
      DoubleVector b1 = DoubleVector.fromArray(S, b, bp + L);
      DoubleVector a0 = DoubleVector.broadcast(S, a[ap + 0]);
      c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
      DoubleVector a1 = DoubleVector.broadcast(S, a[ap + 1]);
      c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
      DoubleVector a2 = DoubleVector.broadcast(S, a[ap + 2]);
      c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
      DoubleVector a3 = DoubleVector.broadcast(S, a[ap + 3]);
      c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
      DoubleVector a4 = DoubleVector.broadcast(S, a[ap + 4]);
      c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
      DoubleVector a5 = DoubleVector.broadcast(S, a[ap + 5]);
      c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
      DoubleVector a6 = DoubleVector.broadcast(S, a[ap + 6]);
      c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
      DoubleVector a7 = DoubleVector.broadcast(S, a[ap + 7]);
      c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71);
    }
    // Stores written out: a helper method would exceed the JIT's inlining budget and box.
    c00.intoArray(c, ci + 0 * ldc); c01.intoArray(c, ci + 0 * ldc + L);
    c10.intoArray(c, ci + 1 * ldc); c11.intoArray(c, ci + 1 * ldc + L);
    c20.intoArray(c, ci + 2 * ldc); c21.intoArray(c, ci + 2 * ldc + L);
    c30.intoArray(c, ci + 3 * ldc); c31.intoArray(c, ci + 3 * ldc + L);
    c40.intoArray(c, ci + 4 * ldc); c41.intoArray(c, ci + 4 * ldc + L);
    c50.intoArray(c, ci + 5 * ldc); c51.intoArray(c, ci + 5 * ldc + L);
    c60.intoArray(c, ci + 6 * ldc); c61.intoArray(c, ci + 6 * ldc + L);
    c70.intoArray(c, ci + 7 * ldc); c71.intoArray(c, ci + 7 * ldc + L);
  }

  private static void kernel4Acc(int kc, double[] a, int ai, double[] b, int bi, int bs,
      double[] c, int ci, int ldc) {
    DoubleVector c00 = DoubleVector.fromArray(S, c, ci + 0 * ldc); DoubleVector c01 = DoubleVector.fromArray(S, c, ci + 0 * ldc + L);
    DoubleVector c10 = DoubleVector.fromArray(S, c, ci + 1 * ldc); DoubleVector c11 = DoubleVector.fromArray(S, c, ci + 1 * ldc + L);
    DoubleVector c20 = DoubleVector.fromArray(S, c, ci + 2 * ldc); DoubleVector c21 = DoubleVector.fromArray(S, c, ci + 2 * ldc + L);
    DoubleVector c30 = DoubleVector.fromArray(S, c, ci + 3 * ldc); DoubleVector c31 = DoubleVector.fromArray(S, c, ci + 3 * ldc + L);
    for (int p = 0; p < kc; p++) {
      int ap = ai + p * 4;
      int bp = bi + p * bs;
      DoubleVector b0 = DoubleVector.fromArray(S, b, bp);
      DoubleVector b1 = DoubleVector.fromArray(S, b, bp + L);
      DoubleVector a0 = DoubleVector.broadcast(S, a[ap + 0]);
      c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
      DoubleVector a1 = DoubleVector.broadcast(S, a[ap + 1]);
      c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
      DoubleVector a2 = DoubleVector.broadcast(S, a[ap + 2]);
      c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
      DoubleVector a3 = DoubleVector.broadcast(S, a[ap + 3]);
      c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
    }
    // Stores written out: a helper method would exceed the JIT's inlining budget and box.
    c00.intoArray(c, ci + 0 * ldc); c01.intoArray(c, ci + 0 * ldc + L);
    c10.intoArray(c, ci + 1 * ldc); c11.intoArray(c, ci + 1 * ldc + L);
    c20.intoArray(c, ci + 2 * ldc); c21.intoArray(c, ci + 2 * ldc + L);
    c30.intoArray(c, ci + 3 * ldc); c31.intoArray(c, ci + 3 * ldc + L);
  }

}
