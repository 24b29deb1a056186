package dev.cellgraph.core;

import static dev.cellgraph.core.TensorFixtures.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link Shape}: a validated value type that broadcasts like NumPy. */
class ShapeTest {
  @Test
  void isAValidatedValueType() {
    Shape s = Shape.of(2, 3, 4);
    assertEquals(3, s.rank());
    assertEquals(24, s.size());
    assertEquals(4, s.dim(-1));
    assertArrayEquals(new int[] {12, 4, 1}, s.strides());
    assertEquals(Shape.of(2, 3, 4), s);
    assertEquals(Shape.of(2, 3, 4).hashCode(), s.hashCode());
    assertNotEquals(Shape.of(2, 3), s);
    assertEquals("[2, 3, 4]", s.toString());
    assertEquals(Shape.of(2, 5, 4), s.with(1, 5));
    assertEquals(Shape.of(2, 4), s.without(-2));
    assertEquals(12, s.product(1, 3));
    assertSame(Shape.scalar(), Shape.of());
    assertTrue(Shape.scalar().isScalar());
    assertEquals(1, Shape.scalar().size());
    assertEquals("[]", Shape.scalar().toString());
    assertEquals(0, Shape.of(3, 0).size());
  }

  @Test
  void isImmutable() {
    int[] dims = {2, 3};
    Shape s = Shape.of(dims);
    dims[0] = 7;
    assertEquals(2, s.dim(0));
    s.toArray()[1] = 9;
    assertEquals(3, s.dim(1));
  }

  @Test
  void rejectsBadDimensionsAndAxes() {
    assertMessage("dimension 1 (-2) of shape [3, -2] must not be negative", () -> Shape.of(3, -2));
    assertMessage("axis 2 is out of range for shape [2, 3] of rank 2", () -> Shape.of(2, 3).dim(2));
    assertMessage("axis -3 is out of range for shape [2, 3] of rank 2", () -> Shape.of(2, 3).normalizeAxis(-3));
    assertMessage("shape [65536, 65536] has more than 2147483647 elements", () -> Shape.of(65536, 65536));
  }

  @Test
  void sizeLimitDoesNotDependOnWhereAZeroIs() {
    // Sub-products of a shape serve as strides and loop bounds, so they must fit in an int
    // whichever dimension is zero.
    String msg = "shape %s is too large: the product of its non-zero dimensions exceeds 2147483647";
    assertMessage(String.format(msg, "[65536, 65536, 0]"), () -> Shape.of(65536, 65536, 0));
    assertMessage(String.format(msg, "[0, 65536, 65536]"), () -> Shape.of(0, 65536, 65536));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "[2, 3] | [3]       | [2, 3]",
      "[2, 3] | []        | [2, 3]",
      "[3, 1] | [1, 4]    | [3, 4]",
      "[5, 1, 4] | [3, 1] | [5, 3, 4]",
      "[1] | [2, 1, 3]    | [2, 1, 3]",
      "[0, 3] | [1, 3]    | [0, 3]",
      "[2, 3] | [4]       | null",
      "[2, 3] | [3, 2, 2] | null"})
  void broadcastFollowsNumPy(String a, String b, String expected) {
    Shape out = Shape.broadcast(parse(a), parse(b));
    if (expected.equals("null")) {
      assertNull(out);
      assertNull(Shape.broadcast(parse(b), parse(a)));
    } else {
      assertEquals(parse(expected), out);
      assertEquals(parse(expected), Shape.broadcast(parse(b), parse(a)), "broadcast is symmetric");
    }
  }

  private Shape parse(String s) {
    String body = s.trim().substring(1, s.trim().length() - 1).trim();
    if (body.isEmpty()) {
      return Shape.scalar();
    }
    String[] parts = body.split(",\\s*");
    int[] d = new int[parts.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = Integer.parseInt(parts[i]);
    }
    return Shape.of(d);
  }
}
