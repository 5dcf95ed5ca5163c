package dev.asg.spark.engine;

import dev.asg.common.kmeans.AssignKernel;
import dev.asg.common.kmeans.AssignKernels;
import dev.asg.common.kmeans.BlockAssigner;
import dev.asg.common.kmeans.CodebookMode;
import dev.asg.common.kmeans.FixedPoint;
import dev.asg.common.kmeans.LloydStats;
import dev.asg.common.kmeans.PreparedCodebook;
import dev.asg.spark.source.TableBlock;
import java.io.Serializable;
import java.util.Collections;
import java.util.Iterator;

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

  /** Settings every assignment task needs. */
  static final class AssignSetup implements Serializable {
    private static final long serialVersionUID = 1L;
    final CodebookMode mode;
    final int m;
    final int k;
    final String kernel;
    final FixedPoint valueFp;
    final FixedPoint objectiveFp;

    AssignSetup(CodebookMode mode, int m, int k, String kernel, FixedPoint valueFp, FixedPoint objectiveFp) {
      this.mode = mode;
      this.m = m;
      this.k = k;
      this.kernel = kernel;
      this.valueFp = valueFp;
      this.objectiveFp = objectiveFp;
    }

    BlockAssigner assigner(PreparedCodebook[] codebooks) {
      AssignKernel kern = AssignKernels.byName(kernel);
      return new BlockAssigner(kern, codebooks, mode, m);
    }
  }

  /**
   * One Lloyd iteration's partial statistics over all blocks of one task, accumulated into ONE LloydStats (m * k *
   * dsub longs: allocating one per block would be most of an iteration's garbage); none if the task has no blocks.
   */
  static Iterator<LloydStats> lloyd(Iterator<TableBlock> blocks, PreparedCodebook[] codebooks, AssignSetup s) {
    if (!blocks.hasNext()) {
      return Collections.emptyIterator();
    }
    LloydStats acc = new LloydStats(s.mode.codebooks(s.m), s.k, codebooks[0].dsub());
    while (blocks.hasNext()) {
      lloydInto(blocks.next(), codebooks, s, acc);
    }
    return Collections.singletonList(acc).iterator();
  }

  private static void lloydInto(TableBlock b, PreparedCodebook[] codebooks, AssignSetup s, LloydStats stats) {
    long t0 = System.nanoTime();
    if (b.rows() > 0) {
      BlockAssigner a = s.assigner(codebooks);
      int[] idx = idxScratch(b.rows() * s.m);
      float[] score = scoreScratch(b.rows() * s.m);
      a.assign(b.data(), b.rows(), idx, score);
      a.accumulate(b.data(), b.rows(), idx, score, b.previousAssignments(s.m), stats, s.valueFp, s.objectiveFp);
    }
    stats.addComputeNanos(System.nanoTime() - t0);
  }

  /** The objective's constant part over one block: see {@link BlockAssigner#squaredNormSum}. */
  static long squaredNormSum(TableBlock b, AssignSetup s) {
    return BlockAssigner.squaredNormSum(b.data(), b.rows(), s.m, b.dim() / s.m, s.objectiveFp);
  }

  /** The final assignment of a block: see {@link FinalPass#map}. */
  static MappedBlock map(TableBlock b, PreparedCodebook[] codebooks, float[][] centroids, AssignSetup s,
      FixedPoint energyFp, FixedPoint cosineFp) {
    return FinalPass.map(b.firstRow(), b.data(), b.rows(), b.dim(), s.assigner(codebooks), centroids, s.mode, s.k,
        energyFp, cosineFp, scoreScratch(b.rows() * s.m));
  }
}
