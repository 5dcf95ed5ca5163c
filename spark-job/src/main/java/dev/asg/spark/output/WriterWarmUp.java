package dev.asg.spark.output;

import dev.asg.spark.engine.QuantizeListener;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link ParquetParts#warmUp} on a daemon thread once a run's first Lloyd iteration has ended: the pruned
 * iterations that follow leave the cores about half idle (job launch, broadcast, driver update), while the read,
 * the seeding (parallel across codebooks) and the first iteration keep them busy. The artifact write at the end
 * then finds parquet-java's classes loaded (the first Parquet write otherwise spends ~2 s of CPU loading them, on
 * the write's critical path). A listener wrapper: everything else is passed on unchanged. A failed warm-up only
 * costs that time back; a run without iterations (a resume at its end) writes cold.
 */
public final class WriterWarmUp implements QuantizeListener {
  private static final Logger LOG = LoggerFactory.getLogger(WriterWarmUp.class);
  private final QuantizeListener next;
  private final Configuration conf;
  private final AtomicBoolean started = new AtomicBoolean();

  private WriterWarmUp(QuantizeListener next, Configuration conf) {
    this.next = next;
    this.conf = conf;
  }

  /** {@code next}, which also starts the warm-up when the run's first Lloyd iteration has ended. */
  public static QuantizeListener around(QuantizeListener next, Configuration conf) {
    return new WriterWarmUp(next, conf);
  }

  @Override
  public void onPhase(String section, String phase) {
    next.onPhase(section, phase);
  }

  private void start() {
    if (started.compareAndSet(false, true)) {
      Configuration copy = new Configuration(conf); // Spark's own may change while the thread reads it
      Thread t = new Thread(() -> warmUp(copy), "asg-parquet-warmup");
      t.setDaemon(true);
      t.start();
    }
  }

  private static void warmUp(Configuration conf) {
    try {
      ParquetParts.warmUp(conf);
    } catch (Exception | LinkageError e) {
      LOG.debug("parquet writer warm-up failed; the write loads its classes itself", e);
    }
  }

  @Override
  public void onIteration(String section, int iteration, int iterations, double objective, double seconds) {
    start();
    next.onIteration(section, iteration, iterations, objective, seconds);
  }

  @Override
  public void onCheckpoint(String section, int iteration) {
    next.onCheckpoint(section, iteration);
  }
}
