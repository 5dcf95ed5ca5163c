package dev.asg.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The runs behind issue 13's targets, each {@code bin/asg quantize} as a separate JVM under GNU time: our job with
 * its defaults (k-means++ seeding, {@code --pruning exact}) on every workload, the brute-force reference
 * ({@code --pruning off}) whose digests a pruned run must equal, the scale workloads and the LLM-sized table
 * ({@link ScaleWorkloads}), and the driver traffic per iteration on {@code local-cluster}.
 */
final class Issue13Runs {
  /** The issue's targets hold at 25 iterations; runs with fewer are extrapolated to it. */
  static final int TARGET_ITERATIONS = 25;
  /** Steady-state iterations averaged for an extrapolation: once pruning skips most work, later ones are cheap. */
  static final int TAIL = 3;

  private final Path root;
  private final Path work;
  private final Issue13Report report;

  Issue13Runs(Path root, Path work, Issue13Report report) {
    this.root = root;
    this.work = work;
    this.report = report;
  }

  /** Our job with defaults on a workload (only m, k, codebook and iterations given), pruned or not. */
  JobRun defaults(Workload w, String pruning, List<String> extra) throws Exception {
    String label = "defaults, pruning " + pruning;
    Path out = work.resolve("out/" + w.name() + "-defaults-" + pruning);
    List<String> cmd = new ArrayList<>(List.of(asg()));
    cmd.addAll(extra); // bin/asg's own options (--driver-memory, --master) go before the command
    cmd.addAll(List.of("quantize", "--input", w.input().toString(), "--m", "" + w.m(), "--k", "" + w.k(),
        "--codebook", w.codebook(), "--iterations", "" + w.iterations(), "--output", out.toString(), "--overwrite"));
    if (!pruning.equals("exact")) {
      cmd.addAll(List.of("--pruning", pruning));
    }
    if (!w.tensor().equals(Tables.TENSOR)) {
      cmd.addAll(List.of("--tensor", w.tensor()));
    }
    Bench.log("issue 13: " + w.name() + " (" + label + ", " + w.iterations() + " iterations)");
    Proc.Result r = Proc.run(cmd, Map.of(), work.resolve("logs"), w.name() + "-defaults-" + pruning);
    Bench.check(r, "asg quantize (" + label + ") " + w.name());
    return JobRun.read(label, w, r, out);
  }

  /** The defaults run of a main workload; on the mBERT shape also the --pruning off reference beside it. */
  void mainWorkload(Workload w) throws Exception {
    JobRun exact = defaults(w, "exact", List.of());
    report.defaults(exact);
    if (w.name().startsWith("mbert")) {
      report.bruteForce(defaults(w, "off", List.of()));
    }
  }

  /** The scale workloads and the LLM-sized table, in that order, with the time each is expected to take. */
  void scale(ScaleWorkloads scale) throws Exception {
    for (ScaleWorkloads.Item item : scale.items()) {
      Workload w = item.workload();
      Bench.log(String.format(Locale.ROOT, "scale: %s, %d iterations (%.0f GFLOP per brute-force iteration)",
          w.name(), w.iterations(), w.flopsPerIteration() / 1e9));
      report.scale(defaults(w, "exact", item.launcherOptions()), item.note());
    }
  }

  /**
   * Driver bytes per iteration on {@code local-cluster[N,1,MB]} for N executors and a partition count: the old
   * scheme sends one k·D sum per partition, so only a count independent of both shows the new aggregation.
   */
  void driverTraffic(Workload w, int[][] executorsAndPartitions) throws Exception {
    for (int[] ep : executorsAndPartitions) {
      int executors = ep[0];
      int partitions = ep[1];
      String master = "local-cluster[" + executors + ",1,1024]";
      Path out = work.resolve("out/" + w.name() + "-traffic-" + executors + "x" + partitions);
      List<String> cmd = List.of(asg(), "quantize", "--master", master, "--input", w.input().toString(), "--m",
          "" + w.m(), "--k", "" + w.k(), "--iterations", "" + w.iterations(), "--partitions", "" + partitions,
          "--output", out.toString(), "--overwrite");
      Bench.log("driver traffic: " + master + ", " + partitions + " partitions");
      Proc.Result r = Proc.run(cmd, Map.of(), work.resolve("logs"), "traffic-" + executors + "x" + partitions);
      Bench.check(r, "asg quantize --master " + master);
      report.traffic(executors, partitions, JobRun.read(master, w, r, out));
    }
  }

  private String asg() {
    return root.resolve("spark-job/bin/asg").toString();
  }
}
