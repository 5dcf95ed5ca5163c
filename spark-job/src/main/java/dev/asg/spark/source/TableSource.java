package dev.asg.spark.source;

import dev.asg.common.artifact.Manifest;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A table the engine can train on, whatever it was stored as. Everything after reading is shared: each source
 * only has to produce contiguous row ranges as {@link TableBlock}s, one per partition, in token order.
 */
public interface TableSource {
  int rows();

  int dim();

  /** For logs: file and tensor or column. */
  String describe();

  /** manifest.source without sha256 (filled in from {@link #sha256}). */
  Manifest.Source manifestSource();

  /**
   * The table as {@code partitions} contiguous row ranges, partition i holding the i-th range of
   * {@link RowRange#split}, each block with {@code tokenIds == null}. Tasks reject NaN/Inf with the row's id.
   */
  JavaRDD<TableBlock> blocks(JavaSparkContext jsc, int partitions);

  /**
   * Starts manifest.source.sha256, after {@code cachedBlocks} (from {@link #blocks}, persisted and materialised)
   * exist, so a source that has no raw byte range can digest what was read.
   */
  CompletableFuture<String> sha256(JavaRDD<TableBlock> cachedBlocks, Configuration conf);
}
