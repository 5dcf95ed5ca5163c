package dev.asg.spark.output;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asg.common.artifact.Manifest;
import dev.asg.common.kmeans.KMeansParams;
import dev.asg.spark.baseline.MllibBaseline;
import dev.asg.spark.engine.InputSpec;
import dev.asg.spark.engine.QuantizeRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * {@code --if-exists skip-if-current}: whether the committed artifact at the output is what this run would produce.
 * It is when its manifest records the same tool version, the same values of every parameter that decides the
 * result, and the same source SHA-256 for every section. The cheap comparisons come first; the source digests
 * (one read of each table) are computed only when everything else matches.
 */
public final class UpToDate {
  /**
   * The manifest.params keys (flag names) that decide codebook/ and mapping/. Left out: where things are (input,
   * output: the SHA-256 identifies the table), how the work is split (partitions, partition-mb, kernel: results
   * are bit-identical, see README), and how the run behaves (overwrite, checkpoint-every, resume).
   */
  public static final List<String> RESULT_PARAMS = List.of(InputSpec.TENSOR, InputSpec.OUTPUT_TENSOR,
      InputSpec.ID_COL, InputSpec.VECTOR_COL, InputSpec.VOCAB, KMeansParams.M, KMeansParams.K, KMeansParams.CODEBOOK,
      KMeansParams.INIT, KMeansParams.INIT_POINTS_PER_CENTROID, KMeansParams.ITERATIONS, KMeansParams.TOL,
      KMeansParams.MAX_POINTS_PER_CENTROID, KMeansParams.SEED, QuantizeRequest.INIT_FROM, MllibBaseline.ENGINE,
      MllibBaseline.MLLIB_SEGMENTS);

  /**
   * One table the run trains on.
   *
   * @param section null for a single run, else the decoder section ("input", "output")
   * @param sha256Of what the digest covers (manifest source.sha256_of)
   * @param sha256 computes the digest; called only when everything else matches
   */
  public record Source(String section, String sha256Of, Supplier<String> sha256) {}

  private UpToDate() {}

  /**
   * Null when the committed artifact at {@code output} is current for a run of {@code params} (effective values)
   * and {@code toolVersion} over {@code sources}; else why not, in a few words for the log and the status file.
   */
  public static String whyStale(FileSystem fs, Path output, Map<String, Object> params, String toolVersion,
      List<Source> sources) throws IOException {
    if (!fs.exists(output)) {
      return "no artifact at " + output;
    }
    String notOurs = ArtifactWriter.notReplaceable(fs, output);
    if (notOurs != null || fs.listStatus(output).length == 0) {
      return output + " is not a committed artifact" + (notOurs == null ? "" : " (" + notOurs + ")");
    }
    Manifest top = read(fs, new Path(output, ArtifactWriter.MANIFEST));
    if (toolVersion == null || toolVersion.equals("unknown")) {
      return "this build does not know its own version, so no artifact can be shown to be current";
    }
    if (!Objects.equals(top.toolVersion, toolVersion)) {
      return "the artifact was made by asg-spark " + top.toolVersion + ", this is " + toolVersion;
    }
    JsonNode had = Manifest.mapper().valueToTree(top.params);
    JsonNode now = Manifest.mapper().valueToTree(params);
    for (String key : RESULT_PARAMS) {
      String a = text(had.get(key));
      String b = text(now.get(key));
      if (!Objects.equals(a, b)) {
        return key + " is " + b + ", the artifact's is " + a;
      }
    }
    if (sources.size() != (top.sections == null ? 1 : top.sections.size())) {
      return "the artifact has " + (top.sections == null ? 1 : top.sections.size()) + " section(s), this run "
          + sources.size();
    }
    for (Source s : sources) {
      Manifest.Source recorded;
      String sha;
      if (s.section() == null) {
        if (top.sections != null || top.source == null) {
          return "the artifact's layout differs (decoder sections)";
        }
        recorded = top.source;
        sha = recorded.sha256;
      } else {
        Manifest.Section sec = top.sections == null ? null : top.sections.get(s.section());
        if (sec == null) {
          return "the artifact has no section '" + s.section() + "'";
        }
        recorded = read(fs, new Path(output, sec.manifest)).source;
        sha = sec.sha256;
      }
      if (sha == null || recorded == null || !Objects.equals(recorded.sha256Of, s.sha256Of())) {
        return "the artifact's source digest covers " + (recorded == null ? null : recorded.sha256Of) + ", this run's "
            + s.sha256Of();
      }
      String actual = s.sha256().get();
      if (!sha.equalsIgnoreCase(actual)) {
        return "the input's SHA-256 " + actual + " differs from the artifact's " + sha
            + (s.section() == null ? "" : " (section " + s.section() + ")");
      }
    }
    return null;
  }

  /** Numbers compare by their text: a seed read back as an int must equal the long it was written from. */
  private static String text(JsonNode n) {
    return n == null || n.isNull() ? null : n.asText();
  }

  private static Manifest read(FileSystem fs, Path p) throws IOException {
    try (InputStream in = ArtifactWriter.raw(fs).open(p)) {
      return Manifest.read(in);
    }
  }
}
