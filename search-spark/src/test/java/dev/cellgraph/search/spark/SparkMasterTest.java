package dev.cellgraph.search.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cellgraph.core.InvalidInputException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SparkMasterTest {
  private static SparkMaster parse(String master) {
    return SparkMaster.parse(master, 3).orElseThrow();
  }

  @Test
  void embeddedMastersRetryEveryTaskAsAClusterDoes() {
    assertEquals(new SparkMaster("local", "local[3,4]", true), parse("local"));
    assertEquals(new SparkMaster("local[2]", "local[2,4]", true), parse("local[2]"));
    assertEquals(new SparkMaster("local[*]", "local[*,4]", true), parse("local[*]"));
    assertEquals(new SparkMaster("local[2,7]", "local[2,7]", true), parse("local[2,7]"));
    assertEquals(new SparkMaster("local[*,2]", "local[*,2]", true), parse("local[*,2]"));
  }

  @Test
  void clusterMastersGoToSparkAsGiven() {
    assertEquals(new SparkMaster("spark://head:7077", "spark://head:7077", false), parse("spark://head:7077"));
    assertEquals(new SparkMaster("yarn", "yarn", false), parse("yarn"));
    assertEquals(new SparkMaster("k8s://https://k8s:6443", "k8s://https://k8s:6443", false),
        parse("k8s://https://k8s:6443"));
  }

  @Test
  void mastersThatAreNotSparksAreLeftToOtherBackEnds() {
    assertEquals(Optional.empty(), SparkMaster.parse("threads", 2));
    assertEquals(Optional.empty(), SparkMaster.parse("mesos://old:5050", 2));
  }

  @Test
  void aBadLocalMasterIsRefusedWithTheFormsThatWork() {
    assertEquals("--master local[0]: the thread count N (0) must be a positive integer;"
        + " the embedded masters are local, local[N], local[*] or local[N,F]",
        assertThrows(InvalidInputException.class, () -> SparkMaster.parse("local[0]", 2)).getMessage());
    assertEquals("--master local[2,x]: the attempt count F (x) must be a positive integer;"
        + " the embedded masters are local, local[N], local[*] or local[N,F]",
        assertThrows(InvalidInputException.class, () -> SparkMaster.parse("local[2,x]", 2)).getMessage());
    assertEquals("--master local2: not a Spark master; the embedded ones are local, local[N], local[*] or local[N,F]",
        assertThrows(InvalidInputException.class, () -> SparkMaster.parse("local2", 2)).getMessage());
    assertEquals("--master spark://: the address of the cluster is missing (e.g. spark://host:7077 or k8s://https://host:6443)",
        assertThrows(InvalidInputException.class, () -> SparkMaster.parse("spark://", 2)).getMessage());
  }
}
