package dev.asg.spark.eval;

import dev.asg.common.InvalidInputException;
import dev.asg.common.Messages;
import dev.asg.common.artifact.Manifest;
import dev.asg.common.tensor.TableSpec;
import dev.asg.spark.source.TensorSha256;
import org.apache.hadoop.conf.Configuration;

/**
 * Whether a table is the one an artifact was made from: same shape is not enough (another checkpoint of the same
 * model has it too, and would get a nonsense quality report written into the artifact), so the table's SHA-256
 * must equal the manifest's {@code source.sha256}. One sequential read of the tensor on the driver.
 */
public final class SourceDigest {
  /** The flag that skips the check, for measuring an artifact against a deliberately different table. */
  public static final String OVERRIDE_FLAG = "--allow-different-source";

  private SourceDigest() {}

  /** As {@link #require(String, Manifest.Source, TableSpec, String, Configuration)} for {@code --input}. */
  public static void require(Manifest.Source source, TableSpec spec, String artifacts, Configuration conf) {
    require("--input", source, spec, artifacts, conf);
  }

  /**
   * Throws unless {@code spec} hashes, under the manifest's source.sha256_of definition, to its source.sha256. A
   * manifest without a digest we can recompute from a tensor is refused too: nothing would vouch for the table.
   */
  public static void require(String flag, Manifest.Source source, TableSpec spec, String artifacts,
      Configuration conf) {
    String actual = source == null || source.sha256 == null ? null
        : TensorSha256.ofSource(source.sha256Of, spec, conf);
    if (actual == null) {
      throw new InvalidInputException(Messages.quote(artifacts) + ": manifest.json records no source.sha256 that "
          + "a tensor can be checked against (sha256_of " + Messages.quote(source == null ? null : source.sha256Of)
          + "); pass " + OVERRIDE_FLAG + " to use " + flag + " " + Messages.quote(spec.uri()) + " unchecked");
    }
    if (!actual.equalsIgnoreCase(source.sha256)) {
      throw new InvalidInputException(flag + " " + Messages.quote(spec.uri()) + " tensor '"
          + Messages.quote(spec.tensor()) + "' has SHA-256 " + actual + " but the artifact "
          + Messages.quote(artifacts) + " was made from a table with " + source.sha256 + " ("
          + Messages.quote(source.uri) + "); pass the table it was quantized from, or " + OVERRIDE_FLAG
          + " to measure it against this one anyway");
    }
  }
}
