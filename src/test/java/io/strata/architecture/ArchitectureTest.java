package io.strata.architecture;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

/**
 * The architecture rules of {@link ArchitectureRules} hold for the library classes (wal, bloom,
 * lsm, trie, as built, tests left out), and each rule fails on a deliberate breach: the classes
 * in {@code io.strata.lsm.ArchitectureBreaches} and {@code io.strata.trie.ArchitectureBreach}
 * (test sources of this module, so never in the libraries) break each rule once.
 */
class ArchitectureTest {
  static final JavaClasses LIBRARIES = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.strata");

  /** The libraries and the breaches beside them. */
  static final JavaClasses BREACHES = new ClassFileImporter()
      .importPackages("io.strata")
      .that(DescribedPredicate.describe("library classes and the breaches",
          c -> LIBRARIES.contain(c.getName())
              || c.getName().startsWith("io.strata.lsm.ArchitectureBreaches")
              || c.getName().startsWith("io.strata.trie.ArchitectureBreach")));

  @Test
  void theLibrariesAreImported() {
    for (String name : new String[] {"io.strata.StrataException", "io.strata.fs.MemFileSystem",
        "io.strata.wal.Wal", "io.strata.bloom.BloomFilter", "io.strata.lsm.Db",
        "io.strata.trie.StateStore"}) {
      assertTrue(LIBRARIES.contain(name), name);
    }
    assertFalse(LIBRARIES.contain(io.strata.lsm.ArchitectureBreaches.class), "tests left out");
    assertFalse(LIBRARIES.contain(ArchitectureTest.class), "tests left out");
  }

  @Test
  void arrowsPointOneWay() {
    ArchitectureRules.ARROWS.check(LIBRARIES);
  }

  @Test
  void lsmInternalsStayInsideTheEngine() {
    ArchitectureRules.LSM_INTERNALS_STAY_INSIDE.check(LIBRARIES);
  }

  @Test
  void fileIoOnlyInTheFileSystemPackage() {
    ArchitectureRules.FILE_IO_ONLY_IN_FS.check(LIBRARIES);
  }

  @Test
  void noInternalTypeInAPublicSignature() {
    ArchitectureRules.NO_INTERNAL_TYPE_IN_PUBLIC_SIGNATURES.check(LIBRARIES);
  }

  @Test
  void eachRuleFailsOnABreach() {
    fails(ArchitectureRules.ARROWS, "io.strata.trie.Trie");
    fails(ArchitectureRules.LSM_INTERNALS_STAY_INSIDE, "io.strata.lsm.internal.memtable.Memtable");
    fails(ArchitectureRules.FILE_IO_ONLY_IN_FS, "java.nio.channels.FileChannel");
    fails(ArchitectureRules.FILE_IO_ONLY_IN_FS, "java.nio.file.Files");
    fails(ArchitectureRules.NO_INTERNAL_TYPE_IN_PUBLIC_SIGNATURES,
        "ArchitectureBreaches.hidden() uses io.strata.lsm.ArchitectureBreaches$Hidden");
    fails(ArchitectureRules.NO_INTERNAL_TYPE_IN_PUBLIC_SIGNATURES, "io.strata.lsm.internal");
  }

  private static void fails(ArchRule rule, String mentioning) {
    EvaluationResult r = rule.evaluate(BREACHES);
    assertTrue(r.hasViolation(), rule.getDescription() + " passed the breaches");
    String report = r.getFailureReport().toString();
    assertTrue(report.contains(mentioning) && report.contains("ArchitectureBreach"),
        rule.getDescription() + ": " + report);
    assertFalse(rule.evaluate(LIBRARIES).hasViolation(), "the libraries alone pass");
  }
}
