package dev.asg.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.spark.cli.AsgMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The new inputs' errors through the command line: exit 2, one line naming the flag or column, nothing written. */
class ParquetCliTest {
  @TempDir
  Path dir;

  private String run(int expectedCode, String... args) {
    StringWriter err = new StringWriter();
    int code = AsgMain.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), args);
    assertEquals(expectedCode, code, err.toString());
    return err.toString().lines().findFirst().orElse("");
  }

  private void assertNothingWritten() throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      assertFalse(s.anyMatch(p -> p.getFileName().toString().startsWith("out")), "nothing written");
    }
  }

  @Test
  void quantize_parquetWithIdGap_exit2NamingColumnAndId() throws Exception {
    Path table = dir.resolve("table");
    SparkSession spark = LocalSpark.start("local[1]");
    try {
      float[] data = new float[60 * 8];
      for (int i = 0; i < data.length; i++) {
        data[i] = (i % 11) * 0.5f - 2;
      }
      Integer[] ids = new Integer[60];
      float[][] vectors = new float[60][];
      for (int t = 0; t < 60; t++) {
        ids[t] = t < 30 ? t : t + 2; // 30 and 31 missing
        vectors[t] = java.util.Arrays.copyOfRange(data, t * 8, t * 8 + 8);
      }
      ParquetTables.write(spark, table, ids, vectors, false, 2);
    } finally {
      spark.stop();
    }
    String line = run(AsgMain.EXIT_USAGE, "quantize", "--input", table.toString(), "--output",
        dir.resolve("out").toString(), "--m", "2", "--k", "4", "--master", "local[1]");
    assertTrue(line.startsWith("asg: error: ") && line.contains("token_id") && line.contains("id 30 is missing"),
        line);
    assertNothingWritten();
  }

  @Test
  void quantize_outputTensorWithNpyFormat_exit2BeforeSpark() throws Exception {
    String line = run(AsgMain.EXIT_USAGE, "quantize", "--input", dir.resolve("x.npy").toString(),
        "--input-format", "npy", "--output-tensor", "lm_head.weight", "--output", dir.resolve("out").toString());
    assertTrue(line.contains("--output-tensor") && line.contains("npy"), line);
    assertNothingWritten();
  }

  @Test
  void quantize_columnNamesWithDotAndBacktick_lookedUpByExactName() throws Exception {
    // Parsed as expressions, "token.id" was a struct field and "vec`tor" a syntax error.
    Path table = dir.resolve("odd");
    SparkSession spark = LocalSpark.start("local[1]");
    try {
      spark.range(40).selectExpr("cast(id as int) as `token.id`",
          "transform(sequence(0, 7), d -> cast(sin(id * 1.7 + d) as float)) as `vec``tor`").coalesce(1).write()
          .parquet(table.toString());
    } finally {
      spark.stop();
    }
    run(AsgMain.EXIT_OK, "quantize", "--input", table.toString(), "--id-col", "token.id", "--vector-col", "vec`tor",
        "--output", dir.resolve("out").toString(), "--m", "2", "--k", "4", "--iterations", "2", "--master",
        "local[1]");
    assertTrue(Files.exists(dir.resolve("out/_SUCCESS")));
  }
}
