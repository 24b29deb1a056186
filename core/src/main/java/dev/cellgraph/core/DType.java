package dev.cellgraph.core;

/**
 * Element types of a {@link Tensor}. Arithmetic is defined for the floating types; the integer
 * types hold token ids and integer data read from safetensors files and support only creation,
 * indexing, reshaping, slicing, concatenation and conversion.
 *
 * <p>Immutable and thread-safe.
 */
public enum DType {
  /** 32-bit IEEE floating point, the default for training. */
  FLOAT32("F32", 4, true),
  /** 64-bit IEEE floating point, for gradient checks. */
  FLOAT64("F64", 8, true),
  /** 32-bit signed integers (token ids, labels). */
  INT32("I32", 4, false),
  /** 64-bit signed integers. */
  INT64("I64", 8, false);

  private final String safetensorsName;
  private final int byteSize;
  private final boolean floating;

  DType(String safetensorsName, int byteSize, boolean floating) {
    this.safetensorsName = safetensorsName;
    this.byteSize = byteSize;
    this.floating = floating;
  }

  /**
   * The dtype's name in a safetensors header ({@code F32}, {@code F64}, {@code I32}, {@code I64}).
   *
   * @return the safetensors dtype code: {@code F32}, {@code F64}, {@code I32} or {@code I64}
   */
  public String safetensorsName() {
    return safetensorsName;
  }

  /**
   * Bytes per element: 4 or 8.
   *
   * @return the size of one element in bytes, 4 or 8
   */
  public int byteSize() {
    return byteSize;
  }

  /**
   * Whether arithmetic is defined on this type ({@code FLOAT32} and {@code FLOAT64}).
   *
   * @return {@code true} for {@code FLOAT32} and {@code FLOAT64}, {@code false} for the integer
   *     types
   */
  public boolean isFloating() {
    return floating;
  }

  /**
   * The lower-case name used in messages and on the command line: {@code float32}, ...
   *
   * @return the constant's name in lower case, such as {@code float32}
   */
  public String lowerName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * Parses {@code float32}, {@code float64}, {@code int32}, {@code int64} (also {@code f32}, ...).
   *
   * @param name a dtype name or alias in any case, such as {@code float32}, {@code f64} or {@code
   *     long}
   * @return the dtype that {@code name} denotes
   */
  public static DType parse(String name) {
    switch (name.toLowerCase(java.util.Locale.ROOT)) {
      case "float32": case "f32": case "float": return FLOAT32;
      case "float64": case "f64": case "double": return FLOAT64;
      case "int32": case "i32": return INT32;
      case "int64": case "i64": case "long": return INT64;
      default:
        throw new IllegalArgumentException(
            "unknown dtype '" + name + "' (expected float32, float64, int32 or int64)");
    }
  }

  /**
   * The dtype named by a safetensors header, or {@code null} when it is not one we read.
   *
   * @param name the dtype code from a safetensors header, such as {@code F32} (case-sensitive)
   * @return the matching dtype, or {@code null} if no dtype has that safetensors name
   */
  public static DType fromSafetensors(String name) {
    for (DType t : values()) {
      if (t.safetensorsName.equals(name)) {
        return t;
      }
    }
    return null;
  }
}
