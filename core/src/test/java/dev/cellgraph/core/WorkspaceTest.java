package dev.cellgraph.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WorkspaceTest {

  @Test
  void withoutAWorkspaceEveryArrayIsNew() {
    float[] a = Workspace.newFloats(8);
    float[] b = Workspace.newFloats(8);
    assertNotSame(a, b);
  }

  @Test
  void aStepsArraysComeBackExceptThoseTheKeptValuesHold() {
    try (Workspace w = Workspace.open()) {
      float[] kept = Workspace.newFloats(6);
      float[] dead = Workspace.newFloats(6);
      double[] deadD = Workspace.newDoubles(3);
      w.endStep(Tensor.wrap(kept, Shape.of(2, 3)));
      // the dead arrays are handed out again, the kept one is not
      float[] next = Workspace.newFloats(6);
      assertSame(dead, next);
      assertNotSame(kept, Workspace.newFloats(6));
      assertSame(deadD, Workspace.newDoubles(3));
      // once no longer kept, it comes back too
      w.endStep();
      float[] again1 = Workspace.newFloats(6);
      float[] again2 = Workspace.newFloats(6);
      float[] again3 = Workspace.newFloats(6);
      assertTrue(again1 == kept || again2 == kept || again3 == kept);
    }
    assertEquals(8, Workspace.newFloats(8).length);
  }

  @Test
  void nestedWorkspacesRestoreTheOuterOneAndMatmulUsesTheCurrentOne() {
    Tensor a = Tensor.ofFloats(new float[] {1, 2, 3, 4}, 2, 2);
    try (Workspace outer = Workspace.open()) {
      Tensor p = a.matmul(a);
      try (Workspace inner = Workspace.open()) {
        inner.endStep();
      }
      outer.endStep();
      // p's array went back to the outer workspace: the next product of that size reuses it,
      // and every element is written
      Tensor q = a.matmul(a.mul(2.0));
      assertSame(p.rawFloats(), q.rawFloats());
      assertTrue(q.allClose(Tensor.ofFloats(new float[] {14, 20, 30, 44}, 2, 2), 0, 0));
    }
  }

  @Test
  void aDetachedPoolKeepsWhatAReleaseTakesBackAndForgetsWhatTheResultsHold() {
    Workspace pool = Workspace.detached(100);
    float[] result;
    float[] temp;
    float[] big;
    try (Workspace w = pool.enter()) {
      result = Workspace.newFloats(6);
      temp = Workspace.newFloats(6);
      big = Workspace.newFloats(101);
    }
    assertNotSame(temp, Workspace.newFloats(6)); // not current any more: a new array
    pool.release(Tensor.wrap(result, Shape.of(6)));
    try (Workspace w = pool.enter()) {
      assertSame(temp, Workspace.newFloats(6));   // taken back, handed out again
      assertNotSame(big, Workspace.newFloats(101)); // longer than it keeps
      assertNotSame(result, Workspace.newFloats(6));
    }
    // the result left the pool's care for good: no later release takes it back
    pool.release();
    try (Workspace w = pool.enter()) {
      float[][] got = {Workspace.newFloats(6), Workspace.newFloats(6), Workspace.newFloats(6)};
      for (float[] g : got) {
        assertNotSame(result, g);
      }
    }
  }
}
