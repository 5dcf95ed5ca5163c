package dev.asg.tests.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asg.common.artifact.Manifest;
import dev.asg.common.tensor.DType;
import dev.asg.common.tensor.SafetensorsWriter;
import dev.asg.common.tensor.TensorDecl;
import dev.asg.spark.cli.AsgMain;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input corpus ({@code bad-inputs/cases.json}), run through {@code spark-job/bin/asg} as a user or a
 * scheduler runs it: every case exits 2 within {@value #LIMIT_MS} ms, and its REAL stderr (Spark's loggers
 * included) holds one error line of under {@value #MAX_LINE} characters and no stack trace; nothing is written
 * (every file under the case's folder is byte-identical afterwards, the existing artifact and the user's files
 * included) and no temporary output is left. Quantize cases run with --overwrite against an existing artifact,
 * so that "nothing written" is tested where a bug would do the most harm.
 *
 * <p>Cases marked "launcher" run as one bin/asg process each (the launcher's own checks, a cold JVM). The rest run
 * in ONE JVM that bin/asg starts ({@link CorpusBatchMain}): same flags, logging configuration and stderr, but one
 * JVM and Spark class loading for all of them, which keeps the corpus within the suite's time budget; their time
 * is measured around each command inside that JVM.
 */
class BadInputCorpusTest {
  /** A bad input is found from headers (a JVM start) or in the first Spark job (plus Spark's start). */
  static final long LIMIT_MS = 10_000;
  /** The longest error line: long enough for path, value and advice, short enough to read in a log. */
  static final int MAX_LINE = 500;
  /** The corpus must stay broad: fewer active cases than this means cases were lost. */
  static final int MIN_CASES = 60;
  /**
   * Lines bin/asg may print besides the error: the JVM's notice for the Vector API module (printed by the java
   * launcher before any of our code runs, and not switchable off) and asg's own INFO progress lines.
   */
  private static final Pattern ALLOWED_NOISE = Pattern.compile(
      "WARNING: Using incubator modules: jdk\\.incubator\\.vector|\\d\\d:\\d\\d:\\d\\d INFO  progress: .*");
  /** A stack trace's lines; checked at line starts, since an escaped forged "at ..." inside the one line is fine. */
  private static final Pattern TRACE = Pattern.compile("^\\s+at |^Exception in thread|^Caused by:|^\\s*\\.\\.\\. \\d+ more");

  @TempDir
  static Path root;

  /** A case made ready to run: its input, output, argument list and the folder's contents before the run. */
  private record Prepared(JsonNode spec, String name, Path caseDir, Path input, List<String> args,
      Map<String, String> before) {
  }

  /** What one run printed and returned. */
  private record Outcome(int code, long ms, List<String> stderr) {
  }

  @TestFactory
  Stream<DynamicTest> badInput_throughBinAsg_exit2OneLineWritesNothingWithin10s() throws Exception {
    JsonNode cases = corpus();
    List<Prepared> batch = new ArrayList<>();
    List<DynamicTest> tests = new ArrayList<>();
    int active = 0;
    for (JsonNode c : cases) {
      String name = c.get("name").asText();
      if (c.has("disabled")) {
        tests.add(DynamicTest.dynamicTest(name, () -> Assumptions.abort(c.get("disabled").asText())));
        continue;
      }
      active++;
      Prepared p = prepare(c);
      if (c.path("launcher").asBoolean(false)) {
        tests.add(DynamicTest.dynamicTest(name, () -> check(p, launch(p))));
      } else {
        batch.add(p);
      }
    }
    assertTrue(active >= MIN_CASES, "only " + active + " active cases in bad-inputs/cases.json; at least "
        + MIN_CASES + " expected");
    long t0 = System.nanoTime();
    Map<String, Outcome> outcomes = runBatch(batch);
    System.out.printf("[BadInputCorpusTest] %d cases in one bin/asg JVM: %.1f s; slowest: %s%n", batch.size(),
        (System.nanoTime() - t0) / 1e9, outcomes.entrySet().stream().filter(e -> !e.getKey().startsWith("_"))
            .sorted((a, b) -> Long.compare(b.getValue().ms(), a.getValue().ms())).limit(5)
            .map(e -> e.getKey() + " " + e.getValue().ms() + " ms").toList());
    for (Prepared p : batch) {
      tests.add(DynamicTest.dynamicTest(p.name(), () -> check(p, outcomes.get(p.name()))));
    }
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

  private static Prepared prepare(JsonNode c) throws IOException {
    String name = c.get("name").asText();
    Path caseDir = Files.createDirectories(root.resolve(name));
    Path inDir = Files.createDirectories(caseDir.resolve("in"));
    Path input = BadInputFiles.generate(c.get("generator").asText(), inDir, c.get("file").asText());
    Path output = BadInputSetups.output(c.path("output").asText("existing"), caseDir, inDir);
    for (JsonNode step : c.path("setup")) {
      BadInputSetups.apply(step.asText(), caseDir, input, output);
    }
    List<String> args = new ArrayList<>();
    if (c.has("argv")) {
      c.get("argv").forEach(a -> args.add(a.asText()));
    } else {
      args.addAll(List.of("quantize", "--input", "{input}", "--output", "{output}", "--overwrite", "--master",
          "local[1]"));
      c.get("args").forEach(a -> args.add(a.asText()));
    }
    args.replaceAll(a -> a.replace("{input}", input.toString()).replace("{output}", output.toString())
        .replace("{dir}", caseDir.toString()).replace("{indir}", inDir.toString()));
    return new Prepared(c, name, caseDir, input, args, snapshot(caseDir));
  }

  /** One bin/asg process for one case; its time includes the JVM's start. */
  private static Outcome launch(Prepared c) throws Exception {
    Path logs = Files.createDirectories(root.resolve("_logs"));
    Path stderr = logs.resolve(c.name() + ".stderr");
    long t0 = System.nanoTime();
    // Spark's task log goes outside the case folder, where "nothing written" is checked.
    Process p = AsgLauncher.start(c.args(), logs.resolve(c.name() + ".stdout"), stderr,
        Map.of("ASG_JAVA_OPTS", "-Dasg.task.log=" + logs.resolve("tasks.log")));
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail(c.name() + ": bin/asg did not finish within 60 s (a hang); stderr:\n" + AsgLauncher.tail(stderr, 20));
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    return new Outcome(p.exitValue(), ms, Files.readAllLines(stderr, StandardCharsets.UTF_8));
  }

  /**
   * All batch cases in one JVM started by bin/asg, after two valid runs that load Spark's and Parquet's classes
   * (a cold start is the launcher cases' business); stderr is split at {@link CorpusBatchMain#MARKER} lines.
   */
  private static Map<String, Outcome> runBatch(List<Prepared> cases) throws Exception {
    Path logs = Files.createDirectories(root.resolve("_logs"));
    Path warm = Files.createDirectories(root.resolve("_warm"));
    Path table = BadInputSetups.realArtifact(root).resolveSibling("good.safetensors");
    Path parquet = BadInputFiles.generate("parquet-good", warm, "t.parquet");
    List<String> lines = new ArrayList<>();
    lines.add(String.join("\t", "_warm-1", "quantize", "--input", table.toString(), "--output",
        warm.resolve("o1").toString(), "--m", "4", "--k", "4", "--iterations", "1", "--master", "local[1]"));
    lines.add(String.join("\t", "_warm-2", "quantize", "--input", parquet.toString(), "--output",
        warm.resolve("o2").toString(), "--m", "4", "--k", "4", "--iterations", "1", "--master", "local[1]"));
    for (Prepared c : cases) {
      lines.add(c.name() + "\t" + String.join("\t", c.args()));
    }
    Path casesFile = Files.write(logs.resolve("batch.cases"), lines, StandardCharsets.UTF_8);
    Path results = logs.resolve("batch.results");
    Path stderr = logs.resolve("batch.stderr");
    Map<String, String> env = Map.of(
        "ASG_MAIN_CLASS", CorpusBatchMain.class.getName(),
        "ASG_EXTRA_CLASSPATH", Path.of(CorpusBatchMain.class.getProtectionDomain().getCodeSource().getLocation()
            .toURI()).toString(),
        "ASG_JAVA_OPTS", "-Dasg.task.log=" + logs.resolve("tasks.log"));
    Process p = AsgLauncher.start(List.of(casesFile.toString(), results.toString()), logs.resolve("batch.stdout"),
        stderr, env);
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      fail("the corpus batch did not finish within 10 minutes; stderr:\n" + AsgLauncher.tail(stderr, 30));
    }
    Map<String, List<String>> blocks = new java.util.HashMap<>();
    List<String> current = null;
    for (String line : Files.readAllLines(stderr, StandardCharsets.UTF_8)) {
      if (line.startsWith(CorpusBatchMain.MARKER)) {
        current = new ArrayList<>();
        blocks.put(line.substring(CorpusBatchMain.MARKER.length()), current);
      } else if (current != null) {
        current.add(line);
      }
    }
    Map<String, Outcome> out = new java.util.HashMap<>();
    for (String r : Files.readAllLines(results, StandardCharsets.UTF_8)) {
      String[] f = r.split("\t");
      out.put(f[0], new Outcome(Integer.parseInt(f[1]), Long.parseLong(f[2]), blocks.get(f[0])));
    }
    for (String w : List.of("_warm-1", "_warm-2")) {
      assertEquals(0, out.get(w).code(), w + " (a valid run) failed:\n" + String.join("\n", blocks.get(w)));
      // Proof that the batch JVM logs as bin/asg does (conf/log4j2.properties: progress on stderr), not with the
      // test classpath's configuration, which would send everything to stdout and make the stderr checks moot.
      assertTrue(blocks.get(w).stream().anyMatch(l -> l.contains("INFO  progress: wrote")), w + ": no progress "
          + "lines on stderr; is bin/asg's logging configuration in effect?\n" + String.join("\n", blocks.get(w)));
    }
    // Executor-side input errors (NaN rows, corrupt Parquet parts) were logged by Spark, to the task log.
    assertTrue(Files.size(logs.resolve("tasks.log")) > 0, "Spark's task log is empty");
    return out;
  }

  private static void check(Prepared c, Outcome o) throws IOException {
    String name = c.name();
    assertTrue(o != null, name + ": the batch JVM never ran it (it died earlier; see _logs/batch.stderr)");
    List<String> lines = o.stderr();
    String all = String.join("\n", lines);
    assertEquals(c.spec().path("exit").asInt(2), o.code(), name + ": exit code; stderr:\n" + all);
    for (String line : lines) {
      assertFalse(TRACE.matcher(line).find(), name + ": stack trace on stderr:\n" + all);
    }
    List<String> errors = lines.stream().filter(l -> !ALLOWED_NOISE.matcher(l).matches()).toList();
    assertEquals(1, errors.size(), name + ": expected exactly one error line on stderr, got:\n" + all);
    String error = errors.get(0);
    assertEquals(error, lines.get(lines.size() - 1), name + ": the error must be the last line:\n" + all);
    assertTrue(error.startsWith("asg: error: "), name + ": error line " + error);
    assertTrue(error.length() < MAX_LINE, name + ": error line of " + error.length() + " chars: " + error);
    for (JsonNode f : c.spec().get("expect")) {
      String fragment = f.asText().replace("{input}", c.input().getFileName().toString());
      assertTrue(error.contains(fragment), name + ": '" + error + "' lacks '" + fragment + "'");
    }
    assertTrue(o.ms() < LIMIT_MS, name + ": took " + o.ms() + " ms; limit " + LIMIT_MS);
    assertEquals(c.before(), snapshot(c.caseDir()), name + ": files under the case folder changed");
    assertFalse(Files.exists(BadInputSetups.READ_ONLY), name + ": wrote " + BadInputSetups.READ_ONLY);
  }

  /** Every file and folder under {@code dir} with a SHA-256 of its content: any write, rename or leftover shows. */
  private static Map<String, String> snapshot(Path dir) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.toList()) {
        String key = dir.relativize(p).toString();
        if (Files.isSymbolicLink(p)) {
          files.put(key, "link to " + Files.readSymbolicLink(p));
        } else if (!Files.isRegularFile(p) && !Files.isDirectory(p)) {
          files.put(key, "special file"); // a FIFO: reading it would block
        } else if (Files.isDirectory(p)) {
          files.put(key + "/", "dir");
        } else if (Files.size(p) > (1 << 20)) {
          files.put(key, "size " + Files.size(p) + " modified " + Files.getLastModifiedTime(p)); // sparse files
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
