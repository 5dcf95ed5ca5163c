package dev.asg.common.kmeans;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
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
  void warmUpInBackground_everyKernel_daemonThatFinishesRunsThenAndKernelMatchesScalar() throws Exception {
    SplittableRandom rnd = new SplittableRandom(3);
    int n = 300;
    int k = 70;
    int dsub = 5;
    float[] x = new float[n * dsub];
    float[] c = new float[k * dsub];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    for (int i = 0; i < c.length; i++) {
      c[i] = (float) rnd.nextGaussian();
    }
    PreparedCodebook cb = PreparedCodebook.of(c, k, dsub);
    int[] refIdx = new int[n];
    float[] refScore = new float[n];
    AssignKernels.scalar().assign(x, 0, dsub, n, cb, refIdx, 0, 1, refScore, 0, 1);
    for (AssignKernel kernel : new AssignKernel[] {AssignKernels.scalar(), AssignKernels.best()}) {
      String name = kernel.name();
      java.util.concurrent.atomic.AtomicBoolean thenRan = new java.util.concurrent.atomic.AtomicBoolean();
      Thread t = AssignKernels.warmUpInBackground(kernel, k, dsub, () -> thenRan.set(true));
      assertTrue(t.isDaemon(), "a warm-up must never keep the JVM alive");
      t.join(TimeUnit.MINUTES.toMillis(2));
      assertTrue(!t.isAlive(), name + ": warm-up still running after 2 minutes");
      assertTrue(thenRan.get(), name + ": the follow-up warm-up did not run");
      AssignKernels.warmUpOnce(kernel, k, dsub); // already warm: returns at once
      int[] idx = new int[n];
      float[] score = new float[n];
      kernel.assign(x, 0, dsub, n, cb, idx, 0, 1, score, 0, 1);
      assertArrayEquals(refIdx, idx, name);
      assertArrayEquals(refScore, score, name);
    }
  }

  @Test
  void byName_knownNames_resolve() {
    assertSame(AssignKernels.scalar(), AssignKernels.byName("scalar"));
    assertSame(AssignKernels.best(), AssignKernels.byName("auto"));
    assertSame(AssignKernels.best(), AssignKernels.byName(" AUTO "));
    assertTrue(AssignKernels.byName("Vector").name().startsWith("vector-"));
    assertEquals("scalar", AssignKernels.scalar().name());
  }

  /** "vector" is the preferred width: 512 bits where the CPU runs them natively, else the 256-bit kernel. */
  @Test
  void byName_vector_isPreferredWidthWith256Fallback() {
    String name = AssignKernels.byName("vector").name();
    boolean wide = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length() == 16;
    assertEquals(wide ? "vector-512-16" : AssignKernels.byName("vector-256").name(), name);
    assertTrue(AssignKernels.byName("vector-256").name().startsWith("vector-256-")
        || AssignKernels.byName("vector-256").name().startsWith("vector-128-"));
    if (!wide) {
      assertThrows(IllegalArgumentException.class, () -> AssignKernels.byName("vector-512"));
    }
  }

  @Test
  void byName_unknownName_throwsNamingAllowedValues() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AssignKernels.byName("avx"));
    assertTrue(e.getMessage().contains("'avx'") && e.getMessage().contains("auto, vector, vector-256,"),
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> AssignKernels.byName(null));
  }

  /**
   * A JVM started without {@code --add-modules jdk.incubator.vector} (like an executor whose launcher omits it)
   * must get the scalar kernel, must not fail while loading {@link AssignKernels}, and must reject "vector".
   */
  @Test
  void best_withoutVectorModule_fallsBackToScalar() throws Exception {
    assertEquals("module=false best=scalar available=false vector=rejected assign=1", probe());
  }

  /** Without hardware FMA the Vector API emulates fma in Java, far slower than the scalar kernel: skip it. */
  @Test
  void best_withoutHardwareFma_fallsBackToScalar() throws Exception {
    assertEquals("module=true best=scalar available=false vector=rejected assign=1",
        probe("--add-modules", "jdk.incubator.vector", "-XX:-UseFMA"));
  }

  /** Runs {@link NoVectorProbe} in a child JVM with the given options and returns its one line of output. */
  private static String probe(String... jvmOptions) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(Arrays.asList(jvmOptions));
    cmd.add("-cp");
    cmd.add(location(AssignKernels.class) + File.pathSeparator + location(NoVectorProbe.class));
    cmd.add(NoVectorProbe.class.getName());
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectErrorStream(true);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe JVM did not finish");
    String text = new String(out, StandardCharsets.UTF_8).trim();
    assertEquals(0, p.exitValue(), text);
    // The only other line a JVM with the module prints is the incubator warning.
    return text.replaceAll("(?m)^WARNING: Using incubator modules.*\\R", "").trim();
  }

  private static String location(Class<?> c) throws Exception {
    Path path = Paths.get(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    return path.toString();
  }
}
