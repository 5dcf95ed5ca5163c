package dev.asg.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.InvalidInputException;
import dev.asg.common.artifact.Digests;
import dev.asg.common.artifact.Manifest;
import dev.asg.common.kmeans.CodebookMode;
import dev.asg.common.synth.PlantedTable;
import dev.asg.common.tensor.DType;
import dev.asg.spark.engine.QuantizeEngine;
import dev.asg.spark.engine.QuantizeJob;
import dev.asg.spark.engine.QuantizeRequest;
import dev.asg.spark.output.ArtifactSchemas;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The quantize job end to end on embedded local[2] Spark, checked by reading the artifacts back. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuantizeEndToEndTest {
  private static final int V = 3000;
  private static final int D = 64;
  private static final int M = 8;
  private static final int K = 16;

  @TempDir
  Path dir;
  private SparkSession spark;
  private PlantedTable table;

  @BeforeAll
  void start() {
    spark = LocalSpark.start("local[2]");
    table = new PlantedTable(V, D, M, K, 0.1, 11, PlantedTable.Mode.SEPARATE);
  }

  @AfterAll
  void stop() {
    spark.stop();
  }

  private QuantizeRequest.Builder params(Path input, String out) {
    return QuantizeRequest.builder().input(input.toString()).output(dir.resolve(out).toString())
        .m(M).k(K).iterations(6).seed(7);
  }

  /** Reads the artifacts back and checks them against the original table and the manifest. */
  private Artifacts check(Path input, Path out, float[] original, boolean shared) throws Exception {
    Artifacts a = Artifacts.read(spark, out);
    a.assertWellFormed(V, M, K, shared);
    // Spark reads every Parquet column back as nullable; names, types and order must match.
    assertEquals(ArtifactSchemas.CODEBOOK.asNullable(),
        spark.read().parquet(out.resolve("codebook").toString()).schema().asNullable());
    assertEquals(ArtifactSchemas.MAPPING.asNullable(),
        spark.read().parquet(out.resolve("mapping").toString()).schema().asNullable());
    Manifest m = a.manifest;
    assertEquals(a.codebookDigest(), m.digests.get("codebook"));
    assertEquals(a.mappingDigest(), m.digests.get("mapping"));
    // Decode the mapping through the codebook and recompute the relative MSE independently.
    double err = 0;
    double energy = 0;
    double cos = 0;
    for (int t = 0; t < V; t++) {
      float[] h = a.decode(t);
      double dot = 0;
      double xx = 0;
      double hh = 0;
      for (int d = 0; d < D; d++) {
        double x = original[t * D + d];
        double e = x - h[d];
        err += e * e;
        energy += x * x;
        dot += x * h[d];
        xx += x * x;
        hh += (double) h[d] * h[d];
      }
      cos += dot / Math.sqrt(xx * hh);
    }
    assertEquals(err / energy, m.result.relativeMse, 1e-9 + 1e-6 * m.result.relativeMse);
    assertEquals(cos / V, m.result.meanCosine, 1e-6);
    assertEquals(6, m.result.iterationsRun);
    assertEquals(6, m.result.objective.size());
    assertEquals(6, m.result.emptySplits.size());
    assertEquals(V, m.source.shape[0]);
    assertEquals(D, m.source.shape[1]);
    assertEquals(M, ((Number) m.params.get("m")).intValue());
    assertEquals((long) K * D / (shared ? M : 1), m.compression.embeddingParamsAfter);
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
    return a;
  }

  /** sha256 of the tensor's stored bytes, computed straight from the file. */
  private static String tensorSha(Path file, long dataOffset, long bytes) throws Exception {
    byte[] all = Files.readAllBytes(file);
    MessageDigest md = Digests.sha256();
    md.update(all, (int) dataOffset, (int) bytes);
    return Digests.hex(md);
  }

  @Test
  void quantize_f16Safetensors_artifactsReproduceManifest() throws Exception {
    Path in = TestTables.safetensors(dir, "f16.safetensors", table, DType.F16);
    Manifest m = QuantizeJob.run(spark, params(in, "f16").build());
    check(in, dir.resolve("f16"), TestTables.readAll(in, null), false);
    assertEquals("F16", m.source.dtype);
    long headerLen = java.nio.ByteBuffer.wrap(Files.readAllBytes(in), 0, 8)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(tensorSha(in, 8 + headerLen, (long) V * D * 2), m.source.sha256);
    // Planted structure with noise 0.1 on N(0,1) centroids: the codebooks must recover most of the energy.
    assertTrue(m.result.relativeMse < 0.05, "relative MSE " + m.result.relativeMse);
  }

  @Test
  void quantize_bf16Safetensors_artifactsReproduceManifest() throws Exception {
    Path in = TestTables.safetensors(dir, "bf16.safetensors", table, DType.BF16);
    Manifest m = QuantizeJob.run(spark, params(in, "bf16").build());
    check(in, dir.resolve("bf16"), TestTables.readAll(in, null), false);
    assertEquals("BF16", m.source.dtype);
  }

  @Test
  void quantize_twoShardCheckpoint_findsTableInSecondShard() throws Exception {
    Path index = TestTables.sharded(dir.resolve("sharded"), table);
    Manifest m = QuantizeJob.run(spark, params(index, "sharded-out").build());
    assertTrue(m.source.uri.endsWith("model-00002-of-00002.safetensors"), m.source.uri);
    check(index, dir.resolve("sharded-out"), TestTables.readAll(index, null), false);
  }

  @Test
  void quantize_sharedCodebook_idsIndexTheSingleCodebook() throws Exception {
    Path in = TestTables.safetensors(dir, "shared-in.safetensors", table, DType.F32);
    Manifest m = QuantizeJob.run(spark,
        params(in, "shared").codebook(CodebookMode.SHARED).build());
    check(in, dir.resolve("shared"), TestTables.readAll(in, null), true);
    assertEquals("shared", m.params.get("codebook"));
  }

  @Test
  void quantize_existingOutput_refusedUnlessOverwrite() throws Exception {
    Path in = TestTables.safetensors(dir, "ow.safetensors", table, DType.F32);
    QuantizeJob.run(spark, params(in, "ow").iterations(1).build());
    String before = Files.readString(dir.resolve("ow/manifest.json"));
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> QuantizeJob.run(spark, params(in, "ow").iterations(1).build()));
    assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    assertEquals(before, Files.readString(dir.resolve("ow/manifest.json")), "old artifact untouched");
    Manifest again = QuantizeJob.run(spark, params(in, "ow").iterations(2).overwrite(true).build());
    assertEquals(2, again.result.iterationsRun);
    assertEquals(2, Artifacts.read(spark, dir.resolve("ow")).manifest.result.iterationsRun);
    try (var s = Files.list(dir)) {
      assertFalse(s.anyMatch(p -> p.getFileName().toString().contains("._tmp-")
          || p.getFileName().toString().contains("._old-")), "no temporary directories left");
    }
  }

  @Test
  void quantize_lloydIterations_oneSparkJobEachForAllCodebooks() throws Exception {
    Path in = TestTables.safetensors(dir, "jobs.safetensors", table, DType.F32);
    AtomicInteger lloydJobs = new AtomicInteger();
    AtomicInteger allJobs = new AtomicInteger();
    SparkListener listener = new SparkListener() {
      @Override
      public void onJobStart(SparkListenerJobStart start) {
        allJobs.incrementAndGet();
        String desc = start.properties().getProperty("spark.job.description", "");
        if (desc.startsWith(QuantizeEngine.LLOYD_JOB_PREFIX)) {
          lloydJobs.incrementAndGet();
        }
      }
    };
    spark.sparkContext().addSparkListener(listener);
    try {
      Manifest m = QuantizeJob.run(spark, params(in, "jobs").iterations(5).partitions(3).build());
      spark.sparkContext().listenerBus().waitUntilEmpty();
      assertEquals(5, m.result.iterationsRun);
      assertEquals(5, lloydJobs.get(), "one job per Lloyd iteration");
      // Everything else (read, init sample, final pass per partition, two Parquet writes) is a handful of jobs;
      // m = 8 jobs per iteration would be at least 40.
      assertTrue(allJobs.get() <= 5 + 12, "total jobs " + allJobs.get());
    } finally {
      spark.sparkContext().removeSparkListener(listener);
    }
  }
}
