package dev.asg.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.artifact.Manifest;
import dev.asg.common.synth.PlantedTable;
import dev.asg.common.tensor.DType;
import dev.asg.spark.cli.AsgMain;
import dev.asg.spark.engine.QuantizeJob;
import dev.asg.spark.engine.QuantizeRequest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code asg encode} (new rows against frozen codebooks) and {@code quantize --init-from} (a warm-started retrain):
 * encodings equal an independent nearest-centroid search, the counted ConceptID changes equal the difference of
 * the two mappings read back from disk, and artifacts of another shape are refused with nothing written.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EncodeWarmStartTest {
  private static final int V = 600;
  private static final int D = 16;
  private static final int M = 4;
  private static final int K = 8;

  @TempDir
  static Path dir;
  private SparkSession spark;
  private float[] data;
  private Path table;
  private Path base;

  @BeforeAll
  void start() throws Exception {
    spark = LocalSpark.start("local[2]");
    PlantedTable t = new PlantedTable(V, D, M, K, 0.3, 11, PlantedTable.Mode.SEPARATE);
    data = new float[V * D];
    t.fillRows(0, V, data, 0);
    table = TestTables.safetensors(dir, "t.safetensors", t, DType.F32);
    base = dir.resolve("base");
    QuantizeJob.run(spark, request(table, base).iterations(6).build());
  }

  @AfterAll
  void stop() {
    spark.stop();
  }

  private QuantizeRequest.Builder request(Path input, Path out) {
    return QuantizeRequest.builder().input(input.toString()).output(out.toString()).m(M).k(K).seed(3);
  }

  private String[] run(int expectedCode, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = AsgMain.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    assertEquals(expectedCode, code, err.toString());
    return new String[] {out.toString(), err.toString()};
  }

  private void assertNothingWritten(String prefix) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      assertFalse(s.anyMatch(p -> p.getFileName().toString().startsWith(prefix)), "nothing written for " + prefix);
    }
  }

  /** Rows whose ConceptIDs differ in any segment, computed from the two artifacts on disk. */
  private static long differing(Artifacts a, Artifacts b) {
    long n = 0;
    for (int t = 0; t < Math.min(a.conceptIds.length, b.conceptIds.length); t++) {
      n += java.util.Arrays.equals(a.conceptIds[t], b.conceptIds[t]) ? 0 : 1;
    }
    return n;
  }

  /** The nearest centroid of each segment (lowest index on ties), by plain search over the artifact's codebook. */
  private static int[] nearest(Artifacts a, float[] row) {
    int dsub = D / M;
    int[] ids = new int[M];
    for (int i = 0; i < M; i++) {
      double best = Double.POSITIVE_INFINITY;
      for (int j = 0; j < K; j++) {
        float[] c = a.codebook[i * K + j];
        double d = 0;
        for (int x = 0; x < dsub; x++) {
          double diff = row[i * dsub + x] - c[x];
          d += diff * diff;
        }
        if (d < best) {
          best = d;
          ids[i] = i * K + j;
        }
      }
    }
    return ids;
  }

  @Test
  void encode_trainingTable_reproducesMappingAndEvaluates() throws Exception {
    Path out = dir.resolve("enc-same");
    String[] io = run(AsgMain.EXIT_OK, "encode", "--artifacts", base.toString(), "--input", table.toString(),
        "--output", out.toString());
    assertTrue(io[0].contains("asg encode: wrote"), io[0]);
    Artifacts baseArt = Artifacts.read(spark, base);
    Artifacts enc = Artifacts.read(spark, out);
    enc.assertWellFormed(V, M, K, false);
    assertEquals(baseArt.manifest.digests, enc.manifest.digests, "same rows, same codebooks: same digests");
    assertEquals(enc.mappingDigest(), enc.manifest.digests.get("mapping"));
    assertEquals(Manifest.BasedOn.ENCODE, enc.manifest.basedOn.how);
    assertEquals(base.toString(), enc.manifest.basedOn.artifacts);
    assertEquals(baseArt.manifest.digests, enc.manifest.basedOn.digests);
    // A complete artifact: evaluate reads it (and its source) like quantize's.
    run(AsgMain.EXIT_OK, "evaluate", "--artifacts", out.toString(), "--sample", "50");
  }

  @Test
  void encode_newRows_nearestCentroidOfFrozenCodebooks() throws Exception {
    // Rows the codebooks never saw: another planted table of the same width.
    int rows = 97;
    PlantedTable other = new PlantedTable(rows, D, M, K, 0.8, 99, PlantedTable.Mode.SEPARATE);
    float[] x = new float[rows * D];
    other.fillRows(0, rows, x, 0);
    Path input = TestTables.safetensors(dir, "new.safetensors", other, DType.F32);
    Path out = dir.resolve("enc-new");
    run(AsgMain.EXIT_OK, "encode", "--artifacts", base.toString(), "--input", input.toString(), "--output",
        out.toString(), "--master", "local[2]");
    Artifacts baseArt = Artifacts.read(spark, base);
    Artifacts enc = Artifacts.read(spark, out);
    enc.assertWellFormed(rows, M, K, false);
    assertEquals(baseArt.codebookDigest(), enc.codebookDigest(), "codebook/ is the frozen one");
    for (int t = 0; t < rows; t++) {
      assertArrayEquals(nearest(baseArt, java.util.Arrays.copyOfRange(x, t * D, (t + 1) * D)), enc.conceptIds[t],
          "row " + t);
    }
    assertEquals(rows, enc.manifest.source.shape[0]);
  }

  @Test
  void encode_tableOfAnotherWidth_exit2NothingWritten() throws Exception {
    for (int d : new int[] {12, 10}) { // 12: m divides it; 10: it does not
      Path input = TestTables.safetensors(dir, "w" + d + ".safetensors",
          new PlantedTable(50, d, d % M == 0 ? M : 2, 4, 0.2, 1, PlantedTable.Mode.SEPARATE), DType.F32);
      String[] io = run(AsgMain.EXIT_USAGE, "encode", "--artifacts", base.toString(), "--input", input.toString(),
          "--output", dir.resolve("enc-bad").toString());
      String err = io[1].strip();
      assertEquals(1, err.lines().count(), err);
      assertTrue(err.startsWith("asg: error: ") && err.contains("D=" + d) && err.contains("D=" + D)
          && err.contains("--artifacts"), err);
    }
    assertNothingWritten("enc-bad");
  }

  @Test
  void initFrom_sameTable_keepsConceptIds() throws Exception {
    Path out = dir.resolve("warm-same");
    // Another seed: a cold start would number its concepts differently, so only the warm start keeps the IDs.
    Manifest mf = QuantizeJob.run(spark, request(table, out).iterations(2).seed(77).initFrom(base.toString())
        .build());
    Artifacts before = Artifacts.read(spark, base);
    Artifacts after = Artifacts.read(spark, out);
    assertEquals(Manifest.BasedOn.INIT_FROM, mf.basedOn.how);
    assertEquals(V, mf.basedOn.tokensCompared);
    assertEquals(differing(before, after), mf.basedOn.tokensChanged, "counted changes");
    assertTrue(mf.basedOn.tokensChanged <= V / 100, "a warm start on the same table keeps IDs: "
        + mf.basedOn.tokensChanged + " of " + V + " changed");
    assertEquals(base.toString(), after.manifest.params.get(QuantizeRequest.INIT_FROM));
    assertEquals(mf.basedOn.tokensChanged, after.manifest.basedOn.tokensChanged, "written to manifest.json");
  }

  @Test
  void initFrom_perturbedTable_countsChangedTokens() throws Exception {
    // 40 tokens take another token's vector: most of them land in other concepts.
    float[] perturbed = data.clone();
    for (int t = 0; t < 40; t++) {
      System.arraycopy(data, (t * 7 + 300) * D, perturbed, t * 7 * D, D);
    }
    Path input = dir.resolve("perturbed.npy");
    dev.asg.common.tensor.npy.NpyWriter.write(input, perturbed, V, D, false);
    Path out = dir.resolve("warm-perturbed");
    Manifest mf = QuantizeJob.run(spark, request(input, out).iterations(2).initFrom(base.toString()).build());
    long expected = differing(Artifacts.read(spark, base), Artifacts.read(spark, out));
    assertEquals(expected, mf.basedOn.tokensChanged, "counted changes");
    assertTrue(expected >= 20, expected + " tokens changed; the perturbation should move most of 40");
  }

  @Test
  void initFrom_artifactOfAnotherShape_exit2NothingWritten() throws Exception {
    String[][] runs = {{"--m", "4", "--k", "6"}, {"--m", "2", "--k", "8"}, {"--m", "4", "--k", "8", "--codebook",
        "shared"}};
    for (String[] extra : runs) {
      String[] args = Stream.concat(Stream.of("quantize", "--input", table.toString(), "--output",
          dir.resolve("warm-bad").toString(), "--init-from", base.toString()), Stream.of(extra))
          .toArray(String[]::new);
      String err = run(AsgMain.EXIT_USAGE, args)[1].strip();
      assertEquals(1, err.lines().count(), err);
      assertTrue(err.startsWith("asg: error: --init-from ") && err.contains("m " + M + ", k " + K), err);
    }
    assertNothingWritten("warm-bad");
  }
}
