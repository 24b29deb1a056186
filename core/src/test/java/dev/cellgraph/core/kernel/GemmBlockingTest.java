package dev.cellgraph.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GEMM blocking derived from vector width, registers and cache sizes ({@link GemmBlocking}). */
class GemmBlockingTest {
  private static final CpuCaches ZEN = CpuCaches.of(32 * 1024, 1024 * 1024, "test");

  @Test
  void avx512WithA1MbL2GivesTheBlockingMeasuredBest() {
    GemmBlocking f = GemmBlocking.derive(4, 512, 32, ZEN, false);
    assertEquals("float32 GEMM: 512-bit vectors, 32 registers, L1d 32 KB, L2 1024 KB (test); tile 12 x 32 "
        + "(slivers [12, 8, 4], in place [12, 8, 4]), KC 256, KC_WIDE 1024, MC 1032, NC 1024, NC_WIDE 256, "
        + "parallel from 524288 multiply-adds (one row: from 65536)", f.describe());
    GemmBlocking d = GemmBlocking.derive(8, 512, 32, ZEN, false);
    assertEquals("float64 GEMM: 512-bit vectors, 32 registers, L1d 32 KB, L2 1024 KB (test); tile 14 x 16 "
        + "(slivers [14, 12, 8, 4], in place [12, 8, 4]), KC 256, KC_WIDE 1024, MC 1036, NC 512, NC_WIDE 128, "
        + "parallel from 262144 multiply-adds (one row: from 32768)", d.describe());
    assertEquals(12, GemmBlocking.derive(8, 512, 32, ZEN, true).mr);
  }

  @Test
  void a48KbL1AndA2MbL2GiveWiderBlocksOfB() {
    GemmBlocking f = GemmBlocking.derive(4, 512, 32, CpuCaches.of(48 * 1024, 2048 * 1024, "test"), false);
    assertEquals(256, f.kc);
    assertEquals(2048, f.nc);
    assertEquals(512, f.ncWide);
    assertEquals(2052, f.mc);
  }

  @Test
  void avx2With16RegistersUsesSixRowTiles() {
    GemmBlocking f = GemmBlocking.derive(4, 256, 16, ZEN, false);
    assertEquals(6, f.mr);
    assertEquals(16, f.nr);
    assertEquals(256, f.kc);
    assertEquals(1024 * 1024 / (256 * 4) / 16 * 16, f.nc);
    // slivers: 6 while 6 or more rows are left, then 6 or 4
    assertEquals(6, f.sliverHeight(100));
    assertEquals(6, f.sliverHeight(5));
    assertEquals(4, f.sliverHeight(4));
    assertEquals(4, f.sliverHeight(1));
    assertEquals(4, f.inPlaceHeight(12));
    assertEquals(1026, f.mc); // 1 MB / 1024 depths = 1024 rows, rounded up to a multiple of 6
  }

  @Test
  void neonWith128BitVectorsKeepsTheTallTileAndASmallerKcOnASmallL1() {
    GemmBlocking f = GemmBlocking.derive(4, 128, 32, CpuCaches.of(16 * 1024, 512 * 1024, "test"), false);
    assertEquals(8, f.nr);
    assertEquals(12, f.mr);
    assertEquals(256, f.kc); // 16 KB / (8 x 4 bytes) = 512, capped at 256
    GemmBlocking d = GemmBlocking.derive(8, 128, 32, CpuCaches.of(4 * 1024, 512 * 1024, "test"), false);
    assertEquals(4, d.nr);
    assertEquals(128, d.kc); // 4 KB / (4 x 8 bytes)
  }

  @Test
  void sliverHeightsPadByLessThanFourRows() {
    GemmBlocking f = GemmBlocking.derive(4, 512, 32, ZEN, false);
    GemmBlocking d = GemmBlocking.derive(8, 512, 32, ZEN, false);
    int[] expectF = {4, 4, 4, 4, 8, 8, 8, 8, 12, 12, 12, 12, 12, 12, 12};
    int[] expectD = {4, 4, 4, 4, 8, 8, 8, 8, 12, 12, 12, 12, 14, 14, 14};
    for (int rows = 1; rows <= 15; rows++) {
      assertEquals(expectF[rows - 1], f.sliverHeight(rows), "float32, " + rows + " rows");
      assertEquals(expectD[rows - 1], d.sliverHeight(rows), "float64, " + rows + " rows");
    }
    assertEquals(12, f.inPlaceHeight(20));
    assertEquals(8, f.inPlaceHeight(8));
    assertEquals(4, f.inPlaceHeight(4));
  }

  @Test
  void rejectsAnUnsupportedVectorWidth() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GemmBlocking.derive(4, 64, 32, ZEN, false));
    assertEquals("vector width (64) must be 128, 256 or 512 bits", e.getMessage());
  }

  @Test
  void readsCacheSizesFromSysfs(@TempDir Path dir) throws IOException {
    entry(dir, 0, "1", "Data", "48K");
    entry(dir, 1, "1", "Instruction", "32K");
    entry(dir, 2, "2", "Unified", "1024K");
    entry(dir, 3, "3", "Unified", "32768K");
    CpuCaches c = CpuCaches.fromSysfs(dir);
    assertEquals("L1d 48 KB, L2 1024 KB (sysfs)", c.toString());
  }

  @Test
  void aSysfsWithoutAnL2GivesNothing(@TempDir Path dir) throws IOException {
    entry(dir, 0, "1", "Data", "32K");
    assertNull(CpuCaches.fromSysfs(dir));
    assertNull(CpuCaches.fromSysfs(dir.resolve("missing")));
  }

  @Test
  void parsesCacheSizeUnits() {
    assertEquals(48 * 1024, CpuCaches.parseSize("48K"));
    assertEquals(2 * 1024 * 1024, CpuCaches.parseSize("2M"));
    assertEquals(65536, CpuCaches.parseSize("65536"));
  }

  @Test
  void vectorBitsPropertyNarrowsButNeverWidens() {
    assertEquals(512, VectorWidth.chooseBits(null, 512));
    assertEquals(256, VectorWidth.chooseBits("256", 512));
    assertEquals(128, VectorWidth.chooseBits(" 128 ", 256));
    assertEquals(256, VectorWidth.chooseBits("512", 256));
    assertEquals(512, VectorWidth.chooseBits("96", 512));
    assertEquals(512, VectorWidth.chooseBits("wide", 512));
  }

  @Test
  void describeNamesTheVectorWidthAndBothBlockings() {
    String text = Kernels.describe();
    if (Kernels.isVectorized()) {
      assertTrue(text.startsWith("Vector API (" + VectorWidth.BITS + "-bit): " + VectorWidth.BITS + "-bit vectors (preferred "),
          text);
      assertTrue(text.contains("\nfloat32 GEMM: ") && text.contains("\nfloat64 GEMM: "), text);
    } else {
      assertEquals("plain Java", text);
    }
  }

  private static void entry(Path dir, int i, String level, String type, String size) throws IOException {
    Path d = Files.createDirectories(dir.resolve("index" + i));
    Files.writeString(d.resolve("level"), level + "\n");
    Files.writeString(d.resolve("type"), type + "\n");
    Files.writeString(d.resolve("size"), size + "\n");
  }
}
