package dev.asg.common.kmeans;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AssignKernelsTest {

  @Test
  void best_withVectorModule_isVectorKernel() {
    // Surefire's argLine adds jdk.incubator.vector; if that ever breaks, this test says so.
    assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(), "surefire must add the module");
    assertTrue(AssignKernels.vectorAvailable());
    assertTrue(AssignKernels.best().name().startsWith("vector-"), AssignKernels.best().name());
  }

  @Test
  void byName_knownNames_resolve() {
    assertSame(AssignKernels.scalar(), AssignKernels.byName("scalar"));
    assertSame(AssignKernels.best(), AssignKernels.byName("auto"));
    assertSame(AssignKernels.best(), AssignKernels.byName(" AUTO "));
    assertTrue(AssignKernels.byName("Vector").name().startsWith("vector-"));
    assertEquals("scalar", AssignKernels.scalar().name());
  }

  @Test
  void byName_unknownName_throwsNamingAllowedValues() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AssignKernels.byName("avx"));
    assertTrue(e.getMessage().contains("'avx'") && e.getMessage().contains("auto, vector, scalar"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> AssignKernels.byName(null));
  }

  /**
   * A JVM started without {@code --add-modules jdk.incubator.vector} (like an executor whose launcher omits it)
   * must get the scalar kernel, must not fail while loading {@link AssignKernels}, and must reject "vector".
   */
  @Test
  void best_withoutVectorModule_fallsBackToScalar() throws Exception {
    String javaBin = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    String cp = location(AssignKernels.class) + File.pathSeparator + location(NoVectorProbe.class);
    ProcessBuilder pb = new ProcessBuilder(List.of(javaBin, "-cp", cp,
        NoVectorProbe.class.getName()));
    pb.redirectErrorStream(true);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe JVM did not finish");
    String text = new String(out, StandardCharsets.UTF_8).trim();
    assertEquals(0, p.exitValue(), text);
    assertEquals("module=false best=scalar available=false vector=rejected assign=1", text);
  }

  private static String location(Class<?> c) throws Exception {
    Path path = Paths.get(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    return path.toString();
  }
}
