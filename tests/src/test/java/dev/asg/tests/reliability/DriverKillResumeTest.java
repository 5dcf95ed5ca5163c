package dev.asg.tests.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.asg.common.artifact.Manifest;
import dev.asg.common.synth.PlantedTable;
import dev.asg.common.tensor.DType;
import dev.asg.tests.TestTables;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoint/resume against a real crash: the driver JVM ({@code bin/asg}) is killed with -9 after Lloyd iteration
 * 10 of 14 with {@code --checkpoint-every 1}; the rerun with {@code --resume} must continue from the last
 * checkpoint (not from scratch) and produce the same digests and objectives as an uninterrupted run.
 */
class DriverKillResumeTest {
  private static final int ITERATIONS = 14;
  private static final int KILL_AFTER = 10;
  private static final Pattern ITERATION = Pattern.compile("iteration (\\d+)/" + ITERATIONS + " ");
  private static final Pattern RESUMED = Pattern.compile("resuming from .* after iteration (\\d+)");

  @TempDir
  Path dir;

  private List<String> args(Path table, Path out) {
    // The scalar kernel (bit-identical to the vector one) makes each iteration ~0.5 s, so the kill lands
    // between iterations rather than after the run has finished.
    return new ArrayList<>(List.of("quantize", "--input", table.toString(), "--output", out.toString(),
        "--m", "16", "--k", "256", "--iterations", String.valueOf(ITERATIONS), "--seed", "5",
        "--kernel", "scalar", "--master", "local[2]"));
  }

  private static int run(Path log, List<String> args) throws Exception {
    Process p = AsgLauncher.start(log, args);
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("bin/asg did not finish in 300 s; log:\n" + AsgLauncher.tail(log, 40));
    }
    return p.exitValue();
  }

  private static Manifest manifest(Path out) throws Exception {
    try (InputStream in = Files.newInputStream(out.resolve("manifest.json"))) {
      return Manifest.read(in);
    }
  }

  @Test
  void quantize_driverKilledAfterIteration10_resumeMatchesUninterruptedRun() throws Exception {
    PlantedTable t = new PlantedTable(40000, 128, 16, 64, 0.3, 9, PlantedTable.Mode.SEPARATE);
    Path table = TestTables.safetensors(dir, "t.safetensors", t, DType.F32);

    Path reference = dir.resolve("reference");
    Path refLog = dir.resolve("reference.log");
    assertEquals(0, run(refLog, args(table, reference)), AsgLauncher.tail(refLog, 40));

    Path out = dir.resolve("out");
    Path killedLog = dir.resolve("killed.log");
    List<String> ckpt = args(table, out);
    ckpt.addAll(List.of("--checkpoint-every", "1"));
    Process child = AsgLauncher.start(killedLog, ckpt);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    int seen = 0;
    while (seen < KILL_AFTER) {
      if (!child.isAlive()) {
        fail("the run ended (exit " + child.exitValue() + ") before iteration " + KILL_AFTER + "; log:\n"
            + AsgLauncher.tail(killedLog, 40));
      }
      if (System.nanoTime() > deadline) {
        child.destroyForcibly();
        fail("no iteration " + KILL_AFTER + " within 240 s; log:\n" + AsgLauncher.tail(killedLog, 40));
      }
      Matcher mt = ITERATION.matcher(Files.exists(killedLog) ? Files.readString(killedLog) : "");
      while (mt.find()) {
        seen = Math.max(seen, Integer.parseInt(mt.group(1)));
      }
      Thread.sleep(20);
    }
    child.destroyForcibly();
    assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the killed driver did not exit");
    assertFalse(Files.exists(out.resolve("_SUCCESS")), "the killed run must not have committed; log:\n"
        + AsgLauncher.tail(killedLog, 20));
    assertTrue(Files.isDirectory(dir.resolve("out._ckpt")), "checkpoint directory left by the killed run");

    Path resumedLog = dir.resolve("resumed.log");
    List<String> resume = args(table, out);
    resume.addAll(List.of("--checkpoint-every", "1", "--resume", "--overwrite"));
    assertEquals(0, run(resumedLog, resume), AsgLauncher.tail(resumedLog, 40));
    String log = Files.readString(resumedLog);
    Matcher resumed = RESUMED.matcher(log);
    assertTrue(resumed.find(), "the rerun did not resume; log:\n" + AsgLauncher.tail(resumedLog, 40));
    int from = Integer.parseInt(resumed.group(1));
    assertTrue(from >= KILL_AFTER - 1 && from < ITERATIONS, "resumed after iteration " + from);
    Matcher it = ITERATION.matcher(log);
    int lines = 0;
    while (it.find()) {
      lines++;
    }
    assertEquals(ITERATIONS - from, lines, "only the remaining iterations ran");

    Manifest a = manifest(reference);
    Manifest b = manifest(out);
    assertEquals(a.digests, b.digests);
    assertEquals(a.result.objective, b.result.objective);
    assertEquals(a.result.emptySplits, b.result.emptySplits);
    assertFalse(Files.exists(dir.resolve("out._ckpt")), "checkpoint removed after the commit");
  }
}
