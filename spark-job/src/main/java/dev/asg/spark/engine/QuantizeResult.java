package dev.asg.spark.engine;

import dev.asg.common.artifact.Manifest;
import dev.asg.common.kmeans.CodebookMode;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;

/**
 * What a quantize run produced, as the numbers themselves rather than Datasets, so writing them needs no query plan
 * (see {@link dev.asg.spark.output.ArtifactTables}): the codebooks, the mapping and the manifest describing them.
 * The mapping is valid until {@link #release()}.
 *
 * @param centroids one k x dsub row-major array per codebook
 * @param k centroids per codebook
 * @param mapping the ConceptIDs of every token and the optional token strings
 * @param releaser unpersists what the mapping holds
 */
public record QuantizeResult(float[][] centroids, CodebookMode mode, int k, Mapping mapping, Manifest manifest,
    Runnable releaser) {

  /** mapping/'s content: blocks of ConceptIDs in token order, and the token column by token id (or null). */
  public sealed interface Mapping {
    String[] tokens();

    /** All blocks on the driver, in token order. */
    List<MappedBlock> collect();
  }

  /** A run's mapping: its cached final pass, one block per partition, partitions in token order. */
  public record Distributed(JavaRDD<MappedBlock> blocks, String[] tokens) implements Mapping {
    @Override
    public List<MappedBlock> collect() {
      return blocks.collect();
    }
  }

  /** A mapping held on the driver (a fitted model's): written by the driver, no Spark job. */
  public record Local(MappedBlock block, String[] tokens) implements Mapping {
    @Override
    public List<MappedBlock> collect() {
      return List.of(block);
    }
  }

  /** Unpersists the cached table and mapping. */
  public void release() {
    releaser.run();
  }

  /** The mapping's V x m ConceptIDs on the driver, row t = token t (a 250k x 48 mapping is 48 MB). */
  public int[] collectMapping() {
    int rows = (int) manifest.source.shape[0];
    List<MappedBlock> blocks = mapping.collect();
    int m = blocks.isEmpty() ? 0 : blocks.get(0).m;
    int[] out = new int[Math.multiplyExact(rows, m)];
    for (MappedBlock b : blocks) {
      System.arraycopy(b.conceptIds, 0, out, b.firstRow * m, b.rows * m);
    }
    return out;
  }
}
