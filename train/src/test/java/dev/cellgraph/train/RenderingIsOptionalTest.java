package dev.cellgraph.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * A consumer who trains cells needs core, autodiff, cells and train, never Graphviz: only the
 * render module depends on graphviz-java, and no module a training program needs depends on render
 * or imports it (docs/java-api.md tells consumers so).
 */
class RenderingIsOptionalTest {
  private static final Path ROOT = Path.of("..");
  private static final List<String> TRAINING_MODULES = List.of("core", "autodiff", "cells", "train");

  /** The artifactIds of a module's direct dependencies (project/dependencies, not dependencyManagement). */
  private static List<String> dependencies(String module) throws Exception {
    Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(ROOT.resolve(module).resolve("pom.xml").toFile()).getDocumentElement();
    List<String> ids = new ArrayList<>();
    NodeList children = project.getChildNodes();
    for (int i = 0; i < children.getLength(); i++) {
      if (children.item(i) instanceof Element e && e.getTagName().equals("dependencies")) {
        NodeList deps = e.getElementsByTagName("artifactId");
        for (int j = 0; j < deps.getLength(); j++) {
          ids.add(deps.item(j).getTextContent().strip());
        }
      }
    }
    return ids;
  }

  private static List<String> modules() throws Exception {
    NodeList ms = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(ROOT.resolve("pom.xml").toFile())
        .getDocumentElement().getElementsByTagName("module");
    List<String> names = new ArrayList<>();
    for (int i = 0; i < ms.getLength(); i++) {
      names.add(ms.item(i).getTextContent().strip());
    }
    return names;
  }

  @Test
  void theTrainingModulesDependNeitherOnRenderNorOnGraphviz() throws Exception {
    for (String m : TRAINING_MODULES) {
      List<String> deps = dependencies(m);
      assertEquals(false, deps.contains("cellgraph-render") || deps.contains("graphviz-java"), m + ": " + deps);
    }
  }

  @Test
  void theRenderModuleLeavesOutGraphvizJavasLoggingBridges() throws Exception {
    Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(ROOT.resolve("render").resolve("pom.xml").toFile()).getDocumentElement();
    NodeList deps = project.getElementsByTagName("dependency");
    List<String> excluded = new ArrayList<>();
    for (int i = 0; i < deps.getLength(); i++) {
      Element d = (Element) deps.item(i);
      if (d.getElementsByTagName("artifactId").item(0).getTextContent().strip().equals("graphviz-java")) {
        NodeList ex = d.getElementsByTagName("exclusion");
        for (int j = 0; j < ex.getLength(); j++) {
          excluded.add(((Element) ex.item(j)).getElementsByTagName("artifactId").item(0).getTextContent().strip());
        }
      }
    }
    // a consumer who draws must not have its commons-logging and java.util.logging rerouted
    assertEquals(List.of("jcl-over-slf4j", "jul-to-slf4j"), excluded);
  }

  @Test
  void onlyTheRenderModuleDependsOnGraphviz() throws Exception {
    TreeSet<String> withGraphviz = new TreeSet<>();
    for (String m : modules()) {
      if (dependencies(m).contains("graphviz-java")) {
        withGraphviz.add(m);
      }
    }
    assertEquals(List.of("render"), List.copyOf(withGraphviz));
  }

  @Test
  void noTrainingModuleImportsTheRenderPackages() throws IOException {
    List<String> found = new ArrayList<>();
    for (String m : TRAINING_MODULES) {
      try (Stream<Path> files = Files.walk(ROOT.resolve(m).resolve("src/main/java"))) {
        for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
          if (Files.readString(f).contains("dev.cellgraph.render")) {
            found.add(ROOT.relativize(f).toString());
          }
        }
      }
    }
    assertEquals(List.of(), found);
  }
}
