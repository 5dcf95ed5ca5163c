package dev.asg.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.artifact.Digests;
import dev.asg.common.artifact.Manifest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Reads an artifact directory back the way a consumer would (Parquet part files in name order) and checks its
 * structure. Independent of the writer's code: it recomputes digests from what is on disk.
 */
public final class Artifacts {
  public final Manifest manifest;
  /** codebook rows in file order: [row][dsub]. */
  public final float[][] codebook;
  public final int[] codebookRow;
  public final int[] codebookIndex;
  public final int[] centroidIndex;
  /** mapping in file order. */
  public final int[] tokenIds;
  public final int[][] conceptIds;

  private Artifacts(Manifest manifest, List<Row> codebookRows, List<Row> mappingRows) {
    this.manifest = manifest;
    int n = codebookRows.size();
    codebook = new float[n][];
    codebookRow = new int[n];
    codebookIndex = new int[n];
    centroidIndex = new int[n];
    for (int i = 0; i < n; i++) {
      Row r = codebookRows.get(i);
      codebookRow[i] = r.getInt(0);
      codebookIndex[i] = r.getInt(1);
      centroidIndex[i] = r.getInt(2);
      List<Object> v = r.getList(3);
      codebook[i] = new float[v.size()];
      for (int d = 0; d < v.size(); d++) {
        codebook[i][d] = (Float) v.get(d);
      }
    }
    int v = mappingRows.size();
    tokenIds = new int[v];
    conceptIds = new int[v][];
    for (int t = 0; t < v; t++) {
      Row r = mappingRows.get(t);
      tokenIds[t] = r.getInt(0);
      List<Object> ids = r.getList(1);
      conceptIds[t] = ids.stream().mapToInt(o -> (Integer) o).toArray();
    }
  }

  public static Artifacts read(SparkSession spark, Path dir) throws IOException {
    assertTrue(Files.exists(dir.resolve("_SUCCESS")), "_SUCCESS missing in " + dir);
    return readSet(spark, dir);
  }

  /** One artifact set without its own _SUCCESS: a section (input/, output/) of a decoder run. */
  public static Artifacts readSet(SparkSession spark, Path dir) throws IOException {
    Manifest m;
    try (InputStream in = Files.newInputStream(dir.resolve("manifest.json"))) {
      m = Manifest.read(in);
    }
    return new Artifacts(m, readInFileOrder(spark, dir.resolve("codebook")),
        readInFileOrder(spark, dir.resolve("mapping")));
  }

  private static List<Row> readInFileOrder(SparkSession spark, Path dir) throws IOException {
    List<Path> parts;
    try (Stream<Path> s = Files.list(dir)) {
      parts = s.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().collect(Collectors.toList());
    }
    assertTrue(!parts.isEmpty(), "no parquet files in " + dir);
    List<Row> out = new java.util.ArrayList<>();
    for (Path p : parts) {
      // One small file reads as one partition, so collect() keeps the file's row order.
      out.addAll(spark.read().parquet(p.toString()).coalesce(1).collectAsList());
    }
    return out;
  }

  /** sha256 of the codebook as float32 LE in row order, recomputed from the Parquet data. */
  public String codebookDigest() {
    MessageDigest md = Digests.sha256();
    for (float[] row : codebook) {
      Digests.updateFloats(md, row, 0, row.length);
    }
    return Digests.hex(md);
  }

  /** sha256 of the mapping as int32 LE V x m, recomputed from the Parquet data. */
  public String mappingDigest() {
    MessageDigest md = Digests.sha256();
    for (int[] ids : conceptIds) {
      Digests.updateInts(md, ids, 0, ids.length);
    }
    return Digests.hex(md);
  }

  /** Reconstruction of token t: concatenation of its concept vectors. */
  public float[] decode(int t) {
    int[] ids = conceptIds[t];
    int dsub = codebook[0].length;
    float[] out = new float[ids.length * dsub];
    for (int i = 0; i < ids.length; i++) {
      System.arraycopy(codebook[ids[i]], 0, out, i * dsub, dsub);
    }
    return out;
  }

  /** Checks schema-level invariants: sorted rows, id ranges, lengths. */
  public void assertWellFormed(int rows, int m, int k, boolean shared) {
    int codebooks = shared ? 1 : m;
    assertEquals(codebooks * k, codebook.length, "codebook rows");
    for (int i = 0; i < codebook.length; i++) {
      assertEquals(i, codebookRow[i], "codebook sorted by row");
      assertEquals(i / k, codebookIndex[i], "codebook index of row " + i);
      assertEquals(i % k, centroidIndex[i], "centroid index of row " + i);
      assertEquals(codebook[0].length, codebook[i].length, "vector length");
    }
    assertEquals(rows, tokenIds.length, "mapping rows");
    for (int t = 0; t < rows; t++) {
      assertEquals(t, tokenIds[t], "mapping sorted by token_id");
      assertEquals(m, conceptIds[t].length, "concept_ids length");
      for (int i = 0; i < m; i++) {
        int id = conceptIds[t][i];
        int lo = shared ? 0 : i * k;
        assertTrue(id >= lo && id < lo + k, "token " + t + " segment " + i + " id " + id + " outside [" + lo
            + ", " + (lo + k) + ")");
      }
    }
  }

}
