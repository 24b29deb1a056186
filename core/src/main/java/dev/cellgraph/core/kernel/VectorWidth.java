package dev.cellgraph.core.kernel;

import dev.cellgraph.core.Setting;
import java.util.Locale;
import java.util.logging.Logger;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species every Vector API kernel uses, chosen once: the JVM's preferred one, or a
 * narrower one forced with the system property {@code cellgraph.vector.bits=128|256|512} (to test
 * and measure the kernels as they run on AVX2 or NEON machines). Only loaded with the Vector API.
 */
final class VectorWidth {
  private static final Logger LOG = Logger.getLogger(VectorWidth.class.getName());

  private VectorWidth() {}

  /** The widest vector this CPU runs natively, in bits. */
  static final int PREFERRED_BITS = VectorShape.preferredShape().vectorBitSize();
  /** The width in use, in bits. */
  static final int BITS = chooseBits(Setting.VECTOR_BITS.raw(), PREFERRED_BITS);
  static final VectorSpecies<Float> FLOAT = VectorSpecies.of(float.class, VectorShape.forBitSize(BITS));
  static final VectorSpecies<Double> DOUBLE = VectorSpecies.of(double.class, VectorShape.forBitSize(BITS));
  /**
   * Vector registers: 32 on ARM64 and on x86 with AVX-512 (also when a narrower species is forced
   * there: AVX-512VL gives 32 256-bit and 128-bit registers), otherwise 16. Property
   * {@code cellgraph.vector.registers} overrides it, to test the 16-register tiles anywhere.
   */
  static final int REGISTERS = Setting.VECTOR_REGISTERS.intValue(
      System.getProperty("os.arch", "").toLowerCase(Locale.ROOT).contains("aarch64") || PREFERRED_BITS >= 512 ? 32 : 16,
      8, 64);

  /** The width {@code property} asks for, or {@code preferred} (with a warning if the request is not usable). */
  static int chooseBits(String property, int preferred) {
    if (property == null) {
      return preferred;
    }
    int bits;
    try {
      bits = Integer.parseInt(property.trim());
    } catch (NumberFormatException e) {
      bits = -1;
    }
    if (bits != 128 && bits != 256 && bits != 512) {
      LOG.warning("ignoring cellgraph.vector.bits=" + property + ": expected 128, 256 or 512");
      return preferred;
    }
    if (bits > preferred) {
      // wider than the hardware: the JIT would not intrinsify it, and every kernel would crawl
      LOG.warning("ignoring cellgraph.vector.bits=" + property + ": this CPU's vectors are " + preferred + " bits");
      return preferred;
    }
    return bits;
  }

  /** e.g. "512-bit vectors (preferred 512), 32 registers". */
  static String describe() {
    return BITS + "-bit vectors (preferred " + PREFERRED_BITS + "), " + REGISTERS + " registers";
  }
}
