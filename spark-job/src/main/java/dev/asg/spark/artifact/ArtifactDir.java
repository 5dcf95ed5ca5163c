package dev.asg.spark.artifact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.asg.common.InputBoundary;
import dev.asg.common.InvalidInputException;
import dev.asg.common.Messages;
import dev.asg.common.artifact.Manifest;
import dev.asg.spark.output.ArtifactWriter;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * An artifact directory written by {@code asg quantize}, read back for evaluation, inspection and export: the
 * manifest (as the typed {@link Manifest} and as a JSON tree, so a rewrite keeps fields this version does not
 * know), the mapping as one V x m int[] and the codebook as one float[] on the driver. Both are small next to the
 * table (30522 x 24 ids = 2.9 MB for MiniLM, 250k x 48 = 48 MB for the largest vocabularies), so collecting them is
 * cheaper than joining them against the table on executors. {@link LoadedArtifact#load} reads both and checks them
 * against the manifest's digests.
 *
 * @param flagValue the --artifacts value as the user gave it, for messages
 * @param path the directory, qualified
 * @param fs its filesystem
 * @param tree manifest.json as read, for rewrites that keep unknown fields
 * @param manifest manifest.json, typed; its shape, m and k are checked by the constructor
 */
public record ArtifactDir(String flagValue, Path path, FileSystem fs, ObjectNode tree, Manifest manifest) {
  public static final String MANIFEST = "manifest.json";
  /** Optional column a newer writer adds to mapping/: the token string of each row. */
  public static final String TOKEN_COLUMN = "token";

  public ArtifactDir {
    if (manifest.source == null || manifest.source.shape == null || manifest.source.shape.length != 2) {
      throw bad(flagValue, "manifest.json has no source.shape [rows, dim]");
    }
    long r = manifest.source.shape[0];
    long d = manifest.source.shape[1];
    if (r < 1 || d < 1 || r > Integer.MAX_VALUE || d > Integer.MAX_VALUE) {
      throw bad(flagValue, "manifest.json source.shape [" + r + ", " + d + "] is not a table shape (both 1.."
          + Integer.MAX_VALUE + ")");
    }
    int m = intParam(flagValue, manifest, "m");
    int k = intParam(flagValue, manifest, "k");
    if (m < 1 || d % m != 0 || k < 1) {
      throw bad(flagValue, "manifest.json has m " + m + " and k " + k + " for dim " + d + "; m must divide dim");
    }
    // The mapping and codebook are read into one array each: sizes beyond an array are a damaged manifest.
    long codebooks = "shared".equals(manifest.params.get("codebook")) ? 1 : m;
    if (r * m > Integer.MAX_VALUE - 8 || codebooks * k * (d / m) > Integer.MAX_VALUE - 8) {
      throw bad(flagValue, "manifest.json source.shape [" + r + ", " + d + "] with m " + m + " and k " + k
          + " is beyond what one artifact can hold");
    }
  }

  /** Opens {@code dir} (any Hadoop URI) and reads its manifest; exit 2 if it is not a complete artifact. */
  public static ArtifactDir open(String dir, Configuration conf) {
    return InputBoundary.read("--artifacts " + Messages.quote(dir), "pass the --output directory of a completed "
        + "'asg quantize' run", () -> openChecked(dir, conf));
  }

  private static ArtifactDir openChecked(String dir, Configuration conf) throws IOException {
    String flag = "--artifacts " + Messages.quote(dir);
    try {
      Path p = new Path(dir);
      FileSystem fs = p.getFileSystem(conf);
      p = fs.makeQualified(p);
      if (!fs.exists(p) || !fs.getFileStatus(p).isDirectory()) {
        throw new InvalidInputException(flag + " does not exist or is not a directory; pass the "
            + "--output directory of an 'asg quantize' run");
      }
      Path mf = new Path(p, MANIFEST);
      for (String part : new String[] {"mapping", "codebook"}) {
        Path sub = new Path(p, part);
        if (!fs.exists(sub) || !fs.getFileStatus(sub).isDirectory()) {
          throw new InvalidInputException(flag + ": " + part + "/ is missing or not a directory; pass the "
              + "--output directory of a completed 'asg quantize' run, or rerun it");
        }
      }
      if (!fs.isFile(mf)) {
        throw new InvalidInputException(flag + " has no manifest.json; pass the --output directory of a "
            + "completed 'asg quantize' run");
      }
      if (fs.getFileStatus(mf).getLen() > ArtifactWriter.MAX_MANIFEST_BYTES) {
        throw new InvalidInputException(flag + ": manifest.json is larger than " + ArtifactWriter.MAX_MANIFEST_BYTES
            + " bytes, so it is not one written by 'asg quantize'; rerun it");
      }
      JsonNode tree;
      // Read without Hadoop's .crc check: a hand-edited manifest next to a stale .crc is still the manifest.
      try (InputStream in = ArtifactWriter.raw(fs).open(mf)) {
        tree = Manifest.mapper().readTree(in);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new InvalidInputException(flag + ": manifest.json is not valid JSON ("
            + Messages.quote(e.getOriginalMessage()) + "); rerun 'asg quantize'", e);
      }
      if (tree == null || !tree.isObject()) {
        throw new InvalidInputException(flag + ": manifest.json is not a JSON object; rerun 'asg quantize'");
      }
      Manifest manifest = Manifest.mapper().treeToValue(tree, Manifest.class);
      return new ArtifactDir(dir, p, fs, (ObjectNode) tree, manifest);
    } catch (FileNotFoundException e) {
      throw new InvalidInputException(flag + " does not exist; check the path", e);
    }
  }

  private static int intParam(String flagValue, Manifest manifest, String name) {
    Object v = manifest.params.get(name);
    if (!(v instanceof Number)) {
      throw bad(flagValue, "manifest.json params." + name + " is " + v + ", expected an integer");
    }
    return ((Number) v).intValue();
  }

  /** Reads a part of the artifact; a missing, truncated or foreign Parquet part is a damaged artifact: exit 2. */
  private <T> T read(String part, InputBoundary.Read<T> body) {
    return InputBoundary.read("--artifacts " + Messages.quote(flagValue) + ": " + part, "the artifact is "
        + "damaged or incomplete; rerun 'asg quantize'", body);
  }

  /** A damaged or foreign manifest: exit 2, naming the directory. */
  public InvalidInputException bad(String what) {
    return bad(flagValue, what);
  }

  private static InvalidInputException bad(String flagValue, String what) {
    return new InvalidInputException("--artifacts " + flagValue + ": " + what
        + "; pass a directory written by 'asg quantize'");
  }

  public int rows() {
    return (int) manifest.source.shape[0];
  }

  public int dim() {
    return (int) manifest.source.shape[1];
  }

  public int m() {
    return ((Number) manifest.params.get("m")).intValue();
  }

  public int k() {
    return ((Number) manifest.params.get("k")).intValue();
  }

  public boolean shared() {
    return "shared".equals(manifest.params.get("codebook"));
  }

  public int dsub() {
    return dim() / m();
  }

  public int codebooks() {
    return shared() ? 1 : m();
  }

  Dataset<Row> mappingFrame(SparkSession spark) {
    return spark.read().parquet(new Path(path, "mapping").toString());
  }

  /**
   * The mapping as V x m global ConceptIDs, row t = token t; checks ids are dense and in range (not the digest:
   * {@link LoadedArtifact#load} does that).
   */
  public int[] readMapping(SparkSession spark) {
    return read("mapping/", () -> readMappingChecked(spark));
  }

  private int[] readMappingChecked(SparkSession spark) {
    int rows = rows();
    int m = m();
    int k = k();
    List<Row> rowsIn = mappingFrame(spark).select("token_id", "concept_ids").collectAsList();
    if (rowsIn.size() != rows) {
      throw bad("mapping/ has " + rowsIn.size() + " rows but manifest source.shape says " + rows + " tokens");
    }
    int[] out = new int[rows * m];
    boolean[] seen = new boolean[rows];
    int limit = codebooks() * k;
    for (Row r : rowsIn) {
      int t = r.getInt(0);
      List<Object> ids = r.getList(1);
      if (t < 0 || t >= rows || seen[t]) {
        throw bad("mapping/ has token_id " + t + " twice or outside [0, " + rows + ")");
      }
      if (ids.size() != m) {
        throw bad("mapping/ token " + t + " has " + ids.size() + " concept ids, manifest says m = " + m);
      }
      seen[t] = true;
      for (int i = 0; i < m; i++) {
        int id = (Integer) ids.get(i);
        if (id < 0 || id >= limit) {
          throw bad("mapping/ token " + t + " segment " + i + " has ConceptID " + id + " outside [0, " + limit
              + ")");
        }
        out[t * m + i] = id;
      }
    }
    return out;
  }

  /** The codebook as (codebooks * k) x dsub floats, row-major by ConceptID; {@link LoadedArtifact#load} checks it. */
  public float[] readCodebook(SparkSession spark) {
    return read("codebook/", () -> readCodebookChecked(spark));
  }

  private float[] readCodebookChecked(SparkSession spark) {
    int k = k();
    List<Row> rowsIn = spark.read().parquet(new Path(path, "codebook").toString()).select("row", "vector")
        .collectAsList();
    int n = codebooks() * k;
    int dsub = dsub();
    if (rowsIn.size() != n) {
      throw bad("codebook/ has " + rowsIn.size() + " rows, expected " + n + " (" + codebooks() + " codebooks x k "
          + k + ")");
    }
    float[] out = new float[n * dsub];
    boolean[] seen = new boolean[n];
    for (Row r : rowsIn) {
      int row = r.getInt(0);
      List<Object> v = r.getList(1);
      if (row < 0 || row >= n || seen[row] || v.size() != dsub) {
        throw bad("codebook/ row " + row + " is repeated, outside [0, " + n + ") or has " + v.size()
            + " values instead of dim/m = " + dsub);
      }
      seen[row] = true;
      for (int d = 0; d < dsub; d++) {
        out[row * dsub + d] = (Float) v.get(d);
      }
    }
    return out;
  }

  /** The token strings from mapping/'s optional {@value #TOKEN_COLUMN} column, or null if it has none. */
  public String[] readTokenColumn(SparkSession spark) {
    Dataset<Row> df = read("mapping/", () -> mappingFrame(spark));
    if (!Arrays.asList(df.columns()).contains(TOKEN_COLUMN)) {
      return null;
    }
    int rows = rows();
    String[] out = new String[rows];
    for (Row r : read("mapping/", () -> df.select("token_id", TOKEN_COLUMN).collectAsList())) {
      int t = r.getInt(0);
      if (t >= 0 && t < rows) {
        out[t] = r.isNullAt(1) ? "" : r.getString(1);
      }
    }
    return out;
  }

  /**
   * Sets manifest.json's "evaluation" and rewrites it atomically (manifest.json.tmp, then a rename over the old
   * one), keeping every other field as it was, including ones this version of the tool does not know.
   */
  public void writeEvaluation(Map<String, Object> evaluation) throws IOException {
    tree.set("evaluation", Manifest.mapper().valueToTree(evaluation));
    writeAtomically(MANIFEST, Manifest.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(tree));
    manifest.evaluation = evaluation;
  }

  /** Writes a text file into the artifact directory via name.tmp and a rename, so readers never see half. */
  public void writeAtomically(String name, String text) throws IOException {
    writeAtomically(fs, path, name, text);
  }

  /** {@link #writeAtomically(String, String)} into any directory (the decoder layout's top level, too). */
  public static void writeAtomically(FileSystem fs, Path dir, String name, String text) throws IOException {
    Path target = new Path(dir, name);
    Path tmp = new Path(dir, name + ".tmp");
    try (OutputStream os = ArtifactWriter.raw(fs).create(tmp, true)) {
      os.write(text.getBytes(StandardCharsets.UTF_8));
    }
    FileContext.getFileContext(dir.toUri(), fs.getConf()).rename(tmp, target, Options.Rename.OVERWRITE);
  }
}
