package dev.asg.spark.engine;

import dev.asg.common.kmeans.LloydStats;
import dev.asg.spark.source.TableBlock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import scala.Tuple2;

/**
 * How a Lloyd iteration's per-task statistics reach the driver, and how many bytes that takes.
 *
 * <ul>
 *   <li>DIRECT: each task's stats go to the driver, which merges them. Bytes in = tasks x stats. Used in one JVM
 *       ({@code local[N]}), where {@link LloydLoop} coalesces to one task per slot, so the count is the slots
 *       whatever the partitioning, and nothing crosses a network.</li>
 *   <li>KEYED: each task cuts its stats into {@code slices} row ranges ({@link LloydStats#slice}), Spark reduces
 *       each range on an executor ({@code reduceByKey} into {@code slices} partitions), and the driver collects
 *       each range once: m * k * dsub longs (less for a sparse delta) plus a few hundred bytes per slice, however
 *       many partitions the table has. Used on a cluster, where each cached partition stays its own task. A
 *       {@code treeAggregate} would still bring the driver about sqrt(partitions) full copies.</li>
 * </ul>
 * Bytes in are the lengths of the encoded stats the driver collects: the exact payload, whatever spark.serializer
 * (Spark's task-result wrapper, task metrics and the map outputs' small status messages come on top).
 */
public final class LloydAggregation {
  /**
   * Spark configuration key (tests only, not a flag): "true" takes the KEYED path in one JVM too, so that its
   * shuffle (reduceByKey of encoded slices) runs under whatever spark.serializer the session has.
   */
  public static final String FORCE_KEYED = "spark.asg.internal.keyedAggregation";

  /** The merged stats and the bytes the driver received for them. */
  record Result(LloydStats stats, long bytesIn) {}

  private LloydAggregation() {}

  /**
   * Runs {@code work} on every task of {@code input} and brings the merged stats to the driver. Tasks send the
   * stats' compact form ({@link LloydStats#encode}): a byte[] that every spark.serializer (Java, Kryo) carries as
   * is, so bytes in are the exact payload, counted without serializing anything again on the driver.
   *
   * @param slices 0 for DIRECT; else the number of KEYED slices
   */
  static Result run(JavaRDD<TableBlock> input, FlatMapFunction<Iterator<TableBlock>, LloydStats> work,
      int slices, int codebooks, int k, int dsub) {
    JavaRDD<byte[]> partials = input.mapPartitions(blocks -> {
      List<byte[]> out = new ArrayList<>(1);
      work.call(blocks).forEachRemaining(st -> out.add(st.encode()));
      return out.iterator();
    });
    List<byte[]> received;
    if (slices <= 0) {
      received = partials.collect();
    } else {
      final int n = slices;
      received = partials.flatMapToPair(bytes -> {
        LloydStats st = LloydStats.decode(bytes);
        List<Tuple2<Integer, byte[]>> out = new ArrayList<>(n);
        for (int s = 0; s < n; s++) {
          out.add(new Tuple2<>(s, st.slice(s, n).encode()));
        }
        return out.iterator();
      }).reduceByKey(LloydStats::mergeEncoded, n).values().collect();
    }
    long bytes = 0;
    List<LloydStats> decoded = new ArrayList<>(received.size());
    for (byte[] b : received) {
      bytes += b.length;
      decoded.add(LloydStats.decode(b));
    }
    if (slices > 0 && !decoded.isEmpty()) { // empty: no task had a block, so no slice exists
      return new Result(LloydStats.assemble(decoded, codebooks, k, dsub), bytes);
    }
    LloydStats merged = new LloydStats(codebooks, k, dsub);
    for (LloydStats st : decoded) {
      merged.merge(st);
    }
    return new Result(merged, bytes);
  }
}
