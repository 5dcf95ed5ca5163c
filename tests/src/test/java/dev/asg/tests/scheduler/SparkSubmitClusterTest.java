package dev.asg.tests.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asg.common.artifact.Manifest;
import dev.asg.common.synth.PlantedTable;
import dev.asg.common.tensor.DType;
import dev.asg.spark.cli.AsgMain;
import dev.asg.tests.ShadedJar;
import dev.asg.tests.TestTables;
import dev.asg.tests.cluster.SparkClusterExtension;
import dev.asg.tests.cluster.StandaloneSparkCluster;
import java.io.File;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar under the real spark-submit ({@code org.apache.spark.deploy.SparkSubmit}, only Spark's jars on its
 * classpath) against a standalone cluster, as a scheduler runs it. Client mode: the driver is the submitter, so its
 * exit code (0, or 2 for bad input) is spark-submit's. Cluster mode: the driver runs inside a Worker and Spark's
 * standalone client exits 0 once the driver ended, FINISHED or FAILED alike (deploy.Client, Spark 4.1): a scheduler
 * learns the outcome from --status-file (and the Master's driver state), which this test checks.
 */
@Tag("slow")
class SparkSubmitClusterTest {
  @RegisterExtension
  static final SparkClusterExtension CLUSTER = new SparkClusterExtension(2, 1, "1g");

  private static final int TIMEOUT_S = 240;

  @TempDir
  static Path dir;
  private static Path table;

  @BeforeAll
  static void table() throws Exception {
    table = TestTables.safetensors(dir, "t.safetensors", new PlantedTable(1000, 16, 4, 8, 0.05, 5,
        PlantedTable.Mode.SEPARATE), DType.F16);
  }

  /** Spark's own jars: what a cluster provides (the shaded jar brings asg, picocli and protobuf). */
  private static String sparkOnly() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(p -> !p.contains("asg-") && !p.contains("/target/classes") && !p.contains("/target/test-classes")
            && !p.contains("picocli") && !p.contains("protobuf-java-3"))
        .collect(Collectors.joining(File.pathSeparator));
  }

  record Submitted(int exit, String log) {}

  private Submitted submit(String deployMode, Path propertiesFile, String... appArgs) throws Exception {
    StandaloneSparkCluster c = CLUSTER.cluster();
    String cp = sparkOnly();
    String jvmFlags = System.getProperty("asg.jvm.flags", "");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(Arrays.asList(jvmFlags.split(" ")));
    cmd.addAll(List.of("-Xmx512m", "-cp", cp, "org.apache.spark.deploy.SparkSubmit",
        "--master", c.masterUrl(), "--deploy-mode", deployMode, "--class", AsgMain.class.getName(),
        "--driver-memory", "512m", "--executor-memory", "512m", "--total-executor-cores", "1"));
    Map<String, String> conf = Map.of(
        "spark.executor.extraClassPath", cp,
        "spark.executorEnv.SPARK_SCALA_VERSION", "2.13",
        "spark.driver.host", StandaloneSparkCluster.LOOPBACK,
        "spark.driver.bindAddress", StandaloneSparkCluster.LOOPBACK,
        "spark.ui.enabled", "false",
        // Cluster mode: the Worker starts the driver from Spark's jars (SPARK_HOME has none here) with the
        // same module flags as any Spark 4 JVM on Java 17, and spark-submit waits until it ended.
        "spark.driver.extraClassPath", cp,
        "spark.driver.extraJavaOptions", jvmFlags,
        "spark.standalone.submit.waitAppCompletion", "true");
    conf.forEach((k, v) -> cmd.addAll(List.of("--conf", k + "=" + v)));
    if (propertiesFile != null) {
      cmd.addAll(List.of("--properties-file", propertiesFile.toString()));
    }
    cmd.add(ShadedJar.require().toString());   // fails, not skips, when the jar was not built
    cmd.addAll(List.of(appArgs));
    cmd.removeIf(String::isEmpty);
    Path log = Files.createTempFile(dir, "submit-" + deployMode, ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("SPARK_LOCAL_IP", StandaloneSparkCluster.LOOPBACK);
    Process p = pb.start();
    if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("spark-submit did not finish in " + TIMEOUT_S + " s:\n" + Files.readString(log)
          + "\n" + c.logTails(30));
    }
    return new Submitted(p.exitValue(), Files.readString(log));
  }

  private static JsonNode json(Path p) throws Exception {
    return Manifest.mapper().readTree(Files.readString(p));
  }

  private static Manifest manifest(Path artifact) throws Exception {
    try (InputStream in = Files.newInputStream(artifact.resolve("manifest.json"))) {
      return Manifest.read(in);
    }
  }

  /** The end state the Master records for the last driver submitted in cluster mode. */
  private String lastDriverState() throws Exception {
    HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();
    String body = http.send(HttpRequest.newBuilder(URI.create(CLUSTER.cluster().masterWebUiUrl() + "json/")).GET()
        .build(), HttpResponse.BodyHandlers.ofString()).body();
    JsonNode done = Manifest.mapper().readTree(body).path("completeddrivers");
    return done.size() == 0 ? "none" : done.get(done.size() - 1).path("state").asText();
  }

  @Test
  void clientMode_flagsFromPropertiesFile_exit0AndSameDigestsAsFlags() throws Exception {
    Path props = dir.resolve("asg.properties");
    Files.writeString(props, "spark.asg.m=4\nspark.asg.k=8\nspark.asg.iterations=2\nspark.asg.seed=5\n");
    Path out = dir.resolve("client-out");
    Submitted s = submit("client", props, "quantize", "--input", table.toString(), "--output", out.toString());
    assertEquals(0, s.exit(), s.log());
    assertTrue(s.log().contains("spark.asg.m=4"), "the log names the values taken from the configuration");

    Path flags = dir.resolve("flags-out");
    StringWriter err = new StringWriter();
    assertEquals(0, AsgMain.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "quantize",
        "--input", table.toString(), "--output", flags.toString(), "--m", "4", "--k", "8", "--iterations", "2",
        "--seed", "5", "--master", "local[2]"), err.toString());
    Manifest fromConf = manifest(out);
    Manifest fromFlags = manifest(flags);
    assertEquals(fromFlags.digests, fromConf.digests);
    for (String key : List.of("m", "k", "iterations", "seed")) {
      assertEquals(String.valueOf(fromFlags.params.get(key)), String.valueOf(fromConf.params.get(key)), key);
    }
  }

  @Test
  void clientMode_badInput_exit2ReachesTheSubmitter() throws Exception {
    Submitted s = submit("client", null, "quantize", "--input", table.toString(), "--output",
        dir.resolve("bad-client").toString(), "--m", "5", "--k", "8");
    assertEquals(AsgMain.EXIT_USAGE, s.exit(), s.log());
    assertTrue(s.log().contains("asg: error: --m 5"), s.log());
    assertTrue(Files.notExists(dir.resolve("bad-client")));
  }

  @Test
  void clusterMode_goodAndBadRuns_statusFileAndDriverStateTellThemApart() throws Exception {
    Path status = dir.resolve("cluster-status.json");
    Path out = dir.resolve("cluster-out");
    Submitted good = submit("cluster", null, "quantize", "--input", table.toString(), "--output", out.toString(),
        "--m", "4", "--k", "8", "--iterations", "2", "--status-file", status.toString());
    assertEquals(0, good.exit(), good.log());
    JsonNode st = json(status);
    assertEquals("succeeded", st.get("state").asText(), st + "\n" + good.log());
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
    assertEquals("FINISHED", lastDriverState());

    Submitted bad = submit("cluster", null, "quantize", "--input", table.toString(), "--output",
        dir.resolve("bad-cluster").toString(), "--m", "5", "--k", "8", "--status-file", status.toString());
    // Spark's standalone client reports a driver that ended, not how: 0 here too (see the class comment).
    assertEquals(0, bad.exit(), bad.log());
    st = json(status);
    assertEquals("failed", st.get("state").asText(), st.toString());
    assertEquals(AsgMain.EXIT_USAGE, st.get("exit_code").asInt());
    assertTrue(st.get("error").asText().contains("--m 5"), st.toString());
    assertEquals("FAILED", lastDriverState(), "the driver's exit code 2 makes the Master record FAILED");
    assertNotEquals(good.log(), bad.log());
  }
}
