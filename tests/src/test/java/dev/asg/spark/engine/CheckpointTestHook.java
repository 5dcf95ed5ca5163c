package dev.asg.spark.engine;

import java.util.function.IntConsumer;

/**
 * Test-side access to {@link QuantizeEngine}'s package-private checkpoint hook (this class shares the engine's
 * package only on the test classpath), so production code exposes no public way to interfere with a run.
 */
public final class CheckpointTestHook {
  private CheckpointTestHook() {}

  /** Called with the absolute iteration number after each checkpoint; null clears it. */
  public static void set(IntConsumer hook) {
    QuantizeEngine.afterCheckpointHook = hook;
  }
}
