package dev.asg.tests.reliability;

import dev.asg.common.tensor.DType;
import dev.asg.spark.cli.AsgMain;
import dev.asg.tests.TestTables;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;

/**
 * What a bad-input case needs besides its input file ({@link BadInputFiles}): where --output points (a committed
 * artifact of ours by default, a user's folder, a link), and setup steps in {@code cases.json}'s "setup" list
 * (a real artifact to damage, a crafted checkpoint, a vocabulary file, a link from the input into the output).
 */
final class BadInputSetups {
  /** Where the output of every run is pointed when "output" is readonly-fs: /proc refuses every new file. */
  static final Path READ_ONLY = Path.of("/proc/asg-bad-input-out");
  private static Path realArtifact;

  private BadInputSetups() {}

  /** The --output path for output kind {@code kind}; creates what is there before the run. */
  static Path output(String kind, Path caseDir, Path inDir) throws IOException {
    return switch (kind) {
      case "existing" -> existingArtifact(caseDir.resolve("out"), "asg-spark");
      case "foreign-artifact" -> existingArtifact(caseDir.resolve("out"), "some-other-tool");
      case "user-dir" -> {
        Path out = Files.createDirectories(caseDir.resolve("out/photos"));
        Files.writeString(out.resolve("holiday.txt"), "a user's file that --overwrite must never delete");
        yield out.getParent();
      }
      case "parent-is-file" -> {
        // Tests run as root, where chmod 555 does not stop writes; a path below a regular file is unwritable
        // for everyone.
        Path file = Files.writeString(caseDir.resolve("a-file"), "not a directory");
        yield file.resolve("out");
      }
      case "input-dir" -> inDir;
      case "link-to-input-dir" -> Files.createSymbolicLink(caseDir.resolve("out-link"), inDir);
      case "readonly-fs" -> READ_ONLY;
      default -> throw new IllegalArgumentException("unknown output kind " + kind);
    };
  }

  /** A committed artifact of {@code tool}: manifest.json, _SUCCESS and a codebook part; not one byte may change. */
  static Path existingArtifact(Path out, String tool) throws IOException {
    Files.createDirectories(out.resolve("codebook"));
    Files.writeString(out.resolve("codebook/part-00000.parquet"), "old codebook");
    Files.writeString(out.resolve("manifest.json"), "{\"format_version\": 1, \"tool\": \"" + tool + "\"}");
    Files.writeString(out.resolve("_SUCCESS"), "");
    return out;
  }

  /** Applies one "setup" step of a case. */
  static void apply(String step, Path caseDir, Path input, Path output) throws IOException {
    Path art = caseDir.resolve("art");
    Path ckpt = output.resolveSibling(output.getFileName() + "._ckpt");
    switch (step) {
      case "artifact" -> copyTree(realArtifact(caseDir.getParent()), art);
      case "art-no-mapping-parts" -> {
        try (Stream<Path> s = Files.list(art.resolve("mapping"))) {
          for (Path f : s.toList()) {
            Files.delete(f);
          }
        }
      }
      case "art-mapping-file" -> {
        deleteTree(art.resolve("mapping"));
        Files.writeString(art.resolve("mapping"), "not a directory");
      }
      case "art-truncated-codebook" -> {
        Path part = firstPart(art.resolve("codebook"));
        try (RandomAccessFile raf = new RandomAccessFile(part.toFile(), "rw")) {
          raf.setLength(raf.length() / 2);
        }
      }
      case "art-absurd-shape" -> {
        Path mf = art.resolve("manifest.json");
        Files.writeString(mf, Files.readString(mf).replaceFirst("\"shape\" : \\[ [0-9]+,",
            "\"shape\" : [ 9000000000000000000,"));
      }
      case "art-stale-crc" -> {
        // A hand edit after an older writer left a .crc: Hadoop's checked read would fail on the checksum.
        Path mf = art.resolve("manifest.json");
        String text = Files.readString(mf);
        org.apache.hadoop.fs.LocalFileSystem fs = org.apache.hadoop.fs.FileSystem.getLocal(
            new org.apache.hadoop.conf.Configuration());
        try (var os = fs.create(new org.apache.hadoop.fs.Path(mf.toUri()), true)) {
          os.write((text + " ").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        Files.writeString(mf, text);
      }
      case "input-into-output" -> {
        // The input the user names is a link to a file inside the output artifact.
        Path target = output.resolve(input.getFileName());
        Files.move(input, target);
        Files.createSymbolicLink(input, target);
      }
      case "vocab-into-output" -> Files.writeString(output.resolve("vocab.txt"), tokens(BadInputFiles.ROWS));
      case "vocab-binary" -> {
        byte[] junk = new byte[4096];
        new Random(7).nextBytes(junk);
        Files.write(input.resolveSibling("vocab.bin"), junk);
      }
      case "vocab-huge" -> {
        try (RandomAccessFile raf = new RandomAccessFile(input.resolveSibling("vocab.txt").toFile(), "rw")) {
          raf.setLength(65L << 20); // sparse: refused by its size before anything is read
        }
      }
      case "vocab-dir" -> Files.createDirectories(input.resolveSibling("vocab.txt"));
      case "ckpt-not-json" -> Files.writeString(Files.createDirectories(ckpt).resolve("state-000001.json"),
          "{\"iterations_done\": 1, \"centroids\": [\"AAAA");
      case "ckpt-bad-base64" -> Files.writeString(Files.createDirectories(ckpt).resolve("state-000001.json"),
          checkpoint("\"@@@\", \"@@@\", \"@@@\", \"@@@\""));
      case "ckpt-missing-codebook" -> Files.writeString(Files.createDirectories(ckpt).resolve("state-000001.json"),
          checkpoint("\"AAAAAA==\""));
      default -> throw new IllegalArgumentException("unknown setup step " + step);
    }
  }

  private static String checkpoint(String centroids) {
    return "{\"fingerprint\": {}, \"iterations_done\": 1, \"converged\": false, \"objective\": [1.0], "
        + "\"empty_splits\": [0], \"previous_objective_bits\": 0, \"centroids\": [" + centroids + "]}";
  }

  private static String tokens(int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append("tok").append(i).append('\n');
    }
    return b.toString();
  }

  /**
   * A real artifact of the 200 x 32 corpus table (m 4, k 4), made once per test run in this JVM; cases copy it
   * and damage the copy.
   */
  static synchronized Path realArtifact(Path root) throws IOException {
    if (realArtifact == null) {
      Path dir = Files.createDirectories(root.resolve("_real-artifact"));
      Path table = TestTables.safetensors(dir, "good.safetensors", BadInputFiles.table(), DType.F32);
      Path out = dir.resolve("art");
      StringWriter err = new StringWriter();
      int code = AsgMain.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "quantize",
          "--input", table.toString(), "--output", out.toString(), "--m", "4", "--k", "4", "--iterations", "2",
          "--master", "local[1]");
      if (code != 0) {
        throw new IllegalStateException("could not make the corpus' real artifact: " + err);
      }
      realArtifact = out;
    }
    return realArtifact;
  }

  private static Path firstPart(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(f -> f.getFileName().toString().endsWith(".parquet")).sorted().findFirst().orElseThrow();
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
