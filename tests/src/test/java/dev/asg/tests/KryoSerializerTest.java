package dev.asg.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.artifact.Manifest;
import dev.asg.common.synth.PlantedTable;
import dev.asg.common.tensor.DType;
import dev.asg.spark.engine.LloydAggregation;
import dev.asg.spark.engine.QuantizeJob;
import dev.asg.spark.engine.QuantizeRequest;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's session with spark.serializer=Kryo (common for ml.ProductQuantizer): task results are serialized with
 * it, which ignores Java serialization hooks and skips transient fields. The Lloyd statistics travel as plain byte
 * arrays, so training with pruning (full sums, then deltas) gives the same digests and objectives as Java. The
 * keyed aggregation clusters use (LloydAggregation's reduceByKey of encoded slices) also shuffles them with Kryo:
 * forced here in one JVM, it must give the same result.
 */
class KryoSerializerTest {
  @TempDir
  Path dir;

  @Test
  void quantize_kryoSession_sameDigestsAsJavaSerializer() throws Exception {
    PlantedTable t = new PlantedTable(600, 8, 2, 8, 0.3, 31, PlantedTable.Mode.SEPARATE);
    Path file = TestTables.safetensors(dir, "t.safetensors", t, DType.F32);
    Manifest java = run(LocalSpark.start("local[2]"), file, "java");
    Manifest kryo = run(kryoSession(false), file, "kryo");
    Manifest keyed = run(kryoSession(true), file, "kryo-keyed");
    assertEquals(java.digests, kryo.digests);
    assertEquals(java.result.objective, kryo.result.objective);
    assertEquals(6, kryo.result.iterationsRun);
    // Bytes in are the encoded stats' lengths, the same whatever the serializer.
    assertEquals(java.result.iterationTimings.driverBytesIn, kryo.result.iterationTimings.driverBytesIn);
    assertTrue(kryo.result.iterationTimings.driverBytesIn.get(0) > 0);
    assertEquals(java.digests, keyed.digests);
    assertEquals(java.result.objective, keyed.result.objective);
    assertEquals(java.result.emptySplits, keyed.result.emptySplits);
    // The keyed path ran: the driver got each centroid row once, not once per task (2 full copies here).
    assertTrue(keyed.result.iterationTimings.driverBytesIn.get(0) < java.result.iterationTimings.driverBytesIn.get(0),
        keyed.result.iterationTimings.driverBytesIn + " vs direct " + java.result.iterationTimings.driverBytesIn);
  }

  private Manifest run(SparkSession spark, Path file, String name) throws Exception {
    try {
      return QuantizeJob.run(spark, QuantizeRequest.builder().input(file.toString())
          .output(dir.resolve(name).toString()).m(2).k(8).iterations(6).tol(0).seed(5).build());
    } finally {
      spark.stop();
    }
  }

  private static SparkSession kryoSession(boolean keyed) {
    SparkSession.clearActiveSession();
    SparkSession.clearDefaultSession();
    return SparkSession.builder()
        .master("local[2]")
        .appName("asg-tests-kryo")
        .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
        .config(LloydAggregation.FORCE_KEYED, Boolean.toString(keyed))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate();
  }
}
