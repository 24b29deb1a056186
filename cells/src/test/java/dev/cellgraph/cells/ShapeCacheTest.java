package dev.cellgraph.cells;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.ShapeCache;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.random.Initializers;
import dev.cellgraph.core.random.Rng;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A layer run on ever new sequence lengths keeps a bounded number of compilations, and gives the same numbers. */
class ShapeCacheTest {
  @Test
  void aLayerRunOnManyLengthsKeepsABoundedCacheAndRecompilesTheSameBits() {
    Recurrent layer = Recurrent.of(BuiltinCell.named("lstm", true), 3, 4, 1, false);
    Rng rng = Rng.seeded(5);
    Map<String, Tensor> params = layer.initialize(rng, DType.FLOAT64);
    int lengths = ShapeCache.SIZE + 8;
    Tensor x = Initializers.normal(rng, DType.FLOAT64, Shape.of(lengths, 2, 3), 0, 1);
    Tensor first = null;
    for (int t = 1; t <= lengths; t++) {
      Tensor cut = x.slice(0, 0, t);
      Recurrent.Result r = layer.run(params, cut, Map.of(), Tensor.ones(DType.FLOAT64, t, 2, 4));
      if (t == 1) {
        first = r.gradients().get("weight_hh_l0");
      }
      assertTrue(layer.cachedRunners() <= ShapeCache.SIZE, "runners kept after " + t + " lengths: " + layer.cachedRunners());
    }
    assertEquals(ShapeCache.SIZE, layer.cachedRunners());
    // length 1 was dropped long ago: compiled again, it gives the same bits
    Recurrent.Result again = layer.run(params, x.slice(0, 0, 1), Map.of(), Tensor.ones(DType.FLOAT64, 1, 2, 4));
    assertEquals(first, again.gradients().get("weight_hh_l0"));
  }
}
