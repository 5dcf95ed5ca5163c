package dev.asg.tests.scheduler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asg.common.artifact.Manifest;
import dev.asg.common.synth.PlantedTable;
import dev.asg.common.tensor.DType;
import dev.asg.common.tensor.SafetensorsWriter;
import dev.asg.common.tensor.TensorDecl;
import dev.asg.spark.cli.AsgMain;
import dev.asg.tests.LocalSpark;
import dev.asg.tests.ParquetTables;
import dev.asg.tests.TestTables;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract with schedulers through the real command line (AsgMain, embedded Spark): exit codes, --if-exists
 * skip-if-current, and what --status-file says on success, skip and each kind of failure.
 */
class SchedulerContractTest {
  private static final PlantedTable TABLE = new PlantedTable(600, 16, 4, 8, 0.05, 3, PlantedTable.Mode.SEPARATE);

  @TempDir
  Path dir;

  private static float[] rows(PlantedTable t) {
    float[] data = new float[t.rows() * t.dim()];
    t.fillRows(0, t.rows(), data, 0);
    return data;
  }

  record Run(int code, String err) {}

  private static Run asg(String... args) {
    StringWriter err = new StringWriter();
    int code = AsgMain.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), args);
    return new Run(code, err.toString());
  }

  private String[] quantize(Path in, Path out, String... extra) {
    List<String> a = new ArrayList<>(List.of("quantize", "--input", in.toString(), "--output", out.toString(),
        "--m", "4", "--k", "8", "--iterations", "2", "--master", "local[1]", "--status-file",
        dir.resolve("status.json").toString()));
    a.addAll(List.of(extra));
    return a.toArray(String[]::new);
  }

  private JsonNode status() throws Exception {
    return Manifest.mapper().readTree(Files.readString(dir.resolve("status.json")));
  }

  @Test
  void quantize_skipIfCurrent_skipsOnlyWhenSourceParamsAndToolMatch() throws Exception {
    Path in = TestTables.safetensors(dir, "t.safetensors", TABLE, DType.F32);
    Path out = dir.resolve("out");
    Run first = asg(quantize(in, out, "--if-exists", "skip-if-current"));
    assertEquals(0, first.code(), first.err());
    JsonNode s = status();
    assertEquals("succeeded", s.get("state").asText());
    assertEquals(0, s.get("exit_code").asInt());
    assertTrue(s.get("application_id").asText("").startsWith("local-"), s.toString());
    assertEquals(2, s.get("iteration").asInt(), "the engine's listener reported every iteration: " + s);
    assertEquals(2, s.get("iterations").asInt());
    assertTrue(s.get("objective").asDouble() > 0, s.toString());
    byte[] manifest = Files.readAllBytes(out.resolve("manifest.json"));

    Run again = asg(quantize(in, out, "--if-exists", "skip-if-current", "--partitions", "3"));
    assertEquals(0, again.code(), again.err());
    s = status();
    assertEquals("skipped", s.get("state").asText(), s.toString());
    assertTrue(s.get("application_id").isNull(), "a model file's digest needs no Spark: " + s);
    assertArrayEquals(manifest, Files.readAllBytes(out.resolve("manifest.json")), "not retrained");

    Run seed = asg(quantize(in, out, "--if-exists", "skip-if-current", "--seed", "99"));
    assertEquals(0, seed.code(), seed.err());
    s = status();
    assertEquals("succeeded", s.get("state").asText());
    assertTrue(s.get("detail").asText().contains("seed is 99"), s.toString());
    Manifest m = manifest(out);
    assertEquals("99", String.valueOf(m.params.get("seed")));

    // Same shape and name, other values: only the SHA-256 tells.
    TestTables.safetensors(dir, "t.safetensors", new PlantedTable(600, 16, 4, 8, 0.05, 4,
        PlantedTable.Mode.SEPARATE), DType.F32);
    Run changed = asg(quantize(in, out, "--if-exists", "skip-if-current", "--seed", "99"));
    assertEquals(0, changed.code(), changed.err());
    assertTrue(status().get("detail").asText().contains("SHA-256"), status().toString());
    assertNotEquals(m.source.sha256, manifest(out).source.sha256);
  }

  @Test
  void quantize_skipIfCurrentParquet_digestThroughSparkSkips() throws Exception {
    Path table = dir.resolve("table");
    SparkSession spark = LocalSpark.start("local[1]");
    try {
      ParquetTables.write(spark, table, rows(TABLE), 600, 16, false, 2);
    } finally {
      spark.stop();
    }
    Path out = dir.resolve("out");
    assertEquals(0, asg(quantize(table, out)).code());
    byte[] manifest = Files.readAllBytes(out.resolve("manifest.json"));
    Run again = asg(quantize(table, out, "--if-exists", "skip-if-current"));
    assertEquals(0, again.code(), again.err());
    assertEquals("skipped", status().get("state").asText(), status().toString());
    assertArrayEquals(manifest, Files.readAllBytes(out.resolve("manifest.json")), "not retrained");
  }

  @Test
  void quantize_outputExists_exit3AndStatusSaysSo() throws Exception {
    Path in = TestTables.safetensors(dir, "t.safetensors", TABLE, DType.F32);
    Path out = Files.createDirectories(dir.resolve("out"));
    Files.writeString(out.resolve("keep.txt"), "mine");
    Run r = asg(quantize(in, out));
    assertEquals(AsgMain.EXIT_OUTPUT_EXISTS, r.code(), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    JsonNode s = status();
    assertEquals("failed", s.get("state").asText());
    assertEquals(3, s.get("exit_code").asInt());
    assertTrue(s.get("error").asText().contains("already exists"), s.toString());
    assertEquals("mine", Files.readString(out.resolve("keep.txt")));
  }

  @Test
  void quantize_nanFoundOnAnExecutor_statusFailedExit2() throws Exception {
    Path in = dir.resolve("nan.safetensors");
    float[] rows = rows(TABLE);
    rows[7 * 16 + 3] = Float.NaN;
    try (SafetensorsWriter w = SafetensorsWriter.create(in, List.of(new TensorDecl("wte.weight", DType.F32, 600,
        16)), Map.of())) {
      w.writeRows(rows, 0, 600);
    }
    Run r = asg(quantize(in, dir.resolve("out")));
    assertEquals(AsgMain.EXIT_USAGE, r.code(), r.err());
    JsonNode s = status();
    assertEquals("failed", s.get("state").asText());
    assertEquals(2, s.get("exit_code").asInt());
    assertFalse(s.get("application_id").isNull(), "found after Spark started: " + s);
    assertTrue(s.get("error").asText().contains("row 7"), s.toString());
    assertFalse(Files.exists(dir.resolve("out")), "nothing committed");
  }

  @Test
  void quantize_runtimeFailureMidTraining_statusFailedExit1() throws Exception {
    Path in = TestTables.safetensors(dir, "t.safetensors", TABLE, DType.F32);
    CancelLloydJob.arm(2);
    Run r;
    try {
      r = asg(quantize(in, dir.resolve("out")));
    } finally {
      CancelLloydJob.disarm();
    }
    assertEquals(AsgMain.EXIT_FAILURE, r.code(), r.err());
    JsonNode s = status();
    assertEquals("failed", s.get("state").asText());
    assertEquals(1, s.get("exit_code").asInt());
    assertTrue(s.get("error").asText().contains("Lloyd iteration 2"), s.toString());
    assertFalse(Files.exists(dir.resolve("out")), "nothing committed");
  }

  @Test
  void quantize_unreachableNamenode_exit1OneLineAndStatusFailed() throws Exception {
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort(); // closed again below: nothing listens there
    }
    // Hadoop retries a refused connection 10 times, 1 s apart; the outcome is the same with none.
    System.setProperty("spark.hadoop.ipc.client.connect.max.retries", "0");
    try {
      Run r = asg("quantize", "--input", "hdfs://127.0.0.1:" + port + "/m/t.safetensors", "--output",
          dir.resolve("out").toString(), "--m", "4", "--status-file", dir.resolve("status.json").toString());
      assertEquals(AsgMain.EXIT_FAILURE, r.code(), r.err());
      assertEquals(1, r.err().lines().count(), r.err());
      assertTrue(r.err().startsWith("asg: failed: --input hdfs://127.0.0.1:" + port), r.err());
      JsonNode s = status();
      assertEquals(1, s.get("exit_code").asInt());
      assertTrue(s.get("error").asText().contains("did not answer"), s.toString());
    } finally {
      System.clearProperty("spark.hadoop.ipc.client.connect.max.retries");
    }
    assertFalse(Files.exists(dir.resolve("out")), "nothing written");
  }

  @Test
  void quantize_hdfsUriWithoutHost_exit2() throws Exception {
    Path in = TestTables.safetensors(dir, "t.safetensors", TABLE, DType.F32);
    Run r = asg("quantize", "--input", in.toString(), "--output", "hdfs://bad host:8020/a", "--m", "4");
    assertEquals(AsgMain.EXIT_USAGE, r.code(), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().contains("--output hdfs://bad host:8020/a"), r.err());
  }

  private static Manifest manifest(Path out) throws Exception {
    try (var in = Files.newInputStream(out.resolve("manifest.json"))) {
      return Manifest.read(in);
    }
  }
}
