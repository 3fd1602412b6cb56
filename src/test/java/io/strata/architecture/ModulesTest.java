package io.strata.architecture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library artifacts as Java modules (after Caffeine's module test): each module descriptor
 * exports exactly the API packages, requires what the README says, and the four modules with
 * their dependencies resolve and run on the module path, loaded here into a module layer of their
 * own from the same jars (or classes directories) the tests use.
 */
class ModulesTest {
  /** Module name to exactly the packages it must export. */
  static final Map<String, Set<String>> API = Map.of(
      "io.strata.wal", Set.of("io.strata", "io.strata.fs", "io.strata.wal"),
      "io.strata.lsm", Set.of("io.strata.lsm"),
      "io.strata.trie", Set.of("io.strata.trie"));

  private static ModuleLayer layer;

  @BeforeAll
  static void bootTheModules() {
    ModuleFinder finder = ModuleFinder.of(libraryPath().toArray(new Path[0]));
    Configuration config = ModuleLayer.boot().configuration()
        .resolve(finder, ModuleFinder.of(), Set.of("io.strata.trie"));
    layer = ModuleLayer.boot().defineModulesWithOneLoader(config,
        ClassLoader.getPlatformClassLoader());
  }

  /**
   * The class-path entries of Strata's libraries and their two dependencies (zero-allocation
   * hashing, lz4-java; the trie's Keccak-256 is its own): a jar, or a classes directory holding a
   * module-info.class (an exploded module).
   */
  static List<Path> libraryPath() {
    List<Path> out = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(entry);
      String s = p.toString().replace('\\', '/');
      boolean library = s.matches(".*/(wal|lsm|trie|bloom)/target/classes")
          || s.matches(".*/strata-(wal|lsm|trie|bloom)-[^/]*\\.jar")
          || s.matches(".*/(lz4-java|zero-allocation-hashing)-[^/]*\\.jar");
      if (library) {
        out.add(p);
      }
    }
    assertEquals(6, out.size(), "four Strata libraries and two dependencies on " + out);
    return out;
  }

  private static ModuleDescriptor descriptor(String name) {
    return layer.findModule(name).orElseThrow(() -> new AssertionError(name + " not resolved"))
        .getDescriptor();
  }

  @Test
  void eachModuleExportsExactlyItsApiPackages() {
    for (Map.Entry<String, Set<String>> e : API.entrySet()) {
      ModuleDescriptor d = descriptor(e.getKey());
      assertFalse(d.isAutomatic(), e.getKey() + " has a module-info");
      Set<String> exported = d.exports().stream()
          .peek(x -> assertFalse(x.isQualified(), e.getKey() + " exports " + x + " to some only"))
          .map(ModuleDescriptor.Exports::source).collect(Collectors.toCollection(TreeSet::new));
      assertEquals(new TreeSet<>(e.getValue()), exported, e.getKey() + " exports");
      assertTrue(d.opens().isEmpty(), e.getKey() + " opens " + d.opens());
      // everything else it holds is encapsulated
      Set<String> internal = new TreeSet<>(d.packages());
      internal.removeAll(e.getValue());
      assertTrue(internal.stream().noneMatch(e.getValue()::contains));
    }
  }

  @Test
  void bloomIsAnAutomaticModuleWithAStableName() {
    ModuleDescriptor d = descriptor("io.strata.bloom");
    assertTrue(d.isAutomatic(), "strata-bloom is an automatic module");
    assertTrue(d.packages().contains("io.strata.bloom"));
  }

  @Test
  void eachModuleRequiresWhatTheReadmeSays() {
    // jdk.unsupported: a JDK module (sun.misc.Unsafe.invokeCleaner unmaps table mappings)
    assertEquals(Set.of("jdk.unsupported"), requires("io.strata.wal"));
    assertEquals(Set.of("io.strata.wal transitive", "io.strata.bloom", "org.lz4.java"),
        requires("io.strata.lsm"));
    assertEquals(Set.of("io.strata.lsm transitive"), requires("io.strata.trie"));
  }

  private static Set<String> requires(String module) {
    return descriptor(module).requires().stream()
        .filter(r -> !r.name().equals("java.base"))
        .map(r -> r.name() + (r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE)
            ? " transitive" : ""))
        .collect(Collectors.toSet());
  }

  /**
   * The whole stack runs as modules: a state store (trie on lsm on wal, with Bloom filters, LZ4
   * and Keccak) opened, committed, closed, reopened and read, through the exported API only, by
   * reflection on the classes of the module layer.
   */
  @Test
  void theStackRunsOnTheModulePath(@TempDir Path dir) throws Exception {
    ClassLoader loader = layer.findLoader("io.strata.trie");
    Class<?> storeClass = Class.forName("io.strata.trie.StateStore", true, loader);
    Class<?> trieClass = Class.forName("io.strata.trie.Trie", true, loader);
    assertEquals("io.strata.trie", storeClass.getModule().getName());
    byte[] key = "dog".getBytes(StandardCharsets.UTF_8);
    byte[] value = "puppy".getBytes(StandardCharsets.UTF_8);

    Object root;
    Object store = storeClass.getMethod("open", Path.class).invoke(null, dir);
    try {
      Object trie = storeClass.getMethod("emptyTrie").invoke(store);
      trie = trieClass.getMethod("put", byte[].class, byte[].class).invoke(trie, key, value);
      root = storeClass.getMethod("commit", long.class, trieClass).invoke(store, 1L, trie);
    } finally {
      ((AutoCloseable) store).close();
    }
    store = storeClass.getMethod("open", Path.class).invoke(null, dir);
    try {
      Class<?> hashClass = root.getClass();
      Object trie = storeClass.getMethod("trie", hashClass).invoke(store, root);
      Method get = trieClass.getMethod("get", byte[].class);
      assertArrayEquals(value, (byte[]) get.invoke(trie, key));
      assertEquals(null, get.invoke(trie, "cat".getBytes(StandardCharsets.UTF_8)));
    } finally {
      ((AutoCloseable) store).close();
    }
    assertTrue(Files.list(dir).findAny().isPresent(), "the store wrote files");
  }

  /**
   * On the module path the engine's internals are out of reach: a public class of a non-exported
   * package cannot be used from outside the module, even by reflection. (On the class path, as
   * the benchmarks run, they can: that is how the memtable and LZ4 benchmarks reach them.)
   */
  @Test
  void internalPackagesAreEncapsulated() throws Exception {
    Module lsm = layer.findModule("io.strata.lsm").orElseThrow();
    assertTrue(lsm.getDescriptor().packages().contains("io.strata.lsm.internal.memtable"));
    assertFalse(lsm.isExported("io.strata.lsm.internal.memtable"));
    Class<?> memtable = Class.forName("io.strata.lsm.internal.memtable.Memtable", true,
        layer.findLoader("io.strata.lsm"));
    Method forWriteBuffer = memtable.getMethod("forWriteBuffer", long.class, long.class);
    assertThrows(IllegalAccessException.class, () -> forWriteBuffer.invoke(null, 1L, 1L << 20));
    // an exported class of the same module is reachable
    Class<?> options = Class.forName("io.strata.lsm.Options", true, layer.findLoader("io.strata.lsm"));
    assertTrue(options.getMethod("defaults").invoke(null) != null);
  }
}
