package dev.asg.spark.engine;

import dev.asg.common.kmeans.ValueRange;
import dev.asg.spark.source.TableBlock;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;

/**
 * What the read job learns from its one pass over every block: the table's value range and, when the run will
 * seed (k-means++ or random), the seeding's hash sample, so the init needs no Spark job of its own.
 *
 * @param range the table's largest |value| and exponent histogram (see {@link ValueRange})
 * @param initSample the seeding rows in token order (see {@link InitialCentroids#sampleRows}), or null when the
 *     run starts from --init-from or --resume and does not seed
 */
record ReadScan(ValueRange range, float[] initSample) {

  /**
   * One block's part; the sample rows travel as bare floats (no TableBlock, no token ids). A class, not a record:
   * it is a task result, and the Kryo in Spark cannot serialize records (KryoSerializerTest).
   */
  private static final class Part implements Serializable {
    private static final long serialVersionUID = 1L;
    final ValueRange range;
    final float[] sample;

    Part(ValueRange range, float[] sample) {
      this.range = range;
      this.sample = sample;
    }
  }

  /** Runs the read job (one Spark job) over {@code blocks}, which it materialises in their cache. */
  static ReadScan run(JavaRDD<TableBlock> blocks, QuantizeRequest p, long pointsPerCodebook) {
    final boolean seeds = InitialCentroids.seeds(p);
    final long seed = p.algorithm().seed();
    final double fraction = InitialCentroids.fraction(p.algorithm(), pointsPerCodebook);
    // collect, not reduce: the samples must be concatenated in block (= token) order, which collect keeps.
    List<Part> parts = blocks.map(b -> new Part(b.valueRange(),
        seeds ? InitialCentroids.sampleRows(b, seed, fraction) : null)).collect();
    ValueRange range = parts.stream().map(q -> q.range).reduce(ValueRange::merge).orElseThrow();
    float[] sample = seeds ? InitialCentroids.concat(parts.stream().map(q -> q.sample).toList()) : null;
    return new ReadScan(range, sample);
  }
}
