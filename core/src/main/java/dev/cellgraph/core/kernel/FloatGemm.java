package dev.cellgraph.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision GEMM with the Vector API, in the structure of BLIS and OpenBLAS: B is packed
 * into panels {@code NR} columns wide that stay in L1 while the micro-kernel sweeps down a packed
 * block of A (in L2), and the micro-kernel keeps a 12 x 2-vector tile of C in registers
 * (24 of the 32 AVX-512 registers) so that each loaded B vector feeds 12 FMAs.
 *
 * <p>Edges: A is packed in slivers of 12, 8 or 4 rows (so that batch sizes like 16 or 64 waste
 * no work), padded with zero rows; a partial column panel is computed in a scratch tile loaded
 * from C and copied back. Every element of C is one chain of multiply-adds over the depths in
 * order, so the blocking and the thread count never change the result. Large products are split over threads by columns (or by rows when C is tall); each
 * thread packs its own operands, since each core has its own L2.
 *
 * <p>{@link DoubleGemm} is the same code for float64, line for line but for a 14-row tile.
 */
final class FloatGemm {
  private FloatGemm() {}

  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  /** Width of a packed B panel and of the register tile: two vectors. */
  static final int NR = 2 * L;
  /** Height of the largest register tile. */
  static final int MR = 12;
  /** Depth of a packed block: a 12 x KC sliver of A (12 KB) stays in the 48 KB L1 while B panels stream from L2. */
  static final int KC = Integer.getInteger("cellgraph.gemm.kc", 256);
  /** Rows of A packed at once (a multiple of 12): the MC x KC block is reused for every block of B. */
  static final int MC = Integer.getInteger("cellgraph.gemm.mc", 1032) / MR * MR;
  /** Columns of B packed at once (a multiple of NR): the KC x NC block (1 MB) stays in the 2 MB L2. */
  static final int NC = Integer.getInteger("cellgraph.gemm.nc", 1024) / NR * NR;
  /**
   * Depth of a packed block in products with more than {@link #PANEL_OUTER_MAX_ROWS} rows and B not
   * packed in advance: the whole depth up to 1024, so that each tile of C is loaded and stored once
   * per 1024 depths rather than once per 256 (C rarely fits in L2: a 1024 x 1024 float C is 4 MB).
   * Measured on 1024^3 on one thread, both settings interleaved product by product in one JVM:
   * 7-19 percent faster in float32 and 9-12 percent in float64 than depth 256.
   */
  static final int KC_WIDE = Math.max(KC, Integer.getInteger("cellgraph.gemm.kcwide", 1024));
  /** Columns of B packed at once with depth {@link #KC_WIDE}: the KC_WIDE x NC_WIDE block is 1 MB. */
  static final int NC_WIDE = Math.max(NR, Integer.getInteger("cellgraph.gemm.ncwide", 256) / NR * NR);
  /**
   * Products with fewer multiply-adds than this run on the calling thread only: handing half of a
   * smaller one to a spinning helper thread costs about what it saves (16x256x128 goes from 100 to
   * 156 GFLOP/s on two threads, 16x64x256 gets slower). float64, twice as slow per multiply-add,
   * splits from 2^18.
   */
  static final long PARALLEL_MIN = Long.getLong("cellgraph.gemm.parallelmin", 1L << 19);
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
  /**
   * Products with at most this many rows (a multiple of 4, A not transposed) read A in place: the
   * loop's products (16 x 64 x 256 in the small LSTM) spent a third as long packing A as
   * multiplying. Property {@code cellgraph.gemm.packa} packs it anyway.
   */
  static final int IN_PLACE_A_MAX_ROWS = 48;
  static final boolean IN_PLACE_A = !Boolean.getBoolean("cellgraph.gemm.packa");

  private static final class Buffers {
    /** A packed block of A: sized for depth KC, grown on first use of a deeper block. */
    private float[] a = new float[(MC + MR) * KC];

    float[] a(int size) {
      if (a.length < size) {
        a = new float[Math.max(size, (MC + MR) * KC_WIDE)];
      }
      return a;
    }
    /** Packed blocks of B, aligned from {@link #bBase} ({@link AlignedArrays}). */
    final float[] b = AlignedArrays.floats(Math.max(KC * NC, KC_WIDE * NC_WIDE), Integer.MAX_VALUE);
    final int bBase = AlignedArrays.offset(b);
    final float[] tile = new float[MR * NR];
    /** A block packed by several threads together (owned by the thread that splits the product). */
    private float[] shared;

    /** Allocated on first use: only a thread that splits a product needs it, never a helper. */
    float[] shared() {
      if (shared == null) {
        shared = new float[(MC + MR) * KC_WIDE];
      }
      return shared;
    }
  }

  private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

  static void gemm(boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate, int threads) {
    gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, null, c, cOff, ldc, accumulate, threads);
  }

  /**
   * Packs op(B) (k x n) once into the panels the micro-kernel reads: depth blocks of KC, each a
   * row of zero-padded panels NR columns wide, for products that multiply by the same B many times
   * (the recurrent weights of a scan). The panels start at {@link AlignedArrays#offset}: large
   * enough packed matrices are 64-byte aligned.
   */
  static float[] pack(boolean transB, float[] b, int bOff, int ldb, int k, int n) {
    int stride = panelStride(n);
    float[] dst = AlignedArrays.floats(k * stride, 2);
    int base = AlignedArrays.offset(dst);
    for (int pc = 0; pc < k; pc += KC) {
      packB(transB, b, bOff, ldb, pc, Math.min(KC, k - pc), 0, n, dst, base + pc * stride);
    }
    return dst;
  }

  /** C = (accumulate ? C : 0) + op(A) B, with B packed by {@link #pack}. */
  static void gemmPacked(boolean transA, int m, int n, int k, float[] a, int aOff, int lda,
      float[] packedB, float[] c, int cOff, int ldc, boolean accumulate, int threads) {
    gemm(transA, false, m, n, k, a, aOff, lda, null, 0, 0, packedB, c, cOff, ldc, accumulate, threads);
  }

  /** With {@code packedB} non-null, B is read from it ({@link #pack}) instead of {@code b}. */
  private static void gemm(boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] packedB,
      float[] c, int cOff, int ldc, boolean accumulate, int threads) {
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0) {
      if (!accumulate) {
        for (int i = 0; i < m; i++) {
          java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
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
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] packedB,
      float[] c, int cOff, int ldc, boolean accumulate, int parts, int stride) {
    float[] packed = BUFFERS.get().shared();
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
        // sliver boundaries at multiples of 12 rows: every sliver before a boundary is 12 high, so
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
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] packedB, int packedStride,
      float[] c, int cOff, int ldc, boolean accumulate, int i0, int i1, int j0, int j1) {
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
          float[] packed = buf.a((mc + MR) * kc);
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
  private static void macro(float[] packedA, int aOff, int aStride, int mc, int kc, boolean add,
      boolean transB, float[] b, int bOff, int ldb, float[] packedB, int packedStride, int pc,
      float[] c, int cOff, int ldc, int j0, int j1, int ncBlock, boolean direct, Buffers buf) {
    for (int jc = j0; jc < j1; jc += ncBlock) {
      int nc = Math.min(ncBlock, j1 - jc);
      int fullPanels = direct ? nc / NR : 0;
      float[] blockB = buf.b;
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
          float[] bArr = panel < fullPanels ? b : blockB;
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
        // The 12 x KC sliver of A stays in L1 while the micro-kernel walks along a row of C
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
  private static void tile(int h, int rows, int cols, int kc, boolean add, float[] a, int ai, int aStride,
      float[] b, int bi, int bs, float[] c, int ci, int ldc, Buffers buf) {
    if (rows == h && cols == NR) {
      if (add) {
        kernelAcc(h, kc, a, ai, aStride, b, bi, bs, c, ci, ldc);
      } else {
        kernel(h, kc, a, ai, aStride, b, bi, bs, c, ci, ldc);
      }
    } else {
      float[] t = buf.tile;
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

  /** Rows per packed block of A: at most MC, evenly split, a multiple of 12. */
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

  /** 12 rows while there are more than 8 left, then 8 or 4: padding stays below 4 rows. */
  private static int sliverHeight(int rowsLeft) {
    return rowsLeft > 8 ? 12 : rowsLeft > 4 ? 8 : 4;
  }

  private static void kernel(int h, int kc, float[] a, int ai, int aStride, float[] b, int bi, int bs,
      float[] c, int ci, int ldc) {
    if (aStride > 0) {
      if (h == 12) {
        kernel12Direct(kc, a, ai, aStride, b, bi, bs, c, ci, ldc);
      } else if (h == 8) {
        kernel8Direct(kc, a, ai, aStride, b, bi, bs, c, ci, ldc);
      } else {
        kernel4Direct(kc, a, ai, aStride, b, bi, bs, c, ci, ldc);
      }
    } else if (h == 12) {
      kernel12(kc, a, ai, b, bi, bs, c, ci, ldc);
    } else if (h == 8) {
      kernel8(kc, a, ai, b, bi, bs, c, ci, ldc);
    } else {
      kernel4(kc, a, ai, b, bi, bs, c, ci, ldc);
    }
  }

  /** {@link #kernel} that adds to C: separate straight-line kernels, so each stays intrinsified. */
  private static void kernelAcc(int h, int kc, float[] a, int ai, int aStride, float[] b, int bi, int bs,
      float[] c, int ci, int ldc) {
    if (aStride > 0) {
      if (h == 12) {
        kernel12AccDirect(kc, a, ai, aStride, b, bi, bs, c, ci, ldc);
      } else if (h == 8) {
        kernel8AccDirect(kc, a, ai, aStride, b, bi, bs, c, ci, ldc);
      } else {
        kernel4AccDirect(kc, a, ai, aStride, b, bi, bs, c, ci, ldc);
      }
    } else if (h == 12) {
      kernel12Acc(kc, a, ai, b, bi, bs, c, ci, ldc);
    } else if (h == 8) {
      kernel8Acc(kc, a, ai, b, bi, bs, c, ci, ldc);
    } else {
      kernel4Acc(kc, a, ai, b, bi, bs, c, ci, ldc);
    }
  }

  /**
   * Packs rows [ic, ic + mc) and depths [pc, pc + kc) of op(A) into slivers of 12, 8 or 4 rows,
   * each stored depth-major (the rows of one depth adjacent), padded with zero rows.
   */
  private static void packA(boolean transA, float[] a, int aOff, int lda, int ic, int mc, int pc, int kc,
      float[] dst, int dstOff) {
    int s = dstOff;
    for (int ir = 0; ir < mc; ) {
      int h = sliverHeight(mc - ir);
      int rows = Math.min(h, mc - ir);
      if (transA && rows == 12 && L == 16 && kc > 1 && aOff + (pc + kc - 2) * lda + ic + ir + L <= a.length) {
        // a full 12-row sliver, one 16-lane copy per depth (AVX-512): the last 4 lanes land on the next
        // depth's slots, which the next copy overwrites; the last depth is copied exactly (the
        // slots after the sliver may be another thread's). In one JVM, alternating with a
        // System.arraycopy call per depth: 256^3 with A transposed 4-6% faster, in both orders.
        // (Float64's two 8-lane copies per depth measured 0-3% slower: it keeps the arraycopy.)
        int q = aOff + pc * lda + ic + ir;
        for (int p = 0; p < kc - 1; p++, q += lda) {
          FloatVector.fromArray(S, a, q).intoArray(dst, s + p * 12);
        }
        System.arraycopy(a, q, dst, s + (kc - 1) * 12, 12);
      } else if (transA) {
        for (int p = 0; p < kc; p++) {
          int d = s + p * h;
          System.arraycopy(a, aOff + (pc + p) * lda + ic + ir, dst, d, rows);
          for (int r = rows; r < h; r++) {
            dst[d + r] = 0f;
          }
        }
      } else {
        // depth by depth, the rows of a full sliver written out: sequential stores, and a load
        // from each of h rows (1.5x faster than row by row with stores h apart)
        int q = aOff + (ic + ir) * lda + pc;
        if (rows == 12) {
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
              dst[d + r] = 0f;
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
  private static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc,
      float[] dst, int dstOff) {
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
            dst[base + p * NR + j] = 0f;
          }
        }
      } else if (cols == NR) {
        // two vector copies per depth: cheaper than a System.arraycopy call for 128 bytes
        for (int p = 0; p < kc; p++) {
          int src = bOff + (pc + p) * ldb + jc + jr;
          int d = base + p * NR;
          FloatVector.fromArray(S, b, src).intoArray(dst, d);
          FloatVector.fromArray(S, b, src + L).intoArray(dst, d + L);
        }
      } else {
        for (int p = 0; p < kc; p++) {
          int d = base + p * NR;
          System.arraycopy(b, bOff + (pc + p) * ldb + jc + jr, dst, d, cols);
          java.util.Arrays.fill(dst, d + cols, d + NR, 0f);
        }
      }
    }
  }

  // The micro-kernels are unrolled by hand: the JIT keeps each named vector in a register.

  // Kernels reading A in place (row-major, rows lda apart) instead of from a packed sliver: for
  // products with few rows, where packing A costs as much as a fifth of the multiply-adds.

  private static void kernel12Direct(int kc, float[] a, int ai, int lda, float[] b, int bi, int bs,
      float[] c, int ci, int ldc) {
    FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S); FloatVector c41 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S); FloatVector c51 = FloatVector.zero(S);
    FloatVector c60 = FloatVector.zero(S); FloatVector c61 = FloatVector.zero(S);
    FloatVector c70 = FloatVector.zero(S); FloatVector c71 = FloatVector.zero(S);
    FloatVector c80 = FloatVector.zero(S); FloatVector c81 = FloatVector.zero(S);
    FloatVector c90 = FloatVector.zero(S); FloatVector c91 = FloatVector.zero(S);
    FloatVector c100 = FloatVector.zero(S); FloatVector c101 = FloatVector.zero(S);
    FloatVector c110 = FloatVector.zero(S); FloatVector c111 = FloatVector.zero(S);
    int r0 = ai; int r1 = ai + 1 * lda; int r2 = ai + 2 * lda; int r3 = ai + 3 * lda;
    int r4 = ai + 4 * lda; int r5 = ai + 5 * lda; int r6 = ai + 6 * lda; int r7 = ai + 7 * lda;
    int r8 = ai + 8 * lda; int r9 = ai + 9 * lda; int r10 = ai + 10 * lda; int r11 = ai + 11 * lda;
    for (int p = 0; p < kc; p++) {
      int bp = bi + p * bs;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector a0 = FloatVector.broadcast(S, a[r0 + p]);
      c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, a[r1 + p]);
      c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, a[r2 + p]);
      c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, a[r3 + p]);
      c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
      FloatVector a4 = FloatVector.broadcast(S, a[r4 + p]);
      c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
      FloatVector a5 = FloatVector.broadcast(S, a[r5 + p]);
      c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
      FloatVector a6 = FloatVector.broadcast(S, a[r6 + p]);
      c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
      FloatVector a7 = FloatVector.broadcast(S, a[r7 + p]);
      c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71);
      FloatVector a8 = FloatVector.broadcast(S, a[r8 + p]);
      c80 = a8.fma(b0, c80); c81 = a8.fma(b1, c81);
      FloatVector a9 = FloatVector.broadcast(S, a[r9 + p]);
      c90 = a9.fma(b0, c90); c91 = a9.fma(b1, c91);
      FloatVector a10 = FloatVector.broadcast(S, a[r10 + p]);
      c100 = a10.fma(b0, c100); c101 = a10.fma(b1, c101);
      FloatVector a11 = FloatVector.broadcast(S, a[r11 + p]);
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

  private static void kernel12AccDirect(int kc, float[] a, int ai, int lda, float[] b, int bi, int bs,
      float[] c, int ci, int ldc) {
    FloatVector c00 = FloatVector.fromArray(S, c, ci + 0 * ldc); FloatVector c01 = FloatVector.fromArray(S, c, ci + 0 * ldc + L);
    FloatVector c10 = FloatVector.fromArray(S, c, ci + 1 * ldc); FloatVector c11 = FloatVector.fromArray(S, c, ci + 1 * ldc + L);
    FloatVector c20 = FloatVector.fromArray(S, c, ci + 2 * ldc); FloatVector c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
    FloatVector c30 = FloatVector.fromArray(S, c, ci + 3 * ldc); FloatVector c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
    FloatVector c40 = FloatVector.fromArray(S, c, ci + 4 * ldc); FloatVector c41 = FloatVector.fromArray(S, c, ci + 4 * ldc + L);
    FloatVector c50 = FloatVector.fromArray(S, c, ci + 5 * ldc); FloatVector c51 = FloatVector.fromArray(S, c, ci + 5 * ldc + L);
    FloatVector c60 = FloatVector.fromArray(S, c, ci + 6 * ldc); FloatVector c61 = FloatVector.fromArray(S, c, ci + 6 * ldc + L);
    FloatVector c70 = FloatVector.fromArray(S, c, ci + 7 * ldc); FloatVector c71 = FloatVector.fromArray(S, c, ci + 7 * ldc + L);
    FloatVector c80 = FloatVector.fromArray(S, c, ci + 8 * ldc); FloatVector c81 = FloatVector.fromArray(S, c, ci + 8 * ldc + L);
    FloatVector c90 = FloatVector.fromArray(S, c, ci + 9 * ldc); FloatVector c91 = FloatVector.fromArray(S, c, ci + 9 * ldc + L);
    FloatVector c100 = FloatVector.fromArray(S, c, ci + 10 * ldc); FloatVector c101 = FloatVector.fromArray(S, c, ci + 10 * ldc + L);
    FloatVector c110 = FloatVector.fromArray(S, c, ci + 11 * ldc); FloatVector c111 = FloatVector.fromArray(S, c, ci + 11 * ldc + L);
    int r0 = ai; int r1 = ai + 1 * lda; int r2 = ai + 2 * lda; int r3 = ai + 3 * lda;
    int r4 = ai + 4 * lda; int r5 = ai + 5 * lda; int r6 = ai + 6 * lda; int r7 = ai + 7 * lda;
    int r8 = ai + 8 * lda; int r9 = ai + 9 * lda; int r10 = ai + 10 * lda; int r11 = ai + 11 * lda;
    for (int p = 0; p < kc; p++) {
      int bp = bi + p * bs;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector a0 = FloatVector.broadcast(S, a[r0 + p]);
      c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, a[r1 + p]);
      c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, a[r2 + p]);
      c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, a[r3 + p]);
      c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
      FloatVector a4 = FloatVector.broadcast(S, a[r4 + p]);
      c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
      FloatVector a5 = FloatVector.broadcast(S, a[r5 + p]);
      c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
      FloatVector a6 = FloatVector.broadcast(S, a[r6 + p]);
      c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
      FloatVector a7 = FloatVector.broadcast(S, a[r7 + p]);
      c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71);
      FloatVector a8 = FloatVector.broadcast(S, a[r8 + p]);
      c80 = a8.fma(b0, c80); c81 = a8.fma(b1, c81);
      FloatVector a9 = FloatVector.broadcast(S, a[r9 + p]);
      c90 = a9.fma(b0, c90); c91 = a9.fma(b1, c91);
      FloatVector a10 = FloatVector.broadcast(S, a[r10 + p]);
      c100 = a10.fma(b0, c100); c101 = a10.fma(b1, c101);
      FloatVector a11 = FloatVector.broadcast(S, a[r11 + p]);
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

  private static void kernel8Direct(int kc, float[] a, int ai, int lda, float[] b, int bi, int bs,
      float[] c, int ci, int ldc) {
    FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S); FloatVector c41 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S); FloatVector c51 = FloatVector.zero(S);
    FloatVector c60 = FloatVector.zero(S); FloatVector c61 = FloatVector.zero(S);
    FloatVector c70 = FloatVector.zero(S); FloatVector c71 = FloatVector.zero(S);
    int r0 = ai; int r1 = ai + 1 * lda; int r2 = ai + 2 * lda; int r3 = ai + 3 * lda;
    int r4 = ai + 4 * lda; int r5 = ai + 5 * lda; int r6 = ai + 6 * lda; int r7 = ai + 7 * lda;
    for (int p = 0; p < kc; p++) {
      int bp = bi + p * bs;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector a0 = FloatVector.broadcast(S, a[r0 + p]);
      c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, a[r1 + p]);
      c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, a[r2 + p]);
      c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, a[r3 + p]);
      c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
      FloatVector a4 = FloatVector.broadcast(S, a[r4 + p]);
      c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
      FloatVector a5 = FloatVector.broadcast(S, a[r5 + p]);
      c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
      FloatVector a6 = FloatVector.broadcast(S, a[r6 + p]);
      c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
      FloatVector a7 = FloatVector.broadcast(S, a[r7 + p]);
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

  private static void kernel8AccDirect(int kc, float[] a, int ai, int lda, float[] b, int bi, int bs,
      float[] c, int ci, int ldc) {
    FloatVector c00 = FloatVector.fromArray(S, c, ci + 0 * ldc); FloatVector c01 = FloatVector.fromArray(S, c, ci + 0 * ldc + L);
    FloatVector c10 = FloatVector.fromArray(S, c, ci + 1 * ldc); FloatVector c11 = FloatVector.fromArray(S, c, ci + 1 * ldc + L);
    FloatVector c20 = FloatVector.fromArray(S, c, ci + 2 * ldc); FloatVector c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
    FloatVector c30 = FloatVector.fromArray(S, c, ci + 3 * ldc); FloatVector c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
    FloatVector c40 = FloatVector.fromArray(S, c, ci + 4 * ldc); FloatVector c41 = FloatVector.fromArray(S, c, ci + 4 * ldc + L);
    FloatVector c50 = FloatVector.fromArray(S, c, ci + 5 * ldc); FloatVector c51 = FloatVector.fromArray(S, c, ci + 5 * ldc + L);
    FloatVector c60 = FloatVector.fromArray(S, c, ci + 6 * ldc); FloatVector c61 = FloatVector.fromArray(S, c, ci + 6 * ldc + L);
    FloatVector c70 = FloatVector.fromArray(S, c, ci + 7 * ldc); FloatVector c71 = FloatVector.fromArray(S, c, ci + 7 * ldc + L);
    int r0 = ai; int r1 = ai + 1 * lda; int r2 = ai + 2 * lda; int r3 = ai + 3 * lda;
    int r4 = ai + 4 * lda; int r5 = ai + 5 * lda; int r6 = ai + 6 * lda; int r7 = ai + 7 * lda;
    for (int p = 0; p < kc; p++) {
      int bp = bi + p * bs;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector a0 = FloatVector.broadcast(S, a[r0 + p]);
      c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, a[r1 + p]);
      c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, a[r2 + p]);
      c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, a[r3 + p]);
      c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
      FloatVector a4 = FloatVector.broadcast(S, a[r4 + p]);
      c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
      FloatVector a5 = FloatVector.broadcast(S, a[r5 + p]);
      c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
      FloatVector a6 = FloatVector.broadcast(S, a[r6 + p]);
      c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
      FloatVector a7 = FloatVector.broadcast(S, a[r7 + p]);
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

  private static void kernel4Direct(int kc, float[] a, int ai, int lda, float[] b, int bi, int bs,
      float[] c, int ci, int ldc) {
    FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S);
    int r0 = ai; int r1 = ai + 1 * lda; int r2 = ai + 2 * lda; int r3 = ai + 3 * lda;
    for (int p = 0; p < kc; p++) {
      int bp = bi + p * bs;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector a0 = FloatVector.broadcast(S, a[r0 + p]);
      c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, a[r1 + p]);
      c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, a[r2 + p]);
      c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, a[r3 + p]);
      c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
    }
    // Stores written out: a helper method would exceed the JIT's inlining budget and box.
    c00.intoArray(c, ci + 0 * ldc); c01.intoArray(c, ci + 0 * ldc + L);
    c10.intoArray(c, ci + 1 * ldc); c11.intoArray(c, ci + 1 * ldc + L);
    c20.intoArray(c, ci + 2 * ldc); c21.intoArray(c, ci + 2 * ldc + L);
    c30.intoArray(c, ci + 3 * ldc); c31.intoArray(c, ci + 3 * ldc + L);
  }

  private static void kernel4AccDirect(int kc, float[] a, int ai, int lda, float[] b, int bi, int bs,
      float[] c, int ci, int ldc) {
    FloatVector c00 = FloatVector.fromArray(S, c, ci + 0 * ldc); FloatVector c01 = FloatVector.fromArray(S, c, ci + 0 * ldc + L);
    FloatVector c10 = FloatVector.fromArray(S, c, ci + 1 * ldc); FloatVector c11 = FloatVector.fromArray(S, c, ci + 1 * ldc + L);
    FloatVector c20 = FloatVector.fromArray(S, c, ci + 2 * ldc); FloatVector c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
    FloatVector c30 = FloatVector.fromArray(S, c, ci + 3 * ldc); FloatVector c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
    int r0 = ai; int r1 = ai + 1 * lda; int r2 = ai + 2 * lda; int r3 = ai + 3 * lda;
    for (int p = 0; p < kc; p++) {
      int bp = bi + p * bs;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector a0 = FloatVector.broadcast(S, a[r0 + p]);
      c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, a[r1 + p]);
      c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, a[r2 + p]);
      c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, a[r3 + p]);
      c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
    }
    // Stores written out: a helper method would exceed the JIT's inlining budget and box.
    c00.intoArray(c, ci + 0 * ldc); c01.intoArray(c, ci + 0 * ldc + L);
    c10.intoArray(c, ci + 1 * ldc); c11.intoArray(c, ci + 1 * ldc + L);
    c20.intoArray(c, ci + 2 * ldc); c21.intoArray(c, ci + 2 * ldc + L);
    c30.intoArray(c, ci + 3 * ldc); c31.intoArray(c, ci + 3 * ldc + L);
  }

  private static void kernel12(int kc, float[] a, int ai, float[] b, int bi, int bs,
      float[] c, int ci, int ldc) {
    FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S); FloatVector c41 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S); FloatVector c51 = FloatVector.zero(S);
    FloatVector c60 = FloatVector.zero(S); FloatVector c61 = FloatVector.zero(S);
    FloatVector c70 = FloatVector.zero(S); FloatVector c71 = FloatVector.zero(S);
    FloatVector c80 = FloatVector.zero(S); FloatVector c81 = FloatVector.zero(S);
    FloatVector c90 = FloatVector.zero(S); FloatVector c91 = FloatVector.zero(S);
    FloatVector c100 = FloatVector.zero(S); FloatVector c101 = FloatVector.zero(S);
    FloatVector c110 = FloatVector.zero(S); FloatVector c111 = FloatVector.zero(S);
    for (int p = 0; p < kc; p++) {
      int ap = ai + p * 12;
      int bp = bi + p * bs;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector a0 = FloatVector.broadcast(S, a[ap + 0]);
      c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, a[ap + 1]);
      c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, a[ap + 2]);
      c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, a[ap + 3]);
      c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
      FloatVector a4 = FloatVector.broadcast(S, a[ap + 4]);
      c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
      FloatVector a5 = FloatVector.broadcast(S, a[ap + 5]);
      c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
      FloatVector a6 = FloatVector.broadcast(S, a[ap + 6]);
      c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
      FloatVector a7 = FloatVector.broadcast(S, a[ap + 7]);
      c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71);
      FloatVector a8 = FloatVector.broadcast(S, a[ap + 8]);
      c80 = a8.fma(b0, c80); c81 = a8.fma(b1, c81);
      FloatVector a9 = FloatVector.broadcast(S, a[ap + 9]);
      c90 = a9.fma(b0, c90); c91 = a9.fma(b1, c91);
      FloatVector a10 = FloatVector.broadcast(S, a[ap + 10]);
      c100 = a10.fma(b0, c100); c101 = a10.fma(b1, c101);
      FloatVector a11 = FloatVector.broadcast(S, a[ap + 11]);
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

  private static void kernel8(int kc, float[] a, int ai, float[] b, int bi, int bs,
      float[] c, int ci, int ldc) {
    FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S);
    FloatVector c40 = FloatVector.zero(S); FloatVector c41 = FloatVector.zero(S);
    FloatVector c50 = FloatVector.zero(S); FloatVector c51 = FloatVector.zero(S);
    FloatVector c60 = FloatVector.zero(S); FloatVector c61 = FloatVector.zero(S);
    FloatVector c70 = FloatVector.zero(S); FloatVector c71 = FloatVector.zero(S);
    for (int p = 0; p < kc; p++) {
      int ap = ai + p * 8;
      int bp = bi + p * bs;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector a0 = FloatVector.broadcast(S, a[ap + 0]);
      c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, a[ap + 1]);
      c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, a[ap + 2]);
      c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, a[ap + 3]);
      c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
      FloatVector a4 = FloatVector.broadcast(S, a[ap + 4]);
      c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
      FloatVector a5 = FloatVector.broadcast(S, a[ap + 5]);
      c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
      FloatVector a6 = FloatVector.broadcast(S, a[ap + 6]);
      c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
      FloatVector a7 = FloatVector.broadcast(S, a[ap + 7]);
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

  private static void kernel4(int kc, float[] a, int ai, float[] b, int bi, int bs,
      float[] c, int ci, int ldc) {
    FloatVector c00 = FloatVector.zero(S); FloatVector c01 = FloatVector.zero(S);
    FloatVector c10 = FloatVector.zero(S); FloatVector c11 = FloatVector.zero(S);
    FloatVector c20 = FloatVector.zero(S); FloatVector c21 = FloatVector.zero(S);
    FloatVector c30 = FloatVector.zero(S); FloatVector c31 = FloatVector.zero(S);
    for (int p = 0; p < kc; p++) {
      int ap = ai + p * 4;
      int bp = bi + p * bs;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector a0 = FloatVector.broadcast(S, a[ap + 0]);
      c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, a[ap + 1]);
      c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, a[ap + 2]);
      c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, a[ap + 3]);
      c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
    }
    // Stores written out: a helper method would exceed the JIT's inlining budget and box.
    c00.intoArray(c, ci + 0 * ldc); c01.intoArray(c, ci + 0 * ldc + L);
    c10.intoArray(c, ci + 1 * ldc); c11.intoArray(c, ci + 1 * ldc + L);
    c20.intoArray(c, ci + 2 * ldc); c21.intoArray(c, ci + 2 * ldc + L);
    c30.intoArray(c, ci + 3 * ldc); c31.intoArray(c, ci + 3 * ldc + L);
  }

  private static void kernel12Acc(int kc, float[] a, int ai, float[] b, int bi, int bs,
      float[] c, int ci, int ldc) {
    FloatVector c00 = FloatVector.fromArray(S, c, ci + 0 * ldc); FloatVector c01 = FloatVector.fromArray(S, c, ci + 0 * ldc + L);
    FloatVector c10 = FloatVector.fromArray(S, c, ci + 1 * ldc); FloatVector c11 = FloatVector.fromArray(S, c, ci + 1 * ldc + L);
    FloatVector c20 = FloatVector.fromArray(S, c, ci + 2 * ldc); FloatVector c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
    FloatVector c30 = FloatVector.fromArray(S, c, ci + 3 * ldc); FloatVector c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
    FloatVector c40 = FloatVector.fromArray(S, c, ci + 4 * ldc); FloatVector c41 = FloatVector.fromArray(S, c, ci + 4 * ldc + L);
    FloatVector c50 = FloatVector.fromArray(S, c, ci + 5 * ldc); FloatVector c51 = FloatVector.fromArray(S, c, ci + 5 * ldc + L);
    FloatVector c60 = FloatVector.fromArray(S, c, ci + 6 * ldc); FloatVector c61 = FloatVector.fromArray(S, c, ci + 6 * ldc + L);
    FloatVector c70 = FloatVector.fromArray(S, c, ci + 7 * ldc); FloatVector c71 = FloatVector.fromArray(S, c, ci + 7 * ldc + L);
    FloatVector c80 = FloatVector.fromArray(S, c, ci + 8 * ldc); FloatVector c81 = FloatVector.fromArray(S, c, ci + 8 * ldc + L);
    FloatVector c90 = FloatVector.fromArray(S, c, ci + 9 * ldc); FloatVector c91 = FloatVector.fromArray(S, c, ci + 9 * ldc + L);
    FloatVector c100 = FloatVector.fromArray(S, c, ci + 10 * ldc); FloatVector c101 = FloatVector.fromArray(S, c, ci + 10 * ldc + L);
    FloatVector c110 = FloatVector.fromArray(S, c, ci + 11 * ldc); FloatVector c111 = FloatVector.fromArray(S, c, ci + 11 * ldc + L);
    for (int p = 0; p < kc; p++) {
      int ap = ai + p * 12;
      int bp = bi + p * bs;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector a0 = FloatVector.broadcast(S, a[ap + 0]);
      c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, a[ap + 1]);
      c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, a[ap + 2]);
      c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, a[ap + 3]);
      c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
      FloatVector a4 = FloatVector.broadcast(S, a[ap + 4]);
      c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
      FloatVector a5 = FloatVector.broadcast(S, a[ap + 5]);
      c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
      FloatVector a6 = FloatVector.broadcast(S, a[ap + 6]);
      c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
      FloatVector a7 = FloatVector.broadcast(S, a[ap + 7]);
      c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71);
      FloatVector a8 = FloatVector.broadcast(S, a[ap + 8]);
      c80 = a8.fma(b0, c80); c81 = a8.fma(b1, c81);
      FloatVector a9 = FloatVector.broadcast(S, a[ap + 9]);
      c90 = a9.fma(b0, c90); c91 = a9.fma(b1, c91);
      FloatVector a10 = FloatVector.broadcast(S, a[ap + 10]);
      c100 = a10.fma(b0, c100); c101 = a10.fma(b1, c101);
      FloatVector a11 = FloatVector.broadcast(S, a[ap + 11]);
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

  private static void kernel8Acc(int kc, float[] a, int ai, float[] b, int bi, int bs,
      float[] c, int ci, int ldc) {
    FloatVector c00 = FloatVector.fromArray(S, c, ci + 0 * ldc); FloatVector c01 = FloatVector.fromArray(S, c, ci + 0 * ldc + L);
    FloatVector c10 = FloatVector.fromArray(S, c, ci + 1 * ldc); FloatVector c11 = FloatVector.fromArray(S, c, ci + 1 * ldc + L);
    FloatVector c20 = FloatVector.fromArray(S, c, ci + 2 * ldc); FloatVector c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
    FloatVector c30 = FloatVector.fromArray(S, c, ci + 3 * ldc); FloatVector c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
    FloatVector c40 = FloatVector.fromArray(S, c, ci + 4 * ldc); FloatVector c41 = FloatVector.fromArray(S, c, ci + 4 * ldc + L);
    FloatVector c50 = FloatVector.fromArray(S, c, ci + 5 * ldc); FloatVector c51 = FloatVector.fromArray(S, c, ci + 5 * ldc + L);
    FloatVector c60 = FloatVector.fromArray(S, c, ci + 6 * ldc); FloatVector c61 = FloatVector.fromArray(S, c, ci + 6 * ldc + L);
    FloatVector c70 = FloatVector.fromArray(S, c, ci + 7 * ldc); FloatVector c71 = FloatVector.fromArray(S, c, ci + 7 * ldc + L);
    for (int p = 0; p < kc; p++) {
      int ap = ai + p * 8;
      int bp = bi + p * bs;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector a0 = FloatVector.broadcast(S, a[ap + 0]);
      c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, a[ap + 1]);
      c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, a[ap + 2]);
      c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, a[ap + 3]);
      c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
      FloatVector a4 = FloatVector.broadcast(S, a[ap + 4]);
      c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
      FloatVector a5 = FloatVector.broadcast(S, a[ap + 5]);
      c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
      FloatVector a6 = FloatVector.broadcast(S, a[ap + 6]);
      c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61);
      FloatVector a7 = FloatVector.broadcast(S, a[ap + 7]);
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

  private static void kernel4Acc(int kc, float[] a, int ai, float[] b, int bi, int bs,
      float[] c, int ci, int ldc) {
    FloatVector c00 = FloatVector.fromArray(S, c, ci + 0 * ldc); FloatVector c01 = FloatVector.fromArray(S, c, ci + 0 * ldc + L);
    FloatVector c10 = FloatVector.fromArray(S, c, ci + 1 * ldc); FloatVector c11 = FloatVector.fromArray(S, c, ci + 1 * ldc + L);
    FloatVector c20 = FloatVector.fromArray(S, c, ci + 2 * ldc); FloatVector c21 = FloatVector.fromArray(S, c, ci + 2 * ldc + L);
    FloatVector c30 = FloatVector.fromArray(S, c, ci + 3 * ldc); FloatVector c31 = FloatVector.fromArray(S, c, ci + 3 * ldc + L);
    for (int p = 0; p < kc; p++) {
      int ap = ai + p * 4;
      int bp = bi + p * bs;
      FloatVector b0 = FloatVector.fromArray(S, b, bp);
      FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
      FloatVector a0 = FloatVector.broadcast(S, a[ap + 0]);
      c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
      FloatVector a1 = FloatVector.broadcast(S, a[ap + 1]);
      c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
      FloatVector a2 = FloatVector.broadcast(S, a[ap + 2]);
      c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
      FloatVector a3 = FloatVector.broadcast(S, a[ap + 3]);
      c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
    }
    // Stores written out: a helper method would exceed the JIT's inlining budget and box.
    c00.intoArray(c, ci + 0 * ldc); c01.intoArray(c, ci + 0 * ldc + L);
    c10.intoArray(c, ci + 1 * ldc); c11.intoArray(c, ci + 1 * ldc + L);
    c20.intoArray(c, ci + 2 * ldc); c21.intoArray(c, ci + 2 * ldc + L);
    c30.intoArray(c, ci + 3 * ldc); c31.intoArray(c, ci + 3 * ldc + L);
  }

}
