package dev.asg.bench;

import dev.asg.common.kmeans.AssignKernel;
import dev.asg.common.kmeans.AssignKernels;
import dev.asg.common.kmeans.BlockAssigner;
import dev.asg.common.kmeans.CodebookMode;
import dev.asg.common.kmeans.PreparedCodebook;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.SplittableRandom;

/**
 * One core's FMA peak and assignment kernel per second of the thread's own CPU time, for tuning on a shared
 * machine: other processes stretch wall time but not the CPU time this thread gets (they still share caches, so
 * the numbers stay somewhat noisy). Product-quantization layout of a Lloyd task (2000 rows of 768 floats, m=48
 * codebooks of k=512, dsub=16), both entries: {@link AssignKernel#assign} through {@link BlockAssigner}, and {@link
 * AssignKernel#assignRows} with the runner-up as the exact pruning calls it on every point (Lloyd's first
 * iteration). Best of the repetitions after two warm-up passes. One width per JVM (see {@link KernelBench}):
 * {@code java --add-modules jdk.incubator.vector -Dasg.bench.vector-bits=512 -cp
 * tests/target/classes:common/target/classes:<jackson jars> dev.asg.bench.KernelCpuBench vector-512 [reps]}.
 */
public final class KernelCpuBench {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private KernelCpuBench() {}

  public static void main(String[] args) {
    AssignKernel kernel = AssignKernels.byName(args[0]);
    int reps = args.length > 1 ? Integer.parseInt(args[1]) : 15;
    double peak = best(() -> FmaPeak.loop(1 << 22), 2.0 * FmaPeak.CHAINS * FmaPeak.lanes() * (1 << 22), reps);
    int rows = 2000;
    int m = 48;
    int dsub = 16;
    int k = 512;
    int dim = m * dsub;
    SplittableRandom rnd = new SplittableRandom(43);
    float[] x = KernelBench.gaussian(rnd, rows * dim);
    PreparedCodebook[] cbs = KernelBench.randomCodebooks(rnd, m, k, dsub);
    BlockAssigner assigner = new BlockAssigner(kernel, cbs, CodebookMode.SEPARATE, m);
    int[] idx = new int[rows * m];
    float[] score = new float[rows * m];
    float[] second = new float[rows * m];
    int[][] lists = new int[m][rows];
    for (int g = 0; g < m; g++) {
      for (int r = 0; r < rows; r++) {
        lists[g][r] = r * m + g;
      }
    }
    double flops = 2.0 * rows * dim * k;
    double pq = best(() -> assigner.assign(x, rows, idx, score), flops, reps);
    double top2 = best(() -> {
      for (int g = 0; g < m; g++) {
        kernel.assignRows(x, 0, dsub, lists[g], rows, cbs[g], idx, score, second, 0, 1);
      }
    }, flops, reps);
    System.out.printf("%s, 1 thread, GFLOP/s per CPU second: FMA peak %.1f, PQ layout %.1f (%.0f%%), runner-up "
        + "kernel %.1f (%.0f%%)%n", kernel.name(), peak, pq, 100 * pq / peak, top2, 100 * top2 / peak);
  }

  private static double best(Runnable work, double flops, int reps) {
    work.run();
    work.run();
    double best = Double.MAX_VALUE;
    for (int i = 0; i < reps; i++) {
      long t0 = THREADS.getCurrentThreadCpuTime();
      work.run();
      best = Math.min(best, (THREADS.getCurrentThreadCpuTime() - t0) / 1e9);
    }
    return flops / best / 1e9;
  }
}
