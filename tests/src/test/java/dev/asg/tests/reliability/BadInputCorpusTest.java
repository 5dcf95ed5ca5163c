package dev.asg.tests.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asg.common.artifact.Manifest;
import dev.asg.common.tensor.DType;
import dev.asg.common.tensor.SafetensorsWriter;
import dev.asg.common.tensor.TensorDecl;
import dev.asg.spark.cli.AsgMain;
import dev.asg.tests.LocalSpark;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input corpus ({@code bad-inputs/cases.json}): every case exits 2 within {@value #LIMIT_MS} ms with a
 * one-line message naming what is wrong, writes nothing (every file under the case's folder is byte-identical
 * afterwards, the existing artifact included) and creates no temporary output. Runs with --overwrite against an
 * existing artifact, so that "nothing written" is tested where a bug would do the most harm.
 */
class BadInputCorpusTest {
  /** A bad input is found from headers (milliseconds) or in the first Spark job (a few seconds). */
  static final long LIMIT_MS = 10_000;
  /** The corpus must stay broad: fewer active cases than this means cases were lost. */
  static final int MIN_CASES = 20;

  @TempDir
  static Path root;

  @BeforeAll
  static void warmUpSpark() throws IOException {
    // The first SparkSession in a JVM loads thousands of classes (~5-20 s on a busy machine), and so does the
    // first Parquet scan; cases that reach Spark must be timed on their own work, as in a CLI run on a warm
    // machine, not on that one-time cost.
    org.apache.spark.sql.SparkSession spark = LocalSpark.start("local[1]");
    try {
      Path warm = Files.createTempDirectory("asg-warm");
      spark.range(10).selectExpr("cast(id as int) as token_id", "array(cast(id as float)) as embedding")
          .write().mode("overwrite").parquet(warm.resolve("t").toString());
      spark.read().parquet(warm.resolve("t").toString()).groupBy("token_id").count().collect();
    } finally {
      spark.stop();
    }
  }

  @TestFactory
  Stream<DynamicTest> quantize_badInput_exit2WritesNothingWithin10s() throws IOException {
    JsonNode cases = corpus();
    int active = 0;
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : cases) {
      if (!c.has("disabled")) {
        active++;
      }
      tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> runCase(c)));
    }
    assertTrue(active >= MIN_CASES, "only " + active + " active cases in bad-inputs/cases.json; at least "
        + MIN_CASES + " expected");
    return tests.stream();
  }

  @Test
  void quantize_kAboveDistinctRows_runsAndReconstructsExactly() throws Exception {
    // 10 distinct rows, each 100 times, k = 16 > 10. Not an input error: real vocabularies repeat rows (unused
    // tokens share one init vector). The job runs; empty clusters are split (faiss style) and the duplicates
    // are represented almost exactly. Observed: every iteration splits the 6 surplus clusters per codebook again
    // (each split perturbs a centroid pair by a relative epsilon), so the objective stays tiny but non-zero and
    // does not decrease monotonically; the bound 1e-5 leaves room for that epsilon, far below any real error
    // (a missing distinct row would cost ~0.1). Documented in the README's Reliability section.
    Path dir = Files.createDirectories(root.resolve("duplicates"));
    Path in = dir.resolve("dup.safetensors");
    int distinct = 10;
    int copies = 100;
    int dim = 32;
    float[] rows = new float[distinct * copies * dim];
    for (int r = 0; r < distinct * copies; r++) {
      for (int d = 0; d < dim; d++) {
        rows[r * dim + d] = (float) Math.sin(1.7 * (r % distinct) + 0.3 * d);
      }
    }
    try (SafetensorsWriter w = SafetensorsWriter.create(in,
        List.of(new TensorDecl("wte.weight", DType.F32, distinct * copies, dim)), Map.of())) {
      w.writeRows(rows, 0, distinct * copies);
    }
    Path out = dir.resolve("out");
    Run r = asg("quantize", "--input", in.toString(), "--output", out.toString(), "--m", "4", "--k", "16",
        "--iterations", "5", "--master", "local[1]");
    assertEquals(0, r.code, r.err);
    Manifest m;
    try (InputStream s = Files.newInputStream(out.resolve("manifest.json"))) {
      m = Manifest.read(s);
    }
    assertTrue(m.result.relativeMse < 1e-5, "duplicates must be reconstructed (almost) exactly, relative MSE "
        + m.result.relativeMse);
    System.out.println("[BadInputCorpusTest] k=16 > 10 distinct rows: exit 0, empty splits per iteration "
        + m.result.emptySplits + ", relative MSE " + m.result.relativeMse);
  }

  private static void runCase(JsonNode c) throws Exception {
    if (c.has("disabled")) {
      Assumptions.abort(c.get("disabled").asText());
    }
    String name = c.get("name").asText();
    Path caseDir = Files.createDirectories(root.resolve(name));
    Path inDir = Files.createDirectories(caseDir.resolve("in"));
    Path input = BadInputFiles.generate(c.get("generator").asText(), inDir, c.get("file").asText());
    Path existing = existingArtifact(caseDir.resolve("out"));
    Path output = switch (c.path("output").asText("existing")) {
      case "existing" -> existing;
      case "parent-is-file" -> {
        // Tests run as root, where chmod 555 does not stop writes; a path below a regular file is unwritable
        // for everyone.
        Path file = Files.writeString(caseDir.resolve("a-file"), "not a directory");
        yield file.resolve("out");
      }
      case "input-dir" -> inDir;
      default -> throw new IllegalArgumentException(name + ": unknown output kind " + c.get("output"));
    };
    List<String> args = new ArrayList<>(List.of("quantize", "--input", input.toString(), "--output",
        output.toString(), "--overwrite", "--master", "local[1]"));
    c.get("args").forEach(a -> args.add(a.asText()));
    Map<String, String> before = snapshot(caseDir);

    long t0 = System.nanoTime();
    Run r = asg(args.toArray(new String[0]));
    long ms = (System.nanoTime() - t0) / 1_000_000;

    assertEquals(2, r.code, name + ": exit code; stderr:\n" + r.err);
    String first = r.err.lines().findFirst().orElse("");
    assertTrue(first.startsWith("asg: error: "), name + ": first stderr line " + first);
    for (JsonNode f : c.get("expect")) {
      String fragment = f.asText().replace("{input}", input.getFileName().toString());
      assertTrue(first.contains(fragment), name + ": '" + first + "' lacks '" + fragment + "'");
    }
    assertTrue(ms < LIMIT_MS, name + ": took " + ms + " ms; limit " + LIMIT_MS);
    assertEquals(before, snapshot(caseDir), name + ": files under the case folder changed");
  }

  /** A stand-in for a previous run's artifact: what matters is that not one byte of it changes. */
  private static Path existingArtifact(Path out) throws IOException {
    Files.createDirectories(out.resolve("codebook"));
    Files.writeString(out.resolve("codebook/part-00000.parquet"), "old codebook");
    Files.writeString(out.resolve("manifest.json"), "{\"format_version\": 1}");
    Files.writeString(out.resolve("_SUCCESS"), "");
    return out;
  }

  /** Every file and folder under {@code dir} with a SHA-256 of its content: any write, rename or leftover shows. */
  private static Map<String, String> snapshot(Path dir) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.toList()) {
        String key = dir.relativize(p).toString();
        if (Files.isDirectory(p)) {
          files.put(key + "/", "dir");
        } else if (Files.size(p) > (1 << 20)) {
          files.put(key, "size " + Files.size(p)); // the sparse 200 MB file: size only
        } else {
          MessageDigest md = dev.asg.common.artifact.Digests.sha256();
          files.put(key, HexFormat.of().formatHex(md.digest(Files.readAllBytes(p))));
        }
      }
    }
    return files;
  }

  private static JsonNode corpus() throws IOException {
    try (InputStream in = BadInputCorpusTest.class.getResourceAsStream("/bad-inputs/cases.json")) {
      if (in == null) {
        throw new IllegalStateException("bad-inputs/cases.json is not on the test classpath");
      }
      return new ObjectMapper().readTree(in).get("cases");
    }
  }

  private record Run(int code, String err) {
  }

  private static Run asg(String... args) {
    StringWriter err = new StringWriter();
    int code = AsgMain.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), args);
    return new Run(code, err.toString());
  }
}
