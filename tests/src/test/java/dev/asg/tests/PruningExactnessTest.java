package dev.asg.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.artifact.Manifest;
import dev.asg.common.kmeans.CodebookMode;
import dev.asg.common.synth.PlantedTable;
import dev.asg.common.tensor.DType;
import dev.asg.spark.engine.QuantizeJob;
import dev.asg.spark.engine.QuantizeRequest;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole runs with {@code --pruning exact} against the brute-force reference {@code --pruning off}: identical
 * {@code manifest.digests}, objectives and empty-cluster splits, on separate and shared codebooks, the sampled and
 * the full training path (the full one also prunes the final assignment), a table whose duplicate rows force
 * empty-cluster splits in every iteration, and the real MiniLM table. The pruned runs must also skip something,
 * so the comparison is not brute force against itself.
 */
class PruningExactnessTest {
  @TempDir
  static Path dir;
  private static SparkSession spark;
  private static Path noisy;

  @BeforeAll
  static void start() throws Exception {
    spark = LocalSpark.start("local[2]");
    // Noise 0.6: many points near cluster boundaries, where a loose bound would change an assignment.
    noisy = TestTables.safetensors(dir, "noisy.safetensors",
        new PlantedTable(2500, 32, 4, 12, 0.6, 3, PlantedTable.Mode.SEPARATE), DType.BF16);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static Manifest exactEqualsOff(QuantizeRequest.Builder b, String name) throws Exception {
    return exactEqualsOff(b, name, true);
  }

  /**
   * Runs both settings and checks they agree; returns the pruned run's manifest.
   *
   * @param mustSkip whether the pruned run must skip a good share of distances in some iteration
   */
  private static Manifest exactEqualsOff(QuantizeRequest.Builder b, String name, boolean mustSkip)
      throws Exception {
    Manifest exact = QuantizeJob.run(spark,
        b.output(dir.resolve(name + "-exact").toString()).pruning("exact").build());
    Manifest off = QuantizeJob.run(spark,
        b.output(dir.resolve(name + "-off").toString()).pruning("off").build());
    assertEquals(off.digests, exact.digests, name + ": digests");
    assertEquals(off.result.objective, exact.result.objective, name + ": objectives");
    assertEquals(off.result.emptySplits, exact.result.emptySplits, name + ": empty-cluster splits");
    assertEquals(off.result.relativeMse, exact.result.relativeMse, name + ": relative MSE");
    assertTrue(off.result.iterationTimings.skippedDistances.stream().allMatch(s -> s == 0.0), name);
    assertEquals(0.0, off.result.finalSkippedDistances, name + ": --pruning off's final pass is brute force");
    assertEquals(0.0, exact.result.iterationTimings.skippedDistances.get(0), name + ": no bounds in iteration 1");
    assertTrue(!mustSkip || exact.result.iterationTimings.skippedDistances.stream().anyMatch(s -> s > 0.2),
        name + ": pruning should skip: " + exact.result.iterationTimings.skippedDistances);
    assertEquals("exact", exact.params.get("pruning"));
    return exact;
  }

  private static QuantizeRequest.Builder noisy(CodebookMode mode) {
    return QuantizeRequest.builder().input(noisy.toString()).m(4).k(12).codebook(mode).iterations(6).seed(99);
  }

  @Test
  void quantize_separateFullTraining_exactEqualsOff() throws Exception {
    Manifest m = exactEqualsOff(noisy(CodebookMode.SEPARATE), "separate");
    assertEquals(2500, m.result.trainingPoints, "full (not sampled) training path");
  }

  @Test
  void quantize_separateAndSharedSampled_exactEqualsOff() throws Exception {
    Manifest sep = exactEqualsOff(noisy(CodebookMode.SEPARATE).maxPointsPerCentroid(64), "separate-sampled");
    assertTrue(sep.result.trainingPoints < 2500, "sampled path");
    Manifest shared = exactEqualsOff(noisy(CodebookMode.SHARED), "shared-sampled");
    assertTrue(shared.result.trainingPoints < 10000, "sampled path");
  }

  /**
   * The final pass's grouped search (common's {@code GroupedAssigner}): a shared codebook of k = 1024 (the
   * smallest k it runs at) trained on a sample of a table of 256 tight planted clusters, so most points were never
   * trained on and have no bounds. Every block's first chunk runs the grouped search (at this small k the rest of a
   * block may fall back to brute force, which it did: 0.33 skipped). Same digests as brute force, and the pass
   * must skip; common's {@code GroupedAssignerTest} covers the search itself bit for bit.
   */
  @Test
  void quantize_sharedLargeKFinalPass_exactEqualsOffAndSkips() throws Exception {
    Path tight = TestTables.safetensors(dir, "tight.safetensors",
        new PlantedTable(2500, 32, 4, 256, 0.05, 11, PlantedTable.Mode.SHARED), DType.F32);
    Manifest exact = exactEqualsOff(QuantizeRequest.builder().input(tight.toString()).m(4).k(1024)
        .codebook(CodebookMode.SHARED).maxPointsPerCentroid(8).iterations(2).seed(7), "shared-final-tight", false);
    assertTrue(exact.result.trainingPoints < 10000, "sampled path");
    assertTrue(exact.result.finalSkippedDistances > 0.2, "final pass skipped " + exact.result.finalSkippedDistances);
  }

  /**
   * Noise 0: each segment has only 4 distinct values, so with k = 12 empty clusters are split every iteration.
   * Every point then sits on a near-tie between a split pair, so the bounds rightly skip little or nothing here:
   * the point is that splits mid-run never make a pruned run differ.
   */
  @Test
  void quantize_duplicateRowsWithEmptySplits_exactEqualsOff() throws Exception {
    Path dup = TestTables.safetensors(dir, "dup.safetensors",
        new PlantedTable(600, 16, 2, 4, 0.0, 5, PlantedTable.Mode.SEPARATE), DType.F32);
    Manifest m = exactEqualsOff(QuantizeRequest.builder().input(dup.toString()).m(2).k(12).iterations(6).seed(3),
        "duplicates", false);
    assertTrue(m.result.emptySplits.subList(1, m.result.emptySplits.size()).stream().anyMatch(s -> s > 0),
        "splits after the first iteration: " + m.result.emptySplits);
  }

  @Test
  void quantize_realMiniLmTable_exactEqualsOff() throws Exception {
    Path onnx = dir.resolve("all-minilm-l6-v2.onnx");
    try (InputStream in = PruningExactnessTest.class.getResourceAsStream("/all-minilm-l6-v2.onnx")) {
      Files.copy(in, onnx);
    }
    exactEqualsOff(QuantizeRequest.builder().input(onnx.toString()).m(24).k(32).iterations(5).vocab("none"),
        "minilm");
  }
}
