package dev.asg.tests.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asg.common.synth.PlantedTable;
import dev.asg.spark.cli.AsgMain;
import dev.asg.tests.LocalSpark;
import dev.asg.tests.ParquetTables;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code asg evaluate --input} a Parquet table: the same numbers as the same table stored as safetensors. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ParquetEvaluateTest {
  private static final int V = 600;
  private static final int D = 16;

  @TempDir
  static Path dir;
  private SparkSession spark;
  private Path safetensors;
  private Path parquet;

  private static String[] asg(String... args) {
    StringWriter e = new StringWriter();
    int code = AsgMain.run(new PrintWriter(new StringWriter(), true), new PrintWriter(e, true), args);
    return new String[] {Integer.toString(code), e.toString()};
  }

  @BeforeAll
  void setUp() throws Exception {
    spark = LocalSpark.start("local[2]");
    PlantedTable t = new PlantedTable(V, D, 4, 8, 0.3, 3, PlantedTable.Mode.SEPARATE);
    float[] rows = new float[V * D];
    t.fillRows(0, V, rows, 0);
    safetensors = EvalTables.write(dir.resolve("t.safetensors"), rows, V, D);
    // Rows in a scrambled order over 3 files: evaluate must put them in id order.
    parquet = ParquetTables.write(spark, dir.resolve("t.parquet"), rows, V, D, false, 3);
  }

  @AfterAll
  void stop() {
    spark.stop();
  }

  private JsonNode evaluation(Path artifact) throws Exception {
    return new ObjectMapper().readTree(artifact.resolve("manifest.json").toFile()).path("evaluation");
  }

  private void assertSameNumbers(JsonNode a, JsonNode b) {
    for (String f : new String[] {"relative_mse", "mean_cosine", "p5_cosine", "min_cosine"}) {
      assertEquals(a.path(f).asDouble(-1), b.path(f).asDouble(-2), 1e-12, f);
    }
    assertEquals(a.path("knn").path("recall").asDouble(-1), b.path("knn").path("recall").asDouble(-2), 0.0);
  }

  @Test
  void evaluate_parquetInput_sameNumbersAsSafetensors() throws Exception {
    Path out = dir.resolve("from-safetensors");
    String[] q = asg("quantize", "--input", safetensors.toString(), "--m", "4", "--k", "8", "--iterations", "3",
        "--output", out.toString());
    assertEquals("0", q[0], q[1]);
    String[] e1 = asg("evaluate", "--artifacts", out.toString(), "--sample", "200");
    assertEquals("0", e1[0], e1[1]);
    JsonNode viaTensor = evaluation(out);
    String[] e2 = asg("evaluate", "--artifacts", out.toString(), "--input", parquet.toString(), "--id-col",
        "token_id", "--vector-col", "embedding", "--sample", "200");
    assertEquals("0", e2[0], e2[1]);
    assertSameNumbers(viaTensor, evaluation(out));
    assertTrue(viaTensor.path("relative_mse").asDouble() > 0, "a lossy artifact");
  }

  @Test
  void evaluate_artifactFromParquetWithoutInput_readsManifestSource() throws Exception {
    Path out = dir.resolve("from-parquet");
    String[] q = asg("quantize", "--input", parquet.toString(), "--m", "4", "--k", "8", "--iterations", "3",
        "--output", out.toString());
    assertEquals("0", q[0], q[1]);
    String[] e1 = asg("evaluate", "--artifacts", out.toString(), "--sample", "200");
    assertEquals("0", e1[0], e1[1]);
    JsonNode viaParquet = evaluation(out);
    String[] e2 = asg("evaluate", "--artifacts", out.toString(), "--input", safetensors.toString(), "--sample",
        "200");
    assertEquals("0", e2[0], e2[1]);
    assertSameNumbers(viaParquet, evaluation(out));
  }

  @Test
  void evaluate_parquetWrongVectorColumn_exit2NamingIt() {
    Path out = dir.resolve("from-safetensors-2");
    assertEquals("0", asg("quantize", "--input", safetensors.toString(), "--m", "4", "--k", "8",
        "--iterations", "1", "--output", out.toString())[0]);
    String[] e = asg("evaluate", "--artifacts", out.toString(), "--input", parquet.toString(), "--vector-col",
        "vec");
    assertEquals("2", e[0], e[1]);
    assertEquals(1, e[1].lines().count(), e[1]);
    assertTrue(e[1].contains("vec"), e[1]);
  }
}
