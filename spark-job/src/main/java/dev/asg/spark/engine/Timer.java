package dev.asg.spark.engine;

import java.util.LinkedHashMap;
import java.util.Map;

/** Wall-clock seconds per phase, for manifest.timings_s and the progress log. */
final class Timer {
  private final Map<String, Double> laps = new LinkedHashMap<>();
  private long last = System.nanoTime();

  /** Ends the current phase under {@code name}; returns its seconds (rounded to ms). */
  double lap(String name) {
    long now = System.nanoTime();
    double s = QuantizeEngine.round((now - last) / 1e9);
    laps.merge(name, s, Double::sum);
    last = now;
    return s;
  }

  Map<String, Double> laps() {
    return laps;
  }
}
