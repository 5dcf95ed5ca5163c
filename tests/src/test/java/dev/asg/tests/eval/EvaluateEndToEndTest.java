package dev.asg.tests.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asg.common.artifact.Manifest;
import dev.asg.common.synth.PlantedTable;
import dev.asg.common.tensor.DType;
import dev.asg.spark.cli.AsgMain;
import dev.asg.spark.cli.EvaluateCommand;
import dev.asg.spark.engine.QuantizeJob;
import dev.asg.spark.engine.QuantizeRequest;
import dev.asg.spark.eval.Evaluation;
import dev.asg.tests.Artifacts;
import dev.asg.tests.LocalSpark;
import dev.asg.tests.TestTables;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code asg evaluate} on embedded local[2] Spark, checked against metrics recomputed here from the files. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EvaluateEndToEndTest {
  private static final int D = 32;
  private static final int M = 4;

  @TempDir
  static Path dir;
  private SparkSession spark;
  /** A planted table with noise, quantized with fewer centroids than planted: a lossy artifact. */
  private Path coarseInput;
  private Path coarseOut;
  private static final int COARSE_V = 1500;

  @BeforeAll
  void start() throws Exception {
    spark = LocalSpark.start("local[2]");
    PlantedTable t = new PlantedTable(COARSE_V, D, M, 16, 0.2, 5, PlantedTable.Mode.SEPARATE);
    coarseInput = TestTables.safetensors(dir, "coarse.safetensors", t, DType.F32);
    coarseOut = dir.resolve("coarse-asg");
    QuantizeJob.run(spark, QuantizeRequest.builder().input(coarseInput.toString())
        .output(coarseOut.toString()).m(M).k(4).iterations(5).seed(7).build());
  }

  @AfterAll
  void stop() {
    spark.stop();
  }

  @Test
  void evaluate_exactArtifact_recallOneAndErrorZero() throws Exception {
    int v = 500;
    float[] rows = EvalTables.distinctRows(v, D, M, 8, 3);
    Path input = EvalTables.write(dir.resolve("exact.safetensors"), rows, v, D);
    Path out = dir.resolve("exact-asg");
    QuantizeJob.run(spark, QuantizeRequest.builder().input(input.toString()).output(out.toString())
        .m(M).k(8).iterations(5).seed(7).build());

    Evaluation ev = EvaluateCommand.evaluate(spark, out.toString(), input.toString(), "auto", null, 2000, 1);

    assertEquals(v, ev.queries, "--sample above V queries every token");
    assertTrue(ev.relativeMse < 1e-10, "relative MSE " + ev.relativeMse);
    assertEquals(1.0, ev.recall, 0.0);
    assertEquals(1.0, ev.p5Cosine, 1e-6);
  }

  @Test
  void evaluate_coarseArtifact_metricsMatchIndependentComputation() throws Exception {
    Evaluation ev = EvaluateCommand.evaluate(spark, coarseOut.toString(), coarseInput.toString(), "auto", null,
        300, 1);
    Artifacts a = Artifacts.read(spark, coarseOut);
    float[] x = TestTables.readAll(coarseInput, PlantedTable.DEFAULT_TENSOR);

    // Relative MSE and cosines recomputed here from the Parquet files and the original table.
    double err = 0;
    double energy = 0;
    double[] segErr = new double[M];
    double[] segEnergy = new double[M];
    double[] cos = new double[COARSE_V];
    for (int t = 0; t < COARSE_V; t++) {
      float[] h = a.decode(t);
      double dot = 0;
      double xx = 0;
      double hh = 0;
      for (int d = 0; d < D; d++) {
        double xv = x[t * D + d];
        double e = xv - h[d];
        segErr[d / (D / M)] += e * e;
        segEnergy[d / (D / M)] += xv * xv;
        dot += xv * h[d];
        xx += xv * xv;
        hh += (double) h[d] * h[d];
      }
      cos[t] = dot / Math.sqrt(xx * hh);
    }
    for (int i = 0; i < M; i++) {
      err += segErr[i];
      energy += segEnergy[i];
      assertEquals(segErr[i] / segEnergy[i], ev.relativeMsePerSegment[i], 1e-9 * segErr[i] / segEnergy[i]);
    }
    assertEquals(err / energy, ev.relativeMse, 1e-9 * ev.relativeMse);
    assertEquals(a.manifest.result.relativeMse, ev.relativeMse, 1e-9 * ev.relativeMse);
    assertEquals(Arrays.stream(cos).average().orElseThrow(), ev.meanCosine, 1e-9);
    double[] sorted = cos.clone();
    Arrays.sort(sorted);
    assertEquals(sorted[(int) Math.ceil(0.05 * COARSE_V) - 1], ev.p5Cosine, 1e-9);
    assertTrue(ev.recall > 0 && ev.recall < 0.99, "a 4-centroid artifact loses neighbours: " + ev.recall);

    // Cluster sizes from the mapping, with faiss's imbalance formula.
    for (int i = 0; i < M; i++) {
      long[] n = new long[4];
      for (int t = 0; t < COARSE_V; t++) {
        n[a.conceptIds[t][i] - i * 4]++;
      }
      double sq = 0;
      for (long c : n) {
        sq += (double) c * c;
      }
      assertEquals(4 * sq / ((double) COARSE_V * COARSE_V), ev.clusterSizes[i].imbalance(), 1e-12);
      assertEquals(Arrays.stream(n).max().orElseThrow(), ev.clusterSizes[i].max());
      assertEquals(Arrays.stream(n).min().orElseThrow(), ev.clusterSizes[i].min());
    }
    assertEquals(4.0 / COARSE_V, ev.compression.ratio, 1e-15, "k/V for separate codebooks (Appendix B)");
    assertTrue(ev.compressionMatchesManifest());

    // Written into the manifest (other fields kept) and report.md.
    Manifest mf = Manifest.read(Files.newInputStream(coarseOut.resolve("manifest.json")));
    assertNotNull(mf.evaluation);
    assertEquals(ev.relativeMse, ((Number) mf.evaluation.get("relative_mse")).doubleValue(), 0.0);
    assertEquals(a.manifest.digests, mf.digests);
    JsonNode knn = Manifest.mapper().readTree(coarseOut.resolve("manifest.json").toFile()).path("evaluation")
        .path("knn");
    assertEquals(ev.recall, knn.path("recall").asDouble(), 0.0);
    assertTrue(!Files.exists(coarseOut.resolve("manifest.json.tmp")), "temporary manifest removed");
    String report = Files.readString(coarseOut.resolve("report.md"));
    for (String metric : new String[] {"relative MSE", "mean cosine", "p5 cosine", "recall@10",
        "imbalance factor", "parameter ratio", "mapping storage", "per segment"}) {
      assertTrue(report.contains(metric), "report.md lacks " + metric);
    }
  }

  @Test
  void evaluate_sharedCodebook_matchesManifestAndPoolsClusterSizes() throws Exception {
    Path out = dir.resolve("shared-asg");
    QuantizeJob.run(spark, QuantizeRequest.builder().input(coarseInput.toString())
        .output(out.toString()).m(M).k(6).codebook("shared").iterations(3).seed(7).build());
    Evaluation ev = EvaluateCommand.evaluate(spark, out.toString(), null, "auto", null, 50, 1);
    Artifacts a = Artifacts.read(spark, out);
    assertEquals(a.manifest.result.relativeMse, ev.relativeMse, 1e-9 * ev.relativeMse);
    assertEquals(1, ev.clusterSizes.length, "one pooled codebook");
    long[] n = new long[6];
    for (int[] ids : a.conceptIds) {
      for (int id : ids) {
        n[id]++;
      }
    }
    assertEquals(Arrays.stream(n).max().orElseThrow(), ev.clusterSizes[0].max());
    assertEquals(6.0 * (D / M) / ((double) COARSE_V * D), ev.compression.ratio, 1e-15,
        "k*D/m / V*D for one shared codebook (Appendix C)");
  }

  @Test
  void evaluate_knn_matchesSingleThreadBruteForce() throws Exception {
    Evaluation ev = EvaluateCommand.evaluate(spark, coarseOut.toString(), coarseInput.toString(), "auto", null,
        40, 9);
    Artifacts a = Artifacts.read(spark, coarseOut);
    float[] x = TestTables.readAll(coarseInput, PlantedTable.DEFAULT_TENSOR);
    float[] h = new float[COARSE_V * D];
    for (int t = 0; t < COARSE_V; t++) {
      System.arraycopy(a.decode(t), 0, h, t * D, D);
    }
    assertEquals(40, ev.queryIds.length);
    double recall = 0;
    for (int j = 0; j < ev.queryIds.length; j++) {
      int q = ev.queryIds[j];
      int[] orig = bruteForce(x, q, 10);
      int[] rec = bruteForce(h, q, 10);
      assertArrayEquals(orig, ev.knnOriginal.ids(j), "original top-10 of token " + q);
      assertArrayEquals(rec, ev.knnReconstructed.ids(j), "reconstructed top-10 of token " + q);
      long hits = Arrays.stream(rec).filter(r -> Arrays.stream(orig).anyMatch(o -> o == r)).count();
      recall += hits / 10.0;
    }
    assertEquals(recall / 40, ev.recall, 1e-12);
  }

  /** Top-k cosine neighbours of row q (itself excluded), in double precision, ties to the lower id. */
  private static int[] bruteForce(float[] t, int q, int k) {
    double[] s = new double[COARSE_V];
    for (int r = 0; r < COARSE_V; r++) {
      double dot = 0;
      double a = 0;
      double b = 0;
      for (int d = 0; d < D; d++) {
        dot += (double) t[q * D + d] * t[r * D + d];
        a += (double) t[q * D + d] * t[q * D + d];
        b += (double) t[r * D + d] * t[r * D + d];
      }
      s[r] = dot / Math.sqrt(a * b);
    }
    return IntStream.range(0, COARSE_V).filter(r -> r != q).boxed()
        .sorted(Comparator.<Integer>comparingDouble(r -> -s[r]).thenComparingInt(r -> r))
        .limit(k).mapToInt(Integer::intValue).toArray();
  }

  @Test
  void evaluateCli_validArtifact_printsSummaryAndExitsZero() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = AsgMain.run(new PrintWriter(out), new PrintWriter(err), "evaluate", "--artifacts",
        coarseOut.toString(), "--sample", "20");
    assertEquals(0, code, err.toString());
    for (String s : new String[] {"relative MSE", "mean cosine", "p5 cosine", "recall@10"}) {
      assertTrue(out.toString().contains(s), out.toString());
    }
  }

  private int cli(StringWriter err, String... args) {
    return AsgMain.run(new PrintWriter(new StringWriter()), new PrintWriter(err), args);
  }

  @Test
  void evaluateCli_missingArtifacts_exit2NamingIt() {
    StringWriter err = new StringWriter();
    String missing = dir.resolve("nope").toString();
    assertEquals(2, cli(err, "evaluate", "--artifacts", missing, "--input", coarseInput.toString()));
    assertTrue(err.toString().contains("--artifacts " + missing), err.toString());
  }

  @Test
  void evaluateCli_shapeMismatch_exit2() throws Exception {
    Path other = TestTables.safetensors(dir, "other.safetensors",
        new PlantedTable(COARSE_V + 7, D, M, 4, 0.1, 1), DType.F32);
    StringWriter err = new StringWriter();
    assertEquals(2, cli(err, "evaluate", "--artifacts", coarseOut.toString(), "--input", other.toString()));
    assertTrue(err.toString().contains((COARSE_V + 7) + " x " + D), err.toString());
  }

  @Test
  void evaluateCli_sampleLimits_exit2() {
    StringWriter err = new StringWriter();
    assertEquals(2, cli(err, "evaluate", "--artifacts", coarseOut.toString(), "--sample", "0"));
    assertTrue(err.toString().contains("--sample 0"), err.toString());
    assertEquals(2, cli(new StringWriter(), "evaluate", "--artifacts", coarseOut.toString(), "--sample",
        "100001"));
  }

  @Test
  void evaluateCli_otherTableOfSameShape_refusedUnlessAllowed() throws Exception {
    // Same shape, other values: without the digest check this wrote a nonsense relative MSE into the manifest.
    PlantedTable other = new PlantedTable(COARSE_V, D, M, 16, 0.2, 6, PlantedTable.Mode.SEPARATE);
    Path otherInput = TestTables.safetensors(dir, "other.safetensors", other, DType.F32);
    Path art = dir.resolve("coarse-copy");
    try (var files = Files.walk(coarseOut)) {
      for (Path f : files.toList()) {
        Files.copy(f, art.resolve(coarseOut.relativize(f).toString()));
      }
    }
    Path manifest = art.resolve("manifest.json");
    String before = Files.readString(manifest);
    StringWriter err = new StringWriter();

    assertEquals(2, cli(err, "evaluate", "--artifacts", art.toString(), "--input", otherInput.toString(),
        "--sample", "50"));

    assertTrue(err.toString().contains("SHA-256") && err.toString().contains("--allow-different-source"),
        err.toString());
    assertEquals(before, Files.readString(manifest), "a refused evaluation must not touch the manifest");
    assertEquals(0, cli(new StringWriter(), "evaluate", "--artifacts", art.toString(), "--input",
        otherInput.toString(), "--sample", "50", "--allow-different-source"));
    assertTrue(Manifest.read(Files.newInputStream(manifest)).evaluation != null);
  }
}
