package dev.asg.spark.engine;

import dev.asg.common.artifact.Manifest;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What a quantize run produced: the codebook and mapping as Datasets (schemas in
 * {@link dev.asg.spark.output.ArtifactSchemas}), and the manifest describing them. The mapping Dataset is backed by the cached final assignment and is valid until
 * {@link #release()}.
 */
public final class QuantizeResult {
  private final Dataset<Row> codebook;
  private final Dataset<Row> mapping;
  private final Manifest manifest;
  private final Runnable release;

  public QuantizeResult(Dataset<Row> codebook, Dataset<Row> mapping, Manifest manifest, Runnable release) {
    this.codebook = codebook;
    this.mapping = mapping;
    this.manifest = manifest;
    this.release = release;
  }

  public Dataset<Row> codebook() {
    return codebook;
  }

  public Dataset<Row> mapping() {
    return mapping;
  }

  public Manifest manifest() {
    return manifest;
  }

  /** Unpersists the cached table and mapping. */
  public void release() {
    release.run();
  }
}
