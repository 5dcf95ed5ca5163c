package dev.asg.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.artifact.Manifest;
import dev.asg.common.kmeans.AssignKernel;
import dev.asg.common.kmeans.AssignKernels;
import dev.asg.common.kmeans.BlockAssigner;
import dev.asg.common.kmeans.CentroidGroups;
import dev.asg.common.kmeans.CodebookMode;
import dev.asg.common.kmeans.GroupedAssigner;
import dev.asg.common.kmeans.PreparedCodebook;
import dev.asg.common.synth.PlantedTable;
import dev.asg.common.tensor.DType;
import dev.asg.spark.engine.LloydAggregation;
import dev.asg.spark.engine.QuantizeJob;
import dev.asg.spark.engine.QuantizeRequest;
import dev.asg.spark.ml.ProductQuantizer;
import dev.asg.spark.ml.ProductQuantizerModel;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * A user's session with spark.serializer=Kryo (common for ml.ProductQuantizer): task results are serialized with
 * it, which ignores Java serialization hooks and skips transient fields. The Lloyd statistics travel as plain byte
 * arrays, so training with pruning (full sums, then deltas) gives the same digests and objectives as Java. The
 * keyed aggregation clusters use (LloydAggregation's reduceByKey of encoded slices) also shuffles them with Kryo:
 * forced here in one JVM, it must give the same result. The Spark ML estimator and model (fit, transform) work in
 * such a session too.
 *
 * <p>Broadcast codebooks reach executors through Kryo on a cluster (local mode hands tasks the driver's own object,
 * so the session tests above cannot see it): the round-trip tests serialize them with Kryo directly, no session.
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

  @Test
  void productQuantizer_kryoSession_fitMatchesFileRunAndTransformMatchesMapping() throws Exception {
    PlantedTable t = new PlantedTable(300, 8, 2, 8, 0.3, 17, PlantedTable.Mode.SEPARATE);
    Path file = TestTables.safetensors(dir, "pq.safetensors", t, DType.F32);
    SparkSession spark = kryoSession(false);
    try {
      Manifest cli = QuantizeJob.run(spark, QuantizeRequest.builder().input(file.toString())
          .output(dir.resolve("pq-cli").toString()).m(2).k(8).iterations(3).seed(5).build());
      float[] data = new float[300 * 8];
      t.fillRows(0, 300, data, 0);
      List<Row> rows = new ArrayList<>();
      for (int r = 0; r < 300; r++) {
        Float[] v = new Float[8];
        for (int d = 0; d < 8; d++) {
          v[d] = data[r * 8 + d];
        }
        rows.add(RowFactory.create(r, v));
      }
      Dataset<Row> df = spark.createDataFrame(rows, new StructType().add("token_id", DataTypes.IntegerType)
          .add("embedding", DataTypes.createArrayType(DataTypes.FloatType))).repartition(3);
      ProductQuantizerModel model = new ProductQuantizer().setInputCol("embedding").setIdCol("token_id").setM(2)
          .setK(8).setMaxIter(3).setSeed(5).fit(df);
      assertEquals(cli.digests, model.manifest().digests, "fit on a DataFrame vs the file, both under Kryo");
      Map<Integer, List<Integer>> mapping = new HashMap<>();
      for (Row r : model.mapping().select("token_id", "concept_ids").collectAsList()) {
        mapping.put(r.getInt(0), r.getList(1));
      }
      List<Row> encoded = model.transform(df).select("token_id", "concept_ids").collectAsList();
      assertEquals(300, encoded.size());
      for (Row r : encoded) {
        assertEquals(mapping.get(r.getInt(0)), r.getList(1), "token " + r.getInt(0));
      }
    } finally {
      spark.stop();
    }
  }

  @Test
  void kryoRoundTrip_preparedCodebooks_sameAssignmentsBitForBit() {
    int m = 2;
    int k = 70; // not a multiple of the padding: padding columns must come back as well
    int dsub = 5;
    PreparedCodebook[] cbs = codebooks(m, k, dsub, 11);
    PreparedCodebook[] back = kryoRoundTrip(cbs);
    float[] rows = rows(300, m, dsub, cbs, 12);
    for (AssignKernel kernel : new AssignKernel[] {AssignKernels.scalar(), AssignKernels.best()}) {
      int[] idx = new int[300 * m];
      float[] score = new float[300 * m];
      new BlockAssigner(kernel, cbs, CodebookMode.SEPARATE, m).assign(rows, 300, idx, score);
      int[] idxBack = new int[300 * m];
      float[] scoreBack = new float[300 * m];
      new BlockAssigner(kernel, back, CodebookMode.SEPARATE, m).assign(rows, 300, idxBack, scoreBack);
      assertArrayEquals(idx, idxBack, kernel.name());
      assertArrayEquals(score, scoreBack, kernel.name()); // compares floatToIntBits: bit for bit
    }
  }

  @Test
  void kryoRoundTrip_centroidGroups_sameAssignmentsBitForBit() {
    int m = 2;
    int k = CentroidGroups.MIN_K;
    int dsub = 4;
    PreparedCodebook[] cbs = codebooks(m, k, dsub, 21);
    CentroidGroups[] groups = CentroidGroups.forCodebooks(cbs);
    assertTrue(groups != null && groups[0].groups() > 1, "grouping must be in use");
    CentroidGroups[] back = kryoRoundTrip(groups);
    int n = 600;
    float[] rows = rows(n, m, dsub, cbs, 22);
    AssignKernel kernel = AssignKernels.best();
    int[] idx = new int[n * m];
    float[] score = new float[n * m];
    new GroupedAssigner(kernel).assign(rows, n, m, CodebookMode.SEPARATE, groups, idx, score);
    int[] idxBack = new int[n * m];
    float[] scoreBack = new float[n * m];
    new GroupedAssigner(kernel).assign(rows, n, m, CodebookMode.SEPARATE, back, idxBack, scoreBack);
    assertArrayEquals(idx, idxBack);
    assertArrayEquals(score, scoreBack);
  }

  /** What a broadcast does on a cluster with spark.serializer=Kryo: serialize on the driver, read on an executor. */
  private static <T> T kryoRoundTrip(T value) {
    SerializerInstance kryo = new KryoSerializer(new SparkConf()).newInstance();
    ClassTag<T> tag = ClassTag$.MODULE$.apply(value.getClass());
    ByteBuffer bytes = kryo.serialize(value, tag);
    return kryo.deserialize(bytes, tag);
  }

  private static PreparedCodebook[] codebooks(int m, int k, int dsub, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    PreparedCodebook[] cbs = new PreparedCodebook[m];
    for (int i = 0; i < m; i++) {
      float[] c = new float[k * dsub];
      for (int j = 0; j < c.length; j++) {
        c[j] = (float) (rnd.nextDouble() * 2 - 1);
      }
      cbs[i] = PreparedCodebook.of(c, k, dsub);
    }
    return cbs;
  }

  /** Rows near random centroids (so the groups prune), segment i against codebook i. */
  private static float[] rows(int n, int m, int dsub, PreparedCodebook[] cbs, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] rows = new float[n * m * dsub];
    for (int r = 0; r < n; r++) {
      for (int i = 0; i < m; i++) {
        int j = rnd.nextInt(cbs[i].k());
        for (int d = 0; d < dsub; d++) {
          rows[(r * m + i) * dsub + d] = cbs[i].centroids()[j * dsub + d] + (float) (rnd.nextDouble() * 0.02 - 0.01);
        }
      }
    }
    return rows;
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
    return LocalSpark.start("local[2]", Map.of(
        "spark.serializer", "org.apache.spark.serializer.KryoSerializer",
        LloydAggregation.FORCE_KEYED, Boolean.toString(keyed)));
  }
}
