package dev.asg.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.artifact.Manifest;
import dev.asg.common.kmeans.CodebookMode;
import dev.asg.common.synth.PlantedTable;
import dev.asg.common.tensor.DType;
import dev.asg.spark.engine.QuantizeJob;
import dev.asg.spark.engine.QuantizeRequest;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Well-separated planted centroids (N(0,1) components, noise 0.01, V=20000, D=256, m=16, k=64): k-means must find
 * the planted codebook, so the remaining error is the noise: relative MSE below twice the noise energy. V exceeds
 * k * max-points-per-centroid, so this also exercises the sampled training path and the final full pass.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlantedStructureTest {
  @TempDir
  static Path dir;
  private SparkSession spark;
  private PlantedTable table;
  private Path input;

  @BeforeAll
  void start() throws Exception {
    spark = LocalSpark.start("local[2]");
    table = new PlantedTable(20000, 256, 16, 64, 0.01, 5, PlantedTable.Mode.SHARED);
    input = TestTables.safetensors(dir, "planted.safetensors", table, DType.F32);
  }

  @AfterAll
  void stop() {
    spark.stop();
  }

  @ParameterizedTest
  @EnumSource(CodebookMode.class)
  void quantize_plantedCentroids_errorBelowTwiceNoiseEnergy(CodebookMode mode) throws Exception {
    Manifest m = QuantizeJob.run(spark, QuantizeRequest.builder()
        .input(input.toString()).output(dir.resolve("out-" + mode).toString())
        .m(16).k(64).codebook(mode).iterations(10).seed(1234).build());
    double noise = table.noiseEnergyFraction();
    assertTrue(m.result.relativeMse < 2 * noise, mode + ": relative MSE " + m.result.relativeMse
        + " vs noise energy " + noise);
    assertTrue(m.result.trainingPoints < (mode == CodebookMode.SEPARATE ? 20000 : 20000 * 16),
        "trained on the sample, not the whole table: " + m.result.trainingPoints);
  }
}
