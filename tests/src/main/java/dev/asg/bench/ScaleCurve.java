package dev.asg.bench;

import dev.asg.common.artifact.Manifest;
import dev.asg.spark.cli.SparkSessions;
import dev.asg.spark.engine.QuantizeJob;
import dev.asg.spark.engine.QuantizeRequest;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The scale curve: our s/iteration for 25/50/100% of a workload's rows and for k = 256..4096, in one in-process
 * Spark session (start-up excluded; s/iteration from the manifest's {@code timings_s.lloyd}). The job's default
 * pruning skips most distances, so the GFLOP/s reported is effective (brute-force FLOPs over pruned time).
 */
final class ScaleCurve {
  private final Path work;
  private final boolean quick;
  private final Report report;
  private final long seed;

  ScaleCurve(Path work, boolean quick, Report report, long seed) {
    this.work = work;
    this.quick = quick;
    this.report = report;
    this.seed = seed;
  }

  /** s/iteration vs V (25/50/100% of the first workload's rows) and vs k, in one in-process Spark session. */
  void run(Workload w) throws Exception {
    int iters = quick ? 2 : 5;
    int[] ks = quick ? new int[] {256, 1024} : new int[] {256, 512, 1024, 2048, 4096};
    // The Spark settings the job itself runs with (SparkSessions.conf, as under bin/asg: direct task results up
    // to 64 MB among them), so the curve measures the product's configuration, not Spark's bare defaults.
    SparkSession spark = SparkSessions.create(SparkSessions.conf("asg bench scale curve", "local[*]")
        .set("spark.ui.enabled", "false"));
    try {
      // Unreported warm-up: the first Lloyd iterations in this JVM pay the JIT compilation of the kernel.
      Bench.log("scale: warm-up (not reported)");
      quantizeScale(spark, w.input(), w, w.k(), 3);
      for (int pct : new int[] {25, 50, 100}) {
        int rows = (int) (w.rows() * pct / 100);
        Path in = work.resolve(w.name() + "-" + rows + "-rows.safetensors");
        Tables.writeF32(w.input(), rows, in);
        scalePoint(spark, w, in, rows, w.k(), iters, "V " + pct + "%");
      }
      for (int k : ks) {
        if (k != w.k()) {
          scalePoint(spark, w, w.input(), (int) w.rows(), k, iters, "k " + k);
        }
      }
    } finally {
      spark.stop();
    }
  }

  private void scalePoint(SparkSession spark, Workload base, Path in, int rowsAsked, int k, int iters,
      String label) throws Exception {
    Bench.log("scale: " + label);
    double load0 = Proc.loadAverage();
    Manifest mf = quantizeScale(spark, in, base, k, iters);
    // V and the FLOPs from the table the job really read, so a wrong input file cannot pass for the asked size.
    long rows = mf.source.shape[0];
    if (rows != rowsAsked) {
      throw new IllegalStateException(in + " has " + rows + " rows, the scale point " + label + " needs "
          + rowsAsked);
    }
    Workload w = new Workload(base.name(), in, base.tensor(), rows, base.dim(), base.m(), k, base.codebook(),
        iters, 0, 0, label);
    double sPerIter = mf.timingsSeconds.get("lloyd") / mf.result.iterationsRun;
    report.scale(label, (int) rows, k, sPerIter, w.flopsPerIteration() / sPerIter / 1e9,
        (load0 + Proc.loadAverage()) / 2);
  }

  private Manifest quantizeScale(SparkSession spark, Path in, Workload base, int k, int iters) throws Exception {
    QuantizeRequest p = QuantizeRequest.builder().input(in.toString()).output(work.resolve("out/scale").toString())
        .overwrite(true).m(base.m()).k(k).codebook(base.codebook()).iterations(iters).init("random").seed(seed)
        .build();
    return QuantizeJob.run(spark, p);
  }
}
