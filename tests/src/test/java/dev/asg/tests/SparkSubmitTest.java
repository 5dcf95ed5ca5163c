package dev.asg.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.artifact.Manifest;
import dev.asg.common.synth.PlantedTable;
import dev.asg.common.tensor.DType;
import java.io.File;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar runs unchanged under spark-submit: a child JVM runs Spark's own submit entry point
 * (org.apache.spark.deploy.SparkSubmit, what bin/spark-submit execs) with ONLY Spark's jars on its classpath and the
 * shaded jar as the application, exactly as on a cluster that provides Spark.
 */
class SparkSubmitTest {

  @TempDir
  Path dir;

  @Test
  void sparkSubmit_shadedJar_writesArtifacts() throws Exception {
    Path shaded = ShadedJar.require();
    Path in = TestTables.safetensors(dir, "t.safetensors", new PlantedTable(1500, 32, 4, 8, 0.05, 2,
        PlantedTable.Mode.SEPARATE), DType.F16);
    Path out = dir.resolve("out");
    String sparkOnly = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(p -> !p.contains("asg-") && !p.contains("/target/classes") && !p.contains("/target/test-classes")
            && !p.contains("picocli") && !p.contains("protobuf-java-3"))
        .collect(Collectors.joining(File.pathSeparator));
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(Arrays.asList(System.getProperty("asg.jvm.flags", "").split(" ")));
    cmd.addAll(List.of("-Xmx1g", "-cp", sparkOnly, "org.apache.spark.deploy.SparkSubmit",
        "--class", "dev.asg.spark.cli.AsgMain", "--master", "local[2]",
        "--conf", "spark.ui.enabled=false", "--conf", "spark.driver.host=127.0.0.1",
        "--conf", "spark.driver.bindAddress=127.0.0.1",
        shaded.toString(),
        "quantize", "--input", in.toString(), "--m", "4", "--k", "8", "--iterations", "3",
        "--output", out.toString()));
    cmd.removeIf(String::isEmpty);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("log.txt").toFile())
        .start();
    boolean done = p.waitFor(180, TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly();
    }
    String log = Files.readString(dir.resolve("log.txt"));
    assertTrue(done, "spark-submit did not finish in 180 s:\n" + log);
    assertEquals(0, p.exitValue(), log);
    assertTrue(Files.exists(out.resolve("_SUCCESS")), log);
    try (InputStream s = Files.newInputStream(out.resolve("manifest.json"))) {
      Manifest m = Manifest.read(s);
      assertEquals(3, m.result.iterationsRun);
      assertEquals("F16", m.source.dtype);
    }
  }
}
