package dev.asg.spark.engine;

import dev.asg.common.artifact.Manifest;
import dev.asg.common.kmeans.CentroidDrift;
import dev.asg.common.kmeans.CentroidUpdate;
import dev.asg.common.kmeans.FixedPoint;
import dev.asg.common.kmeans.KMeansParams;
import dev.asg.common.kmeans.LloydStats;
import dev.asg.common.kmeans.PreparedCodebook;
import dev.asg.common.kmeans.PruneBounds;
import dev.asg.common.kmeans.Pruning;
import dev.asg.spark.source.TableBlock;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Steps 3 and 4 of a run: the initial centroids (or a checkpoint's state) and the Lloyd iterations, one Spark job
 * each advancing all codebooks, with their checkpoints. Fills the Lloyd part of the manifest's result block.
 */
final class LloydLoop {
  private static final Logger LOG = LoggerFactory.getLogger("dev.asg.progress");

  private final JavaSparkContext jsc;
  private final QuantizeRequest p;
  private final String section;
  private final QuantizeListener listener;
  private final BlockTasks.AssignSetup setup;
  /**
   * Exact pruning: how far each centroid moved in the last update, from the codebooks the blocks' bounds describe
   * to the next ones; null when there are no bounds to carry (pruning off, no iteration run yet).
   */
  private CentroidDrift drift;

  LloydLoop(JavaSparkContext jsc, QuantizeRequest p, String section, QuantizeListener listener,
      BlockTasks.AssignSetup setup) {
    this.jsc = jsc;
    this.p = p;
    this.section = section;
    this.listener = listener;
    this.setup = setup;
  }

  /**
   * Trains on {@code training} (seeding from {@code blocks}) and returns the final centroids, one array of
   * k * dsub per codebook; records the objective per iteration, the splits, the timings and why it stopped.
   * {@code initSample} is the seeding sample the read job took (see {@link ReadScan}), or null.
   */
  float[][] train(JavaRDD<TableBlock> blocks, JavaRDD<TableBlock> training, int dim, long pointsPerCodebook,
      float[] initSample, Manifest.Source source, Configuration conf, Timer timer, Manifest.Result result) {
    KMeansParams a = p.algorithm();
    // A local, so Spark closures capture the setup and not this loop.
    final BlockTasks.AssignSetup setup = this.setup;
    final int k = a.k();
    final int dsub = dim / a.m();
    FixedPoint objectiveFp = setup.objectiveFp;

    // 3. Initial centroids on the driver from a small hash sample, or the state of a checkpoint.
    listener.onPhase(section, QuantizeListener.INIT);
    LloydCheckpoint checkpoint = p.run().checkpointEvery() > 0 || p.run().resume()
        ? LloydCheckpoint.open(p, source, section, conf) : null;
    LloydCheckpoint.State resumed = null;
    if (p.run().resume()) {
      resumed = checkpoint.load(a.codebooks(), k * dsub);
    } else if (checkpoint != null) {
      checkpoint.clear();
    }
    double previousObjective = Double.NaN;
    float[][] centroids;
    int firstIteration = 0;
    if (resumed != null) {
      centroids = resumed.decodeCentroids();
      firstIteration = resumed.iterationsDone;
      previousObjective = resumed.previousObjective();
      result.objective.addAll(resumed.objective);
      result.emptySplits.addAll(resumed.emptySplits);
      result.iterationsRun = resumed.iterationsDone;
      if (resumed.converged) {
        result.stoppedBy = "tol";
        firstIteration = a.iterations();
      }
      timer.lap("init");
    } else if (p.initFrom() != null) {
      centroids = WarmStart.centroids(p, dim, source.uri, conf);
      LOG.info("started {} codebook(s) of {} centroids from --{} {} ({} s)", a.codebooks(), k,
          QuantizeRequest.INIT_FROM, p.initFrom(), timer.lap("init"));
    } else {
      centroids = InitialCentroids.compute(blocks, a, dim, pointsPerCodebook, initSample);
      LOG.info("initialised {} codebook(s) of {} centroids with {} ({} s)", a.codebooks(), k,
          a.init().flagValue(), timer.lap("init"));
    }

    // 4. Lloyd iterations: one job each, all codebooks together. The iteration index stays the absolute one
    // after a resume: CentroidUpdate seeds its splits with it.
    listener.onPhase(section, QuantizeListener.LLOYD);
    long normSum = 0;
    if (firstIteration < a.iterations()) {
      jsc.setJobDescription("asg training norms");
      normSum = training.map(b -> BlockTasks.squaredNormSum(b, setup)).reduce(Long::sum);
    }
    Manifest.IterationTimings timings = new Manifest.IterationTimings();
    timings.slots = Math.max(1, jsc.defaultParallelism());
    timings.firstIteration = firstIteration + 1;
    // Embedded (local[N]) only: one task per slot, each folding several cached blocks into one partial. Every
    // task's result is the full m * k * dsub sums (3.3 MB at mBERT shape) whatever its share of rows, so more
    // tasks than slots only add result traffic and scheduling (measured: 6 tasks on 2 cores spent ~4 points more
    // of each iteration outside our code than 2). In one JVM all cached blocks are local, so coalesce moves no
    // data. With several executors it would: Spark's coalescer groups by host, not executor, and a task would
    // fetch other executors' cached blocks every iteration, so there each cached partition stays one task.
    JavaRDD<TableBlock> lloydInput = jsc.sc().isLocal() && training.getNumPartitions() > timings.slots
        ? training.coalesce(timings.slots) : training;
    result.iterationTimings = timings;
    // Local mode: the coalesced tasks (one per slot) report straight to the driver; on a cluster, keyed
    // aggregation into one slice per slot, so the driver receives each centroid row once (LloydAggregation).
    final int slices = jsc.sc().isLocal() && !jsc.getConf().getBoolean(LloydAggregation.FORCE_KEYED, false)
        ? 0 : timings.slots;
    final int codebooks = a.codebooks();
    // The first iteration (or the first after a resume) has no bounds yet: drift null means brute force.
    drift = null;
    // With pruning, after this run's first iteration: the running totals the tasks' deltas are added to, and the
    // previous iteration's codebooks, which a task reads only for a block that lost its state.
    LloydStats totals = null;
    Broadcast<PreparedCodebook[]> previousBc = null;
    for (int it = firstIteration; it < a.iterations(); it++) {
      long t0 = System.nanoTime();
      PreparedCodebook[] prepared = QuantizeEngine.prepare(centroids, k, dsub);
      Broadcast<PreparedCodebook[]> bc = jsc.broadcast(prepared);
      // A few KB: per codebook the largest two moves (see CentroidDrift).
      Broadcast<CentroidDrift> bcDrift = jsc.broadcast(drift);
      boolean delta = drift != null && totals != null;
      final Broadcast<PreparedCodebook[]> bcPrevious = delta ? previousBc : null;
      final int iteration = it;
      jsc.setJobDescription(QuantizeEngine.LLOYD_JOB_PREFIX + (it + 1));
      LloydAggregation.Result agg = LloydAggregation.run(lloydInput, blocksOfTask -> BlockTasks.lloyd(
          blocksOfTask, bc.value(), bcDrift.value(), bcPrevious == null ? null : bcPrevious::value, iteration,
          setup), slices, codebooks, k, dsub);
      LloydStats stats = agg.stats();
      long bytesIn = agg.bytesIn();
      if (delta) {
        totals.addSumsOf(stats);
        String problem = totals.totalsProblem(stats.points() / codebooks);
        if (problem != null) {
          // Cannot happen if every block's delta started from the assignments in the totals; recomputing the
          // full sums costs one more pass and keeps the result exact.
          LOG.warn("iteration {}: running Lloyd totals inconsistent ({}); recomputing this iteration's full sums",
              it + 1, problem);
          agg = LloydAggregation.run(lloydInput, blocksOfTask -> BlockTasks.lloyd(blocksOfTask, bc.value(),
              bcDrift.value(), null, iteration, setup), slices, codebooks, k, dsub);
          stats = agg.stats();
          bytesIn += agg.bytesIn();
          totals = stats;
        }
      } else {
        totals = stats;
      }
      bcDrift.destroy();
      if (previousBc != null) {
        previousBc.destroy();
      }
      previousBc = setup.pruning == Pruning.OFF ? null : bc;
      if (previousBc == null) {
        bc.destroy();
      }
      // Broadcast payload, uncompressed, one copy: the float centroids and the drift's few values.
      timings.addDriverBytes(bytesIn, 4L * codebooks * k * dsub + (drift == null ? 0 : drift.payloadBytes()));
      CentroidUpdate.Result upd = CentroidUpdate.apply(centroids, totals, setup.valueFp, a.seed(), it);
      drift = setup.pruning == Pruning.OFF ? null : CentroidDrift.between(centroids, upd.centroids(), k, dsub, it);
      centroids = upd.centroids();
      // Per-term rounding can leave an (almost) perfect fit a few ulps below zero; a distance sum is not negative.
      double objective = Math.max(0.0, objectiveFp.toDouble(stats.objective() + normSum));
      double relChange = Double.isNaN(previousObjective) ? Double.NaN
          : Math.abs(previousObjective - objective) / Math.max(previousObjective, Double.MIN_NORMAL);
      result.objective.add(objective);
      result.emptySplits.add(upd.splits());
      result.iterationsRun = it + 1;
      double secs = (System.nanoTime() - t0) / 1e9;
      double overhead = timings.add(secs, stats.computeNanos() / 1e9);
      double skipped = (double) stats.skipped() / Math.max(1, stats.points());
      if (it == firstIteration && setup.pruning != Pruning.OFF) {
        // The bounds are allocated by the first iteration's tasks, after Spark sized the cached blocks, so its
        // storage accounting does not see them: they come out of the heap's user share (1 - spark.memory.fraction).
        // Counting them would mean allocating them with the rows, in every read path, whether or not the run
        // prunes. Said here so that a memory budget can include them.
        LOG.info(String.format(Locale.ROOT, "exact pruning keeps %.1f MB of bounds beside the cached training blocks"
            + " (%d bytes per sub-vector, outside Spark's storage accounting)",
            stats.points() * (double) PruneBounds.BYTES_PER_POINT / (1 << 20), PruneBounds.BYTES_PER_POINT));
      }
      timings.addSkipped(skipped);
      LOG.info(String.format(Locale.ROOT,
          "iteration %d/%d objective %.6e rel-change %s changed %.2f%% empty-splits %d skipped %.1f%% %.2f s"
              + " (spark overhead %.1f%%)",
          it + 1, a.iterations(), objective,
          Double.isNaN(relChange) ? "-" : String.format(Locale.ROOT, "%.3e", relChange),
          100.0 * stats.changed() / Math.max(1, stats.points()), upd.splits(), 100 * skipped, secs,
          100 * overhead));
      listener.onIteration(section, it + 1, a.iterations(), objective, secs);
      previousObjective = objective;
      boolean converged = a.tol() > 0 && !Double.isNaN(relChange) && relChange < a.tol();
      if (p.run().checkpointEvery() > 0 && (it + 1) % p.run().checkpointEvery() == 0) {
        LloydCheckpoint.State st = new LloydCheckpoint.State();
        st.iterationsDone = it + 1;
        st.converged = converged;
        st.objective.addAll(result.objective);
        st.emptySplits.addAll(result.emptySplits);
        st.previousObjectiveBits = Double.doubleToRawLongBits(previousObjective);
        st.storeCentroids(centroids);
        checkpoint.save(st);
        listener.onCheckpoint(section, it + 1);
      }
      if (converged) {
        result.stoppedBy = "tol";
        LOG.info("stopping: relative objective change {} < --tol {}", relChange, a.tol());
        break;
      }
    }
    if (previousBc != null) {
      previousBc.destroy();
    }
    timer.lap("lloyd");
    return centroids;
  }

  /**
   * After {@link #train}: the move from the last iteration's codebooks to the returned ones, with which the final
   * pass can prune on blocks that still hold bounds; null when pruning is off or no iteration ran.
   */
  CentroidDrift lastDrift() {
    return drift;
  }
}
