package dev.asg.tests.scheduler;

import dev.asg.spark.engine.QuantizeEngine;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;

/**
 * A runtime failure for command-line tests, from outside the job: registered through {@code spark.extraListeners},
 * it cancels the Spark job of Lloyd iteration {@link #ITERATION} (as an operator or a preempting scheduler would),
 * so the run fails after the checkpoints of the earlier iterations. Set both properties with {@link #arm} and
 * clear them with {@link #disarm}; the next SparkSession of this JVM picks them up.
 */
public final class CancelLloydJob extends SparkListener {
  /** System property: the 1-based Lloyd iteration whose job is cancelled. */
  public static final String ITERATION = "asg.test.cancel-lloyd-iteration";

  public static void arm(int iteration) {
    System.setProperty(ITERATION, Integer.toString(iteration));
    System.setProperty("spark.extraListeners", CancelLloydJob.class.getName());
  }

  public static void disarm() {
    System.clearProperty(ITERATION);
    System.clearProperty("spark.extraListeners");
  }

  @Override
  public void onJobStart(SparkListenerJobStart start) {
    String description = start.properties() == null ? ""
        : start.properties().getProperty("spark.job.description", "");
    String iteration = System.getProperty(ITERATION);
    if (iteration != null && description.equals(QuantizeEngine.LLOYD_JOB_PREFIX + iteration)) {
      SparkContext.getOrCreate().cancelJob(start.jobId(), "test: simulated cancellation of Lloyd iteration "
          + iteration);
    }
  }
}
