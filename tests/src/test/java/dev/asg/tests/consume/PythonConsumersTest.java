package dev.asg.tests.consume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python consumers under the README's test command: notebooks/tests (pytest) and every notebook, executed with
 * Debian's /usr/bin/python3 against the real MiniLM artifacts this JVM just produced. Nothing here skips: a
 * missing torch or nbconvert fails the build, since .ci/run installs them. {@code -Dasg.notebooks.update=true}
 * writes the executed notebooks (with their outputs) back into notebooks/ for committing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PythonConsumersTest {
  private static final String PYTHON = "/usr/bin/python3";
  private MiniLmConsumerFixture fx;
  private Path root;
  @TempDir
  Path tmp;

  @BeforeAll
  void fixture() throws Exception {
    fx = MiniLmConsumerFixture.get();
    root = MiniLmConsumerFixture.repoRoot();
  }

  private String run(Path log, long timeoutS, List<String> command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("ASG_TEST_DIR", fx.dir.toString());
    pb.environment().put("ASG_EXPORT", fx.separateExport.toString());
    pb.environment().put("ASG_MODEL", fx.model.toString());
    pb.environment().put("PATH", "/usr/bin:/bin:" + pb.environment().getOrDefault("PATH", ""));
    // Two cores shared with the JVM: torch's own thread pool would oversubscribe them.
    pb.environment().put("OMP_NUM_THREADS", "2");
    Process p = pb.start();
    boolean done = p.waitFor(timeoutS, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertTrue(done, () -> String.join(" ", command) + " ran past " + timeoutS + " s:\n" + out);
    assertEquals(0, p.exitValue(), () -> String.join(" ", command) + " failed:\n" + out);
    return out;
  }

  @Test
  void pytest_realMiniLmArtifacts_allPassNoneSkipped() throws Exception {
    String out = run(tmp.resolve("pytest.log"), 300, List.of(PYTHON, "-m", "pytest", "-q", "-rs", "-p",
        "no:cacheprovider", "notebooks/tests"));
    assertTrue(out.contains(" passed"), out);
    assertFalse(out.contains("skipped") || out.contains("xfail"), () -> "Python tests must not skip in CI:\n" + out);
  }

  @Test
  void notebooks_executeWithoutErrors() throws Exception {
    boolean update = Boolean.getBoolean("asg.notebooks.update");
    List<Path> notebooks = new ArrayList<>();
    try (Stream<Path> s = Files.list(root.resolve("notebooks"))) {
      s.filter(p -> p.toString().endsWith(".ipynb")).sorted().forEach(notebooks::add);
    }
    // The three consumer notebooks (issue 10) and the fidelity sweep's plot (issue 14); a new one must be added here.
    assertEquals(List.of("01_inspect_artifact.ipynb", "02_pytorch_layers.ipynb", "03_train_codebook.ipynb",
        "04_fidelity_sweep.ipynb"), notebooks.stream().map(p -> p.getFileName().toString()).toList());
    for (Path nb : notebooks) {
      List<String> cmd = new ArrayList<>(List.of(PYTHON, "-m", "nbconvert", "--to", "notebook", "--execute",
          "--ExecutePreprocessor.timeout=120"));
      cmd.addAll(update ? List.of("--inplace") : List.of("--output-dir", tmp.toString()));
      cmd.add(nb.toString());
      long t0 = System.nanoTime();
      run(tmp.resolve(nb.getFileName() + ".log"), 180, cmd);
      System.out.printf("%s executed in %.1f s%n", nb.getFileName(), (System.nanoTime() - t0) / 1e9);
    }
  }
}
