package dev.asg.spark.engine;

import dev.asg.common.InvalidInputException;
import dev.asg.common.Messages;
import dev.asg.common.artifact.Manifest;
import dev.asg.common.kmeans.CodebookMode;
import dev.asg.common.kmeans.PreparedCodebook;
import dev.asg.spark.artifact.ArtifactDir;
import dev.asg.spark.artifact.LoadedArtifact;
import java.util.Arrays;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * A committed artifact's codebooks, frozen, for reuse: encoding other rows ({@code asg encode}, the Spark ML
 * model's transform), warm-starting a retrain ({@code quantize --init-from}) and loading a model. The one place
 * these paths read an artifact back (through the artifact loader), so a move of that loader touches only this file.
 */
public final class FrozenArtifact {
  private final String flag;
  private final String uri;
  private final ArtifactDir dir;

  private FrozenArtifact(String flag, String uri, ArtifactDir dir) {
    this.flag = flag;
    this.uri = uri;
    this.dir = dir;
  }

  /**
   * Opens and checks the manifest of the artifact at {@code uri}, given by the flag {@code flag} ("artifacts",
   * "init-from"); errors (exit 2) name that flag.
   */
  public static FrozenArtifact open(String flag, String uri, Configuration conf) {
    try {
      return new FrozenArtifact(flag, uri, ArtifactDir.open(uri, conf));
    } catch (InvalidInputException e) {
      throw renamed(flag, e);
    }
  }

  /** The loader speaks of --artifacts, the flag of evaluate and export; here the artifact came by {@code flag}. */
  private static InvalidInputException renamed(String flag, InvalidInputException e) {
    return flag.equals("artifacts") ? e : new InvalidInputException(e.getMessage().replaceAll(
        "(?<![\\w-])--artifacts\\b", "--" + flag), e);
  }

  public String uri() {
    return uri;
  }

  public Manifest manifest() {
    return dir.manifest();
  }

  public int rows() {
    return dir.rows();
  }

  public int dim() {
    return dir.dim();
  }

  public int m() {
    return dir.m();
  }

  public int k() {
    return dir.k();
  }

  public CodebookMode mode() {
    return dir.shared() ? CodebookMode.SHARED : CodebookMode.SEPARATE;
  }

  /**
   * Reads the codebook ((codebooks * k) x dsub floats by ConceptID) and the mapping (V x m ConceptIDs), checked
   * against the manifest's digests: exit 2 on a mismatch, naming this artifact's flag.
   */
  public LoadedArtifact load(SparkSession spark) {
    try {
      return LoadedArtifact.load(spark, dir);
    } catch (InvalidInputException e) {
      throw renamed(flag, e);
    }
  }

  /** The codebook of {@link #load} split into one array of k * dsub floats per codebook, as the engine holds them. */
  public float[][] centroids(SparkSession spark) {
    return split(load(spark).codebook(), dir.codebooks(), dir.k() * dir.dsub());
  }

  /** mapping/'s token strings, or null when it has no token column. */
  public String[] tokens(SparkSession spark) {
    return dir.readTokenColumn(spark);
  }

  /** {@code flat} cut into {@code n} consecutive arrays of {@code each} floats. */
  public static float[][] split(float[] flat, int n, int each) {
    float[][] out = new float[n][];
    for (int c = 0; c < n; c++) {
      out[c] = Arrays.copyOfRange(flat, c * each, (c + 1) * each);
    }
    return out;
  }

  /** The codebooks prepared for the assignment kernel, as training's final pass prepares them. */
  public static PreparedCodebook[] prepare(float[][] centroids, int k, int dsub) {
    return QuantizeEngine.prepare(centroids, k, dsub);
  }

  /**
   * Refuses a table whose rows are not as wide as the codebooks ({@code asg encode}): one line naming both.
   */
  public void checkDim(int tableDim, String table) {
    if (tableDim != dim()) {
      throw new InvalidInputException(table + " has D=" + tableDim + " but --" + flag + " "
          + Messages.quote(uri) + " holds codebooks for D=" + dim() + " (m " + m() + " segments of " + dim() / m()
          + "); encode a table of the same width as the one it was trained on");
    }
  }

  /**
   * Refuses an artifact of another shape than this run's ({@code --init-from}): m, k, D and codebook mode must all
   * match, else its centroids cannot start this run's Lloyd.
   */
  public void checkSameShape(int m, int k, int tableDim, CodebookMode mode, String table) {
    if (m != m() || k != k() || tableDim != dim() || mode != mode()) {
      throw new InvalidInputException("--" + flag + " " + Messages.quote(uri) + " was trained with m " + m()
          + ", k " + k() + ", D " + dim() + ", codebook " + mode().flagValue() + ", but this run has m " + m
          + ", k " + k + ", D " + tableDim + " (" + table + "), codebook " + mode.flagValue()
          + "; pass an artifact of the same m, k, D and codebook mode, or drop --" + flag);
    }
  }
}
