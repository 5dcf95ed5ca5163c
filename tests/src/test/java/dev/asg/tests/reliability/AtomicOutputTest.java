package dev.asg.tests.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.asg.common.artifact.Manifest;
import dev.asg.common.synth.PlantedTable;
import dev.asg.common.tensor.DType;
import dev.asg.spark.cli.AsgMain;
import dev.asg.spark.output.ArtifactWriter;
import dev.asg.tests.TestTables;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Atomic output under a driver crash: a run with --overwrite is killed with -9 while it writes, next to an older
 * complete artifact. The old artifact must be intact, nothing incomplete may look complete, and a rerun must
 * succeed and remove what the dead run left behind (and nothing else).
 */
class AtomicOutputTest {

  /** The child JVM starts Spark and trains in ~10-30 s on 2 busy cores; 180 s means it hangs. */
  private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(180);

  @TempDir
  Path dir;

  @Test
  void quantize_driverKilledDuringWrite_oldArtifactIntactAndRerunCleansUp() throws Exception {
    PlantedTable t = new PlantedTable(4000, 32, 4, 16, 0.2, 5, PlantedTable.Mode.SEPARATE);
    Path table = TestTables.safetensors(dir, "t.safetensors", t, DType.F32);
    Path out = dir.resolve("out");

    // 1. An older complete artifact (seed 1).
    assertEquals(0, asg(args(table, out, "1")), "first run");
    Map<String, String> oldDigests = digests(out);

    // 2. A run with --overwrite and another seed, killed -9 once its temporary directory carries our marker.
    Path log = dir.resolve("killed-run.log");
    Process child = AsgLauncher.start(log, withOverwrite(args(table, out, "2")));
    Path tmp = null;
    long deadline = System.nanoTime() + CHILD_TIMEOUT.toNanos();
    try {
      while (tmp == null) {
        if (!child.isAlive()) {
          fail("the run ended (exit " + child.exitValue() + ") before it started writing; log:\n"
              + AsgLauncher.tail(log, 40));
        }
        if (System.nanoTime() > deadline) {
          fail("no marked temporary directory within " + CHILD_TIMEOUT.toSeconds() + " s; log:\n"
              + AsgLauncher.tail(log, 40));
        }
        tmp = markedTmp(out).orElse(null);
        Thread.sleep(10);
      }
    } finally {
      child.destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the killed driver did not exit");
    }

    assertEquals(oldDigests, digests(out), "the old artifact changed");
    assertTrue(Files.isDirectory(tmp), "the dead run's temporary directory " + tmp);
    for (Path sibling : siblings(out)) {
      if (!Files.exists(sibling.resolve(ArtifactWriter.SUCCESS))) {
        assertTrue(sibling.getFileName().toString().startsWith("out._tmp-")
            && Files.exists(sibling.resolve(ArtifactWriter.MARKER)),
            sibling + " has no _SUCCESS and is not a marked temporary directory");
      }
    }

    // Leftovers a rerun must keep: a foreign directory with a look-alike name (no marker) and a marked one
    // stamped in the future (a run that started after ours). And one it must remove: an old replaced artifact.
    Path foreign = Files.createDirectories(dir.resolve("out._tmp-handmade"));
    long future = System.currentTimeMillis() + 3_600_000L;
    Path newer = Files.createDirectories(dir.resolve("out._tmp-" + future + "-0123abcd"));
    Files.writeString(newer.resolve(ArtifactWriter.MARKER), "run in the future\n");
    Path oldReplaced = Files.createDirectories(dir.resolve("out._old-1000-deadbeef"));
    Files.writeString(oldReplaced.resolve(ArtifactWriter.SUCCESS), "");

    // 3. The rerun succeeds, replaces the artifact and removes the stale directories.
    assertEquals(0, asg(withOverwrite(args(table, out, "2"))), "rerun");
    Map<String, String> newDigests = digests(out);
    assertNotEquals(oldDigests, newDigests, "seed 2 must give a different artifact than seed 1");
    assertFalse(Files.exists(tmp), "stale temporary directory " + tmp + " was not removed");
    assertFalse(Files.exists(oldReplaced), "stale replaced artifact " + oldReplaced + " was not removed");
    assertTrue(Files.exists(foreign), "a directory without our marker must never be removed");
    assertTrue(Files.exists(newer), "a temporary directory of a later run must not be removed");
    List<Path> left = siblings(out);
    assertEquals(List.of(foreign, newer).stream().sorted().toList(), left.stream().sorted().toList(),
        "only the directories the rerun must keep remain next to the artifact");
  }

  private static List<String> args(Path table, Path out, String seed) {
    return new ArrayList<>(List.of("quantize", "--input", table.toString(), "--output", out.toString(), "--m", "4",
        "--k", "16", "--iterations", "5", "--seed", seed, "--master", "local[1]"));
  }

  private static List<String> withOverwrite(List<String> args) {
    List<String> a = new ArrayList<>(args);
    a.add("--overwrite");
    return a;
  }

  /** In-process run (cheaper than a child JVM); the crash itself needs the child. */
  private static int asg(List<String> args) {
    StringWriter err = new StringWriter();
    int code = AsgMain.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
        args.toArray(new String[0]));
    if (code != 0) {
      System.err.println(err);
    }
    return code;
  }

  private static Map<String, String> digests(Path artifact) throws IOException {
    assertTrue(Files.exists(artifact.resolve(ArtifactWriter.SUCCESS)), "_SUCCESS missing in " + artifact);
    try (InputStream in = Files.newInputStream(artifact.resolve(ArtifactWriter.MANIFEST))) {
      return Manifest.read(in).digests;
    }
  }

  /** The temporary directory of a running write, once its marker exists. */
  private static Optional<Path> markedTmp(Path out) throws IOException {
    return siblings(out).stream().filter(p -> p.getFileName().toString().startsWith("out._tmp-"))
        .filter(p -> Files.exists(p.resolve(ArtifactWriter.MARKER))).findFirst();
  }

  /** Directories next to the artifact that a run on it creates ({@code out._tmp-*}, {@code out._old-*}). */
  private static List<Path> siblings(Path out) throws IOException {
    try (Stream<Path> s = Files.list(out.getParent())) {
      return s.filter(Files::isDirectory).filter(p -> p.getFileName().toString().startsWith("out.")).toList();
    }
  }
}
