package dev.cellgraph.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every system property is parsed one way and documented in one place. */
class SettingTest {
  @Test
  void everyPropertyIsInTheArchitecturesSettingsTable() throws IOException {
    String doc = Files.readString(Path.of("..", "docs", "architecture.md"));
    String table = doc.substring(doc.indexOf("## Settings"));
    for (Setting s : Setting.values()) {
      String p = s.property();
      String last = p.substring(p.lastIndexOf('.'));
      boolean listed = table.contains("`" + p + "`") || table.contains("`" + last + "`");
      assertTrue(listed, p + " is not in docs/architecture.md's Settings table");
      assertTrue(p.startsWith("cellgraph."), p);
    }
  }

  @Test
  void valuesAreParsedOneWayAndABadOneKeepsTheDefault() {
    String p = Setting.SPIN_NANOS.property();
    try {
      System.setProperty(p, " 1234 ");
      assertEquals(1234L, Setting.SPIN_NANOS.longValue(5, 0, Long.MAX_VALUE));
      System.setProperty(p, "lots");
      assertEquals(5L, Setting.SPIN_NANOS.longValue(5, 0, Long.MAX_VALUE));
      System.setProperty(p, "-3");
      assertEquals(5L, Setting.SPIN_NANOS.longValue(5, 0, Long.MAX_VALUE));
      System.setProperty(p, "TRUE");
      assertTrue(Setting.SPIN_NANOS.booleanValue(false));
      System.setProperty(p, "Dot");
      assertEquals("dot", Setting.SPIN_NANOS.choice("auto", "auto", "dot", "js"));
      System.setProperty(p, "");
      assertEquals(null, Setting.SPIN_NANOS.raw());
    } finally {
      System.clearProperty(p);
    }
  }
}
