package dev.asg.spark.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.artifact.Manifest;
import dev.asg.common.synth.PlantedTable;
import dev.asg.common.tensor.DType;
import dev.asg.common.tensor.TableSpec;
import dev.asg.spark.engine.QuantizePlan;
import dev.asg.spark.engine.QuantizeRequest;
import dev.asg.spark.engine.QuantizeResult;
import dev.asg.spark.output.ArtifactWriter;
import dev.asg.spark.source.ByteRangeTableSource;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mllib baseline on a tiny table in local Spark: a partial run (1 of 4 codebooks, to keep the test short) writes the project's
 * artifact layout, says in the manifest how much it trained, and its relative_mse is what the written codebook
 * and mapping give when recomputed here from the table.
 */
class MllibBaselineSparkTest {
  private static final int ROWS = 600;
  private static final int DIM = 16;
  private static final int M = 4;
  private static final int K = 8;
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("mllib baseline test")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1").config("spark.sql.shuffle.partitions", "2")
        .getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void run_oneOfFourCodebooks_writesLayoutAndConsistentRelativeMse(@TempDir Path dir) throws Exception {
    PlantedTable table = new PlantedTable(ROWS, DIM, M, K, 0.05, 7);
    Path input = dir.resolve("t.safetensors");
    table.writeSafetensors(input, DType.F32);
    Path out = dir.resolve("art");
    QuantizeRequest p = QuantizeRequest.builder().input(input.toString()).output(out.toString()).m(M).k(K)
        .iterations(3).init("random").build();
    TableSpec spec = ((ByteRangeTableSource) QuantizePlan.preflight(p, spark.sparkContext().hadoopConfiguration())
        .sections().get(0).table()).spec();
    ArtifactWriter writer = ArtifactWriter.preflight(p.run().output(), false, spark.sparkContext().hadoopConfiguration());
    QuantizeResult result = MllibBaseline.run(spark, p, spec, MllibBaseline.codebooksToTrain("mllib", 1, p));
    try {
      writer.write(result);
    } finally {
      result.release();
    }

    Manifest mf;
    try (InputStream in = Files.newInputStream(out.resolve("manifest.json"))) {
      mf = Manifest.read(in);
    }
    assertEquals("1 of 4", mf.params.get(MllibBaseline.TRAINED_KEY));
    assertEquals("mllib", mf.params.get(MllibBaseline.ENGINE));
    assertEquals(3, mf.result.iterationsRun);

    int dsub = DIM / M;
    List<Row> cb = spark.read().parquet(out.resolve("codebook").toString()).orderBy("row").collectAsList();
    assertEquals(K, cb.size());
    float[][] centroid = new float[K][];
    for (Row r : cb) {
      List<Float> v = r.getList(r.fieldIndex("vector"));
      centroid[r.getInt(r.fieldIndex("row"))] = new float[dsub];
      for (int d = 0; d < dsub; d++) {
        centroid[r.getInt(r.fieldIndex("row"))][d] = v.get(d);
      }
    }
    List<Row> mapping = spark.read().parquet(out.resolve("mapping").toString()).collectAsList();
    assertEquals(ROWS, mapping.size());
    float[] x = new float[DIM];
    double err = 0;
    double norm = 0;
    for (Row r : mapping) {
      List<Integer> ids = r.getList(r.fieldIndex("concept_ids"));
      assertEquals(1, ids.size());
      table.fillRows(r.getInt(r.fieldIndex("token_id")), 1, x, 0);
      for (int i = 0; i < 1; i++) {
        int id = ids.get(i);
        assertTrue(id >= i * K && id < (i + 1) * K, "concept id " + id + " of segment " + i);
        for (int d = 0; d < dsub; d++) {
          double e = x[i * dsub + d] - centroid[id][d];
          err += e * e;
          norm += (double) x[i * dsub + d] * x[i * dsub + d];
        }
      }
    }
    assertEquals(err / norm, mf.result.relativeMse, 1e-6);
    assertTrue(mf.result.relativeMse < 0.5, "relative MSE " + mf.result.relativeMse);
  }
}
