package dev.asg.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code bin/asg quantize} run, read from its manifest as a JSON tree rather than through
 * {@link dev.asg.common.artifact.Manifest}, so fields other branches add (driver bytes per iteration) are read
 * when present and reported as "not recorded" when not, without this code depending on them.
 *
 * @param label what ran (e.g. "defaults, pruning exact")
 * @param wallSeconds the whole process, JVM start to exit
 * @param peakRssKb GNU time's maximum resident set size (or sampled VmHWM)
 * @param load 1-minute load average after the run
 * @param timings manifest {@code timings_s} (read, init, lloyd, final_assignment, write, ...)
 * @param iterationWall {@code result.iteration_timings.wall_s}, one per iteration (empty when absent)
 * @param skipped {@code result.iteration_timings.skipped_distances}, share per iteration (empty when absent)
 * @param driverBytesIn {@code result.iteration_timings.driver_bytes_in}, or null when not recorded
 * @param driverBytesOut {@code result.iteration_timings.driver_bytes_out}, or null when not recorded
 * @param exactness digests, objectives and empty-cluster splits: what a pruned run must reproduce bit for bit
 * @param sourceSha256 {@code source.sha256}: which table ran, so a recorded baseline is compared on its own table only
 */
record JobRun(String label, Workload workload, double wallSeconds, long peakRssKb, double load,
    Map<String, Double> timings, int iterationsRun, double relativeMse, String kernel, List<Double> iterationWall,
    List<Double> skipped, List<Long> driverBytesIn, List<Long> driverBytesOut, String exactness,
    String sourceSha256) {

  private static final ObjectMapper JSON = new ObjectMapper();

  static JobRun read(String label, Workload w, Proc.Result r, Path artifact) throws IOException {
    JsonNode root = JSON.readTree(artifact.resolve("manifest.json").toFile());
    Map<String, Double> timings = new LinkedHashMap<>();
    root.path("timings_s").properties().forEach(e -> timings.put(e.getKey(), e.getValue().asDouble()));
    JsonNode result = root.path("result");
    JsonNode it = result.path("iteration_timings");
    String exactness = root.path("digests").toString() + result.path("objective") + result.path("empty_splits");
    return new JobRun(label, w, r.wallSeconds(), r.peakRssKb(), r.loadAfter(), timings,
        result.path("iterations_run").asInt(), result.path("relative_mse").asDouble(Double.NaN),
        result.path("kernel").asText("?"), doubles(it.path("wall_s")), doubles(it.path("skipped_distances")),
        longsOrNull(it.path("driver_bytes_in")), longsOrNull(it.path("driver_bytes_out")), exactness,
        root.path("source").path("sha256").asText(""));
  }

  double timing(String name) {
    return timings.getOrDefault(name, Double.NaN);
  }

  /** Lloyd seconds per iteration (the manifest's lloyd timing over the iterations run). */
  double secondsPerIteration() {
    return timing("lloyd") / Math.max(1, iterationsRun);
  }

  /** Seeding's share of the whole process's wall time ({@link #wallAt} the issue's 25 iterations when fewer ran). */
  double initShare() {
    return timing("init") / wallAt(Issue13Runs.TARGET_ITERATIONS);
  }

  /**
   * The measured wall, or for a run of fewer iterations an estimate for {@code iterations}: wall + the missing
   * iterations x the mean of the last {@link Issue13Runs#TAIL} (see {@link #lastIterationsMean}).
   */
  double wallAt(int iterations) {
    return iterationsRun >= iterations ? wallSeconds
        : wallSeconds + (iterations - iterationsRun) * lastIterationsMean(Issue13Runs.TAIL);
  }

  double rssOverTable() {
    return peakRssKb * 1024.0 / workload.float32Bytes();
  }

  /**
   * Mean wall time of the last {@code n} iterations, never the first unless it is the only one: the first assigns
   * every point by brute force, later ones skip most distances, so they are the steady state to extrapolate.
   */
  double lastIterationsMean(int n) {
    if (iterationWall.isEmpty()) {
      return secondsPerIteration();
    }
    int size = iterationWall.size();
    List<Double> tail = iterationWall.subList(size == 1 ? 0 : Math.max(1, size - n), size);
    return tail.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }

  double medianSkipped() {
    if (skipped.isEmpty()) {
      return Double.NaN;
    }
    List<Double> s = new ArrayList<>(skipped);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }

  private static List<Double> doubles(JsonNode a) {
    List<Double> out = new ArrayList<>();
    a.forEach(v -> out.add(v.isNull() ? Double.NaN : v.asDouble()));
    return out;
  }

  private static List<Long> longsOrNull(JsonNode a) {
    if (!a.isArray()) {
      return null;
    }
    List<Long> out = new ArrayList<>();
    a.forEach(v -> out.add(v.asLong()));
    return out;
  }
}
