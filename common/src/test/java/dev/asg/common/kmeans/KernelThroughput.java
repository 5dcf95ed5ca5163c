package dev.asg.common.kmeans;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Throughput micro-benchmark of the assignment kernels (a main, not a test: it takes tens of seconds).
 *
 * <p>Run: {@code mvn -o -q -pl common test-compile} then
 * {@code java --add-modules jdk.incubator.vector -cp common/target/classes:common/target/test-classes
 * dev.asg.common.kmeans.KernelThroughput [n dsub k]}. Reports GFLOP/s with flops = 2 * n * dsub * k (one multiply
 * and one add per dimension and centroid), single-threaded and with the rows split over 2 threads.
 */
public final class KernelThroughput {

  /** Repetitions per measurement; the best is reported, since noise only ever adds time. */
  private static final int REPS = 15;
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private KernelThroughput() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 65536;
    int dsub = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    int k = args.length > 2 ? Integer.parseInt(args[2]) : 512;
    SplittableRandom rnd = new SplittableRandom(42);
    float[] x = new float[n * dsub];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    float[] c = new float[k * dsub];
    for (int i = 0; i < c.length; i++) {
      c[i] = (float) rnd.nextGaussian();
    }
    PreparedCodebook cb = PreparedCodebook.of(c, k, dsub);
    double flops = 2.0 * n * dsub * k;
    System.out.printf("n=%d dsub=%d k=%d (kPad=%d), %d CPUs%n", n, dsub, k, cb.kPad(),
        Runtime.getRuntime().availableProcessors());
    List<AssignKernel> kernels = new ArrayList<>();
    kernels.add(AssignKernels.scalar());
    if (AssignKernels.vectorAvailable()) {
      kernels.add(AssignKernels.byName("vector"));
    }
    int[] idx = new int[n];
    float[] score = new float[n];
    for (AssignKernel kernel : kernels) {
      for (int threads : new int[] {1, 2}) {
        double best = Double.MAX_VALUE;
        double bestCpu = Double.MAX_VALUE;
        for (int rep = 0; rep < REPS; rep++) {
          long c0 = THREADS.getCurrentThreadCpuTime();
          long t0 = System.nanoTime();
          run(kernel, threads, x, n, dsub, cb, idx, score);
          best = Math.min(best, (System.nanoTime() - t0) / 1e9);
          bestCpu = Math.min(bestCpu, (THREADS.getCurrentThreadCpuTime() - c0) / 1e9);
        }
        // The machine may be shared: wall time then includes waiting for a core. For one thread the calling
        // thread's CPU time is also shown, which excludes that wait.
        String cpu = threads == 1 ? String.format("  (%.2f GFLOP/s per CPU-second)", flops / bestCpu / 1e9) : "";
        System.out.printf("%-16s threads=%d  best %.4f s  %.2f GFLOP/s%s%n", kernel.name(), threads, best,
            flops / best / 1e9, cpu);
      }
    }
  }

  private static void run(AssignKernel kernel, int threads, float[] x, int n, int dsub, PreparedCodebook cb,
      int[] idx, float[] score) throws Exception {
    if (threads == 1) {
      kernel.assign(x, 0, dsub, n, cb, idx, 0, 1, score, 0, 1);
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> parts = new ArrayList<>();
      int per = (n + threads - 1) / threads;
      for (int t = 0; t < threads; t++) {
        int from = t * per;
        int count = Math.min(n, from + per) - from;
        parts.add(pool.submit(() -> kernel.assign(x, from * dsub, dsub, count, cb, idx, from, 1, score, from, 1)));
      }
      for (Future<?> f : parts) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }
}
