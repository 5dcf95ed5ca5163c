package dev.asg.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.InvalidInputException;
import dev.asg.common.artifact.Digests;
import dev.asg.common.artifact.Manifest;
import dev.asg.common.synth.PlantedTable;
import dev.asg.common.tensor.DType;
import dev.asg.common.tensor.npy.NpyWriter;
import dev.asg.common.tensor.onnx.OnnxWriter;
import dev.asg.spark.engine.QuantizeJob;
import dev.asg.spark.engine.QuantizeRequest;
import dev.asg.spark.source.ParquetTableSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * One table stored as safetensors F32, ONNX raw_data, .npy and Parquet must give identical artifacts: everything
 * after reading is shared, so any difference is a reader bug. Bad Parquet tables fail before training, writing
 * nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InputFormatsTest {
  private static final int V = 700;
  private static final int D = 16;
  private static final int M = 4;
  private static final int K = 8;

  @TempDir
  Path dir;
  private SparkSession spark;
  private float[] data;

  @BeforeAll
  void start() {
    spark = LocalSpark.start("local[2]");
    PlantedTable t = new PlantedTable(V, D, M, K, 0.2, 5, PlantedTable.Mode.SEPARATE);
    data = new float[V * D];
    t.fillRows(0, V, data, 0);
  }

  @AfterAll
  void stop() {
    spark.stop();
  }

  private QuantizeRequest.Builder params(Path input, String out) {
    return QuantizeRequest.builder().input(input.toString()).output(dir.resolve(out).toString())
        .m(M).k(K).iterations(4).seed(3);
  }

  private Manifest quantize(Path input, String out) throws Exception {
    return QuantizeJob.run(spark, params(input, out).build());
  }

  @Test
  void quantize_sameTableInAllFormats_identicalDigests() throws Exception {
    Path st = dir.resolve("t.safetensors");
    new PlantedTable(V, D, M, K, 0.2, 5, PlantedTable.Mode.SEPARATE).writeSafetensors(st, DType.F32);
    Path onnx = dir.resolve("t.onnx");
    OnnxWriter.write(onnx, List.of(OnnxWriter.Initializer.floats(PlantedTable.DEFAULT_TENSOR, data,
        OnnxWriter.Encoding.RAW_DATA, V, D)));
    Path npy = dir.resolve("t.npy");
    NpyWriter.write(npy, data, V, D, false);
    Path pq = ParquetTables.write(spark, dir.resolve("t-parquet"), data, V, D, false, 3);

    // A fifth: array<double> under other column names (--id-col/--vector-col), values exactly representable.
    Path pd = ParquetTables.write(spark, dir.resolve("d-parquet"), data, V, D, true, 2);
    Path pd2 = dir.resolve("d2-parquet");
    spark.read().parquet(pd.toString()).withColumnRenamed("token_id", "id").withColumnRenamed("embedding", "vec")
        .write().parquet(pd2.toString());

    Manifest ms = quantize(st, "o-st");
    Manifest md = QuantizeJob.run(spark, params(pd2, "o-d").idCol("id").vectorCol("vec").build());
    Manifest mo = quantize(onnx, "o-onnx");
    Manifest mn = quantize(npy, "o-npy");
    Manifest mp = quantize(pq, "o-pq");
    assertEquals("onnx", mo.source.format);
    assertEquals("npy", mn.source.format);
    assertEquals("parquet", mp.source.format);
    assertEquals("F64", md.source.dtype);
    assertEquals("vec", md.source.tensor);
    for (Manifest m : List.of(mo, mn, mp, md)) {
      assertEquals(ms.digests, m.digests, m.source.format + " digests");
      assertEquals(ms.result.relativeMse, m.result.relativeMse, m.source.format + " relative MSE");
    }
    // Parquet's digest is of the float32 LE table in id order: for an F32 table that is the stored bytes too.
    assertEquals(Digests.ofFloats(data), mp.source.sha256);
    assertEquals(ms.source.sha256, mp.source.sha256);
    assertEquals(ms.source.sha256, md.source.sha256);
    assertEquals(ParquetTableSource.SHA256_OF, mp.source.sha256Of);
    assertEquals("embedding", mp.source.tensor);
    assertEquals("token_id", mp.source.idColumn);
    assertEquals("F32", mp.source.dtype);
    assertEquals(List.of((long) V, (long) D), Arrays.asList(mp.source.shape[0], mp.source.shape[1]));
    // The artifacts themselves agree with the digests (read back independently of the writer).
    Artifacts a = Artifacts.read(spark, dir.resolve("o-pq"));
    a.assertWellFormed(V, M, K, false);
    assertEquals(a.mappingDigest(), ms.digests.get("mapping"));
  }

  /** Expects InvalidInputException whose message contains every fragment, and no output or temporary dir. */
  private void assertRejected(Path input, String out, String... fragments) throws Exception {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> quantize(input, out));
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "'" + e.getMessage() + "' lacks '" + f + "'");
    }
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    try (Stream<Path> s = Files.list(dir)) {
      assertFalse(s.anyMatch(p -> p.getFileName().toString().startsWith(out)), "nothing written for " + out);
    }
  }

  private float[][] vectors(int n) {
    float[][] v = new float[n][];
    for (int t = 0; t < n; t++) {
      v[t] = Arrays.copyOfRange(data, t * D, (t + 1) * D);
    }
    return v;
  }

  private static Integer[] ids(int n) {
    Integer[] ids = new Integer[n];
    for (int t = 0; t < n; t++) {
      ids[t] = t;
    }
    return ids;
  }

  @Test
  void quantize_parquetIdGap_rejectedNamingFirstMissingId() throws Exception {
    Integer[] ids = ids(100);
    for (int t = 40; t < 100; t++) {
      ids[t] = t + 1; // ids 0..39, 41..100: 40 is missing
    }
    Path in = ParquetTables.write(spark, dir.resolve("gap"), ids, vectors(100), false, 2);
    assertRejected(in, "out-gap", "token_id", "id 40 is missing", "0..99");
  }

  @Test
  void quantize_parquetDuplicateId_rejectedNamingIt() throws Exception {
    Integer[] ids = ids(100);
    ids[77] = 12;
    Path in = ParquetTables.write(spark, dir.resolve("dup"), ids, vectors(100), false, 2);
    assertRejected(in, "out-dup", "token_id", "id 12 appears in 2 rows", "each once");
  }

  @Test
  void quantize_parquetNullId_rejected() throws Exception {
    Integer[] ids = ids(100);
    ids[5] = null;
    Path in = ParquetTables.write(spark, dir.resolve("nullid"), ids, vectors(100), false, 1);
    assertRejected(in, "out-nullid", "token_id", "null in 1 of 100 rows");
  }

  @Test
  void quantize_parquetNullVector_rejectedNamingTheId() throws Exception {
    float[][] v = vectors(100);
    v[63] = null;
    Path in = ParquetTables.write(spark, dir.resolve("nullvec"), ids(100), v, false, 2);
    assertRejected(in, "out-nullvec", "embedding", "null for token_id 63");
  }

  @Test
  void quantize_parquetWrongLengthVector_rejectedNamingTheIdAndLengths() throws Exception {
    float[][] v = vectors(100);
    v[81] = Arrays.copyOf(v[81], D - 1);
    Path in = ParquetTables.write(spark, dir.resolve("short"), ids(100), v, false, 2);
    assertRejected(in, "out-short", "embedding", (D - 1) + " values for token_id 81", "but " + D);
  }

  @Test
  void quantize_parquetInfinityValue_rejectedNamingTheId() throws Exception {
    float[][] v = vectors(100);
    v[29][3] = Float.POSITIVE_INFINITY;
    Path in = ParquetTables.write(spark, dir.resolve("inf"), ids(100), v, false, 2);
    assertRejected(in, "out-inf", "token_id 29", "+Infinity", "position 3");
  }

  @Test
  void quantize_parquetDoubleBeyondFloatRange_rejectedNamingTheId() throws Exception {
    Integer[] ids = ids(50);
    float[][] v = vectors(50);
    Path in = dir.resolve("huge");
    ParquetTables.write(spark, in, ids, v, true, 1);
    // Rewrite id 44's first value as 1e300: a valid double, but infinite as float32.
    spark.read().parquet(in.toString()).selectExpr("token_id",
        "IF(token_id = 44, concat(array(1e300D), slice(embedding, 2, " + (D - 1) + ")), embedding) AS embedding")
        .write().parquet(dir.resolve("huge2").toString());
    assertRejected(dir.resolve("huge2"), "out-huge", "token_id 44", "beyond float32 range", "position 0");
  }

  @Test
  void quantize_parquetMissingColumn_rejectedListingColumns() throws Exception {
    Path in = ParquetTables.write(spark, dir.resolve("cols"), ids(100), vectors(100), false, 1);
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> QuantizeJob.run(spark,
        params(in, "out-cols").vectorCol("vector").build()));
    assertTrue(e.getMessage().contains("--vector-col vector") && e.getMessage().contains("token_id, embedding"),
        e.getMessage());
  }

  @Test
  void quantize_parquetTooFewRowsForK_rejectedBeforeTraining() throws Exception {
    Path in = ParquetTables.write(spark, dir.resolve("few"), ids(6), vectors(6), false, 1);
    assertRejected(in, "out-few", "--k " + K, "6 training points");
  }
}
