package dev.asg.spark.engine;

/**
 * Progress of one {@link QuantizeJob} run, called on the driver: the phase it entered, each Lloyd iteration i of n
 * with its objective, each checkpoint written. Everything a status file or progress bar needs; all no-ops by
 * default. Exceptions thrown here abort the run (a test uses that to kill it at a known checkpoint).
 */
public interface QuantizeListener {
  /** Listens to nothing. */
  QuantizeListener NONE = new QuantizeListener() {};

  /** Phase names, in order: read, sample, init, lloyd, final-assignment, write. */
  String READ = "read";
  String SAMPLE = "sample";
  String INIT = "init";
  String LLOYD = "lloyd";
  String FINAL_ASSIGNMENT = "final-assignment";
  String WRITE = "write";

  /** The run (of {@code section}, null for a single run) entered {@code phase}. */
  default void onPhase(String section, String phase) {}

  /**
   * Lloyd iteration {@code iteration} (1-based, absolute even after a resume) of {@code iterations} finished with
   * this objective (sum of squared distances) after {@code seconds}.
   */
  default void onIteration(String section, int iteration, int iterations, double objective, double seconds) {}

  /** The state after iteration {@code iteration} (1-based, absolute) was checkpointed. */
  default void onCheckpoint(String section, int iteration) {}
}
