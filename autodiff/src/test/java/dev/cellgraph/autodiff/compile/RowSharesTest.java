package dev.cellgraph.autodiff.compile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class RowSharesTest {
  @Test
  void equalBlocksBeforeTheFirstMeasurement() {
    assertArrayEquals(new int[] {0, 32, 64}, new RowShares().bounds(64, 4, 2));
    assertArrayEquals(new int[] {0, 2, 4, 7}, new RowShares().bounds(7, 1, 3));
  }

  @Test
  void aSlowerPartGetsFewerRowsNextTime() {
    RowShares shares = new RowShares();
    // part 0 took twice as long for its 32 rows: its share moves halfway from 1/2 to 1/3
    shares.adapt(new int[] {0, 32, 64}, new long[] {2000, 1000});
    assertArrayEquals(new int[] {0, 28, 64}, shares.bounds(64, 4, 2));
  }

  @Test
  void noBlockShrinksBelowTheMinimumRows() {
    RowShares shares = new RowShares();
    for (int i = 0; i < 20; i++) {
      shares.adapt(shares.bounds(64, 4, 2), new long[] {1_000_000, 1});
    }
    assertArrayEquals(new int[] {0, RowShares.MIN_ROWS, 64}, shares.bounds(64, 4, 2));
  }

  @Test
  void aMeasurementForAnotherNumberOfPartsIsIgnored() {
    RowShares shares = new RowShares();
    shares.adapt(new int[] {0, 32, 64}, new long[] {2000, 1000});
    assertArrayEquals(new int[] {0, 20, 40, 64}, shares.bounds(64, 4, 3));
  }
}
