package dev.asg.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.artifact.Manifest;
import dev.asg.common.kmeans.CodebookMode;
import dev.asg.common.synth.PlantedTable;
import dev.asg.common.tensor.DType;
import dev.asg.spark.engine.QuantizeJob;
import dev.asg.spark.engine.QuantizeRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same input, parameters and seed give bit-identical codebooks and mappings whatever the partitioning and
 * executor threads: local[1] with 3 partitions vs local[2] with 7, for separate and shared codebooks, on the
 * sampled training path (V > k * max-points-per-centroid).
 */
class DeterminismTest {
  @TempDir
  Path dir;

  private static QuantizeRequest.Builder params(Path in, Path out, CodebookMode mode) {
    return QuantizeRequest.builder().input(in.toString()).output(out.toString()).m(4).k(12).codebook(mode)
        .iterations(5).maxPointsPerCentroid(64).seed(99);
  }

  @Test
  void quantize_differentPartitioningAndThreads_identicalDigests() throws Exception {
    // Noisy data (noise 0.6) so many points sit near cluster boundaries: any order-dependent sum would show.
    PlantedTable t = new PlantedTable(2500, 32, 4, 12, 0.6, 3, PlantedTable.Mode.SEPARATE);
    Path in = TestTables.safetensors(dir, "det.safetensors", t, DType.BF16);
    List<Manifest> runs = new ArrayList<>();
    String[][] setups = {{"local[1]", "3"}, {"local[2]", "7"}};
    for (String[] s : setups) {
      SparkSession spark = LocalSpark.start(s[0]);
      try {
        for (CodebookMode mode : CodebookMode.values()) {
          Path out = dir.resolve(s[0].replaceAll("\\W", "") + "-" + s[1] + "-" + mode);
          runs.add(QuantizeJob.run(spark,
              params(in, out, mode).partitions(Integer.parseInt(s[1])).build()));
        }
      } finally {
        spark.stop();
      }
    }
    for (int mode = 0; mode < 2; mode++) {
      Manifest a = runs.get(mode);
      Manifest b = runs.get(2 + mode);
      assertTrue(a.result.trainingPoints < (mode == 0 ? 2500 : 10000), "sampled path");
      assertEquals(a.digests, b.digests, "digests for " + CodebookMode.values()[mode]);
      assertEquals(a.result.objective, b.result.objective);
      assertEquals(a.result.relativeMse, b.result.relativeMse);
      assertEquals(3, ((Number) a.params.get("partitions")).intValue());
      assertEquals(7, ((Number) b.params.get("partitions")).intValue());
    }
  }

  @Test
  void quantize_realMiniLmTable_identicalDigestsAcrossPartitionings() throws Exception {
    // The real all-MiniLM-L6-v2 table (test-scoped Maven dependency): 1 partition on local[1] vs 7 on local[2].
    Path onnx = dir.resolve("all-minilm-l6-v2.onnx");
    try (java.io.InputStream in = DeterminismTest.class.getResourceAsStream("/all-minilm-l6-v2.onnx")) {
      java.nio.file.Files.copy(in, onnx);
    }
    List<Manifest> runs = new ArrayList<>();
    String[][] setups = {{"local[1]", "1"}, {"local[2]", "7"}};
    for (String[] s : setups) {
      SparkSession spark = LocalSpark.start(s[0]);
      try {
        runs.add(QuantizeJob.run(spark, QuantizeRequest.builder().input(onnx.toString())
            .output(dir.resolve("minilm-" + s[1]).toString()).m(24).k(32).iterations(3).vocab("none")
            .partitions(Integer.parseInt(s[1])).build()));
      } finally {
        spark.stop();
      }
    }
    assertEquals(runs.get(0).digests, runs.get(1).digests);
    assertEquals(runs.get(0).result.objective, runs.get(1).result.objective);
  }
}
