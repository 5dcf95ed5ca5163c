package dev.asg.spark.engine;

import dev.asg.common.kmeans.AssignKernel;
import dev.asg.common.kmeans.AssignKernels;
import dev.asg.common.kmeans.BlockAssigner;
import dev.asg.common.kmeans.CentroidDrift;
import dev.asg.common.kmeans.CentroidGroups;
import dev.asg.common.kmeans.CodebookMode;
import dev.asg.common.kmeans.FixedPoint;
import dev.asg.common.kmeans.GroupedAssigner;
import dev.asg.common.kmeans.LloydDelta;
import dev.asg.common.kmeans.LloydStats;
import dev.asg.common.kmeans.Moves;
import dev.asg.common.kmeans.PreparedCodebook;
import dev.asg.common.kmeans.PruneBounds;
import dev.asg.common.kmeans.PrunedAssigner;
import dev.asg.common.kmeans.Pruning;
import dev.asg.spark.source.TableBlock;
import java.io.Serializable;
import java.util.Collections;
import java.util.Iterator;
import java.util.function.Supplier;
import org.apache.spark.util.LongAccumulator;

/**
 * The executor-side work of each phase, as static functions of their inputs so Spark closures capture only
 * small serializable values, never the engine.
 */
final class BlockTasks {
  /**
   * Per task thread: the assignment and score arrays of the block being processed (rows * m each, 4 MB apiece for
   * a 64 MB partition at m = 48). Reused across iterations so that a Lloyd iteration's only allocations are its
   * statistics; fresh arrays per task were most of the garbage and kept the collector busy with full collections.
   */
  private static final ThreadLocal<int[]> IDX_SCRATCH = ThreadLocal.withInitial(() -> new int[0]);
  private static final ThreadLocal<float[]> SCORE_SCRATCH = ThreadLocal.withInitial(() -> new float[0]);
  /** Per task thread: the changed assignments of the block being processed, for incremental statistics. */
  private static final ThreadLocal<Moves> MOVES_SCRATCH = ThreadLocal.withInitial(Moves::new);
  /** Per task thread: the final pass's grouped search, which holds its scratch. */
  private static final ThreadLocal<GroupedAssigner> GROUPED = new ThreadLocal<>();

  private BlockTasks() {}

  private static int[] idxScratch(int n) {
    int[] a = IDX_SCRATCH.get();
    if (a.length < n) {
      a = new int[n];
      IDX_SCRATCH.set(a);
    }
    return a;
  }

  private static float[] scoreScratch(int n) {
    float[] a = SCORE_SCRATCH.get();
    if (a.length < n) {
      a = new float[n];
      SCORE_SCRATCH.set(a);
    }
    return a;
  }

  private static GroupedAssigner grouped(AssignSetup s) {
    AssignKernel kernel = AssignKernels.byName(s.kernel);
    GroupedAssigner a = GROUPED.get();
    if (a == null || a.kernel() != kernel) {
      a = new GroupedAssigner(kernel);
      GROUPED.set(a);
    }
    return a;
  }

  /** Settings every assignment task needs. */
  static final class AssignSetup implements Serializable {
    private static final long serialVersionUID = 1L;
    final CodebookMode mode;
    final int m;
    final int k;
    final String kernel;
    final FixedPoint valueFp;
    final FixedPoint objectiveFp;
    final Pruning pruning;

    AssignSetup(CodebookMode mode, int m, int k, String kernel, FixedPoint valueFp, FixedPoint objectiveFp) {
      this(mode, m, k, kernel, valueFp, objectiveFp, Pruning.OFF);
    }

    AssignSetup(CodebookMode mode, int m, int k, String kernel, FixedPoint valueFp, FixedPoint objectiveFp,
        Pruning pruning) {
      this.mode = mode;
      this.m = m;
      this.k = k;
      this.kernel = kernel;
      this.valueFp = valueFp;
      this.objectiveFp = objectiveFp;
      this.pruning = pruning;
    }

    /** The kernel, compiled before this task's first block (see {@link AssignKernels#warmUpOnce}). */
    private AssignKernel warmKernel(PreparedCodebook[] codebooks) {
      AssignKernel kern = AssignKernels.byName(kernel);
      AssignKernels.warmUpOnce(kern, k, codebooks[0].dsub());
      return kern;
    }

    BlockAssigner assigner(PreparedCodebook[] codebooks) {
      return new BlockAssigner(warmKernel(codebooks), codebooks, mode, m);
    }

    /** The pruned assigner, or null when pruning is off. */
    PrunedAssigner prunedAssigner(PreparedCodebook[] codebooks) {
      return pruning == Pruning.OFF ? null : new PrunedAssigner(warmKernel(codebooks), codebooks, mode, m);
    }
  }

  /**
   * One Lloyd iteration's partial statistics over all blocks of one task, accumulated into ONE LloydStats (m * k *
   * dsub longs: allocating one per block would be most of an iteration's garbage); none if the task has no blocks.
   * For Lloyd iteration {@code iteration} (0-based); with pruning, {@code drift} is the move from the
   * previous iteration's codebooks to these (null for the first iteration or after a resume: brute force).
   *
   * @param previous with pruning, after the run's first iteration: the previous iteration's codebooks, fetched
   *     only for a block that lost its state; its presence makes the sums and counts a DELTA against the previous
   *     iteration's totals ({@link LloydDelta}). Null: full sums.
   */
  static Iterator<LloydStats> lloyd(Iterator<TableBlock> blocks, PreparedCodebook[] codebooks,
      CentroidDrift drift, Supplier<PreparedCodebook[]> previous, int iteration, AssignSetup s) {
    if (!blocks.hasNext()) {
      return Collections.emptyIterator();
    }
    LloydStats acc = new LloydStats(s.mode.codebooks(s.m), s.k, codebooks[0].dsub());
    BlockAssigner a = s.assigner(codebooks);
    PrunedAssigner pruned = s.prunedAssigner(codebooks);
    while (blocks.hasNext()) {
      TableBlock b = blocks.next();
      long t0 = System.nanoTime();
      if (b.rows() > 0) {
        if (pruned == null) {
          bruteForceInto(b, a, s, acc);
        } else {
          prunedInto(b, pruned, drift, previous, iteration, s, acc);
        }
      }
      acc.addComputeNanos(System.nanoTime() - t0);
    }
    return Collections.singletonList(acc).iterator();
  }

  /** --pruning off: every distance, full sums. */
  private static void bruteForceInto(TableBlock b, BlockAssigner a, AssignSetup s, LloydStats stats) {
    int[] idx = idxScratch(b.rows() * s.m);
    float[] score = scoreScratch(b.rows() * s.m);
    a.assign(b.data(), b.rows(), idx, score);
    a.accumulate(b.data(), b.rows(), idx, score, b.previousAssignments(s.m), stats, s.valueFp, s.objectiveFp);
  }

  /** Exact pruning; with {@code previous} the block's delta, else its full sums ({@link LloydDelta#blockStep}). */
  private static void prunedInto(TableBlock b, PrunedAssigner pruned, CentroidDrift drift,
      Supplier<PreparedCodebook[]> previous, int iteration, AssignSetup s, LloydStats stats) {
    int n = b.rows() * s.m;
    LloydDelta.blockStep(pruned, AssignKernels.byName(s.kernel), b.data(), b.rows(), s.m, s.mode, idxScratch(n),
        scoreScratch(n), b.pruneBounds(s.m), drift, iteration, previous, MOVES_SCRATCH.get(), stats, s.valueFp,
        s.objectiveFp);
  }

  /** The objective's constant part over one block: see {@link BlockAssigner#squaredNormSum}. */
  static long squaredNormSum(TableBlock b, AssignSetup s) {
    return BlockAssigner.squaredNormSum(b.data(), b.rows(), s.m, b.dim() / s.m, s.objectiveFp);
  }

  /**
   * The final assignment of a block (see {@link FinalPass#map}); with pruning and {@code drift} from the last
   * Lloyd iteration's codebooks to the final ones, a block that kept its bounds (trained on, not sampled) skips
   * what they settle. {@code drift} null: brute force.
   */
  static MappedBlock map(TableBlock b, PreparedCodebook[] codebooks, float[][] centroids, CentroidDrift drift,
      int iteration, AssignSetup s, FixedPoint energyFp, FixedPoint cosineFp) {
    return map(b, codebooks, null, centroids, drift, iteration, s, energyFp, cosineFp, null);
  }

  /**
   * {@link #map}, and without usable bounds but with {@code groups} (pruning on, large k) the exact grouped search
   * ({@link GroupedAssigner}), same bits as brute force. Adds the point-to-centroid distances computed to
   * {@code computed} when given.
   */
  static MappedBlock map(TableBlock b, PreparedCodebook[] codebooks, CentroidGroups[] groups, float[][] centroids,
      CentroidDrift drift, int iteration, AssignSetup s, FixedPoint energyFp, FixedPoint cosineFp,
      LongAccumulator computed) {
    int n = b.rows();
    long points = (long) n * s.m;
    PruneBounds bounds = b.existingPruneBounds();
    PrunedAssigner pruned = n > 0 && drift != null && bounds != null && bounds.iteration() == drift.fromIteration()
        ? s.prunedAssigner(codebooks) : null;
    int[] idx = new int[n * s.m]; // kept: it becomes the block's mapping
    long distances;
    if (pruned != null) {
      PrunedAssigner.Outcome o = pruned.assign(b.data(), n, idx, scoreScratch(n * s.m), bounds, drift, iteration);
      distances = (o.points() - o.skipped()) * s.k + o.skipped(); // a skipped point computes its own centroid
    } else if (groups != null && s.pruning != Pruning.OFF) {
      distances = grouped(s).assign(b.data(), n, s.m, s.mode, groups, idx, scoreScratch(n * s.m));
    } else {
      s.assigner(codebooks).assign(b.data(), n, idx, scoreScratch(n * s.m));
      distances = points * s.k;
    }
    if (computed != null) {
      computed.add(distances);
    }
    return FinalPass.mapAssigned(b.firstRow(), b.data(), n, b.dim(), s.m, idx, centroids, s.mode, s.k, energyFp,
        cosineFp);
  }
}
