package dev.asg.bench;

import dev.asg.common.kmeans.AssignKernel;
import dev.asg.common.kmeans.AssignKernels;
import dev.asg.common.kmeans.BlockAssigner;
import dev.asg.common.kmeans.CodebookMode;
import dev.asg.common.kmeans.PreparedCodebook;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The assignment kernel alone, on all cores, in the same JVM and right after the FMA calibration, so "% of peak"
 * compares two numbers from one run. Two layouts:
 * <ul>
 *   <li>contiguous: n sub-vectors of dsub floats back to back against one codebook (the kernel's best case, and
 *       the shape of shared mode);</li>
 *   <li>product quantization: rows of m * dsub floats, each of the m segments against its own codebook through
 *       {@link BlockAssigner}, exactly what a Lloyd task runs (strided rows, m codebooks in turn).</li>
 * </ul>
 * Rows are split evenly over the threads; the best of several repetitions is kept, since noise only adds time.
 *
 * <p>The harness ({@code tests/bench/run.sh}) calls it from {@link Bench}. Alone, it compares every kernel on the
 * contiguous layout, on 1 thread and on all cores: {@code mvn -o -q -DskipTests -pl tests -am package}, then
 * {@code java --add-modules jdk.incubator.vector -cp tests/target/classes:common/target/classes
 * dev.asg.bench.KernelBench [n dsub k [kernel]]} (default 65536 16 512, every kernel). Give one kernel (e.g.
 * vector-256, vector-512) per JVM to compare vector widths: once one width's code is compiled, HotSpot's shared
 * Vector API methods are profiled for its species and a second width in the same JVM runs several times slower.
 */
public final class KernelBench {
  private static final int REPS = 7;

  private KernelBench() {}

  /** Every available kernel (scalar, and vector where the Vector API is present), 1 thread and all cores. */
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 65536;
    int dsub = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    int k = args.length > 2 ? Integer.parseInt(args[2]) : 512;
    int cores = Runtime.getRuntime().availableProcessors();
    System.out.printf("n=%d dsub=%d k=%d, %d CPUs%n", n, dsub, k, cores);
    List<AssignKernel> kernels = new ArrayList<>();
    if (args.length > 3) {
      kernels.add(AssignKernels.byName(args[3]));
    } else {
      kernels.add(AssignKernels.scalar());
      if (AssignKernels.vectorAvailable()) {
        kernels.add(AssignKernels.byName("vector"));
      }
    }
    for (AssignKernel kernel : kernels) {
      for (int threads : cores > 1 ? new int[] {1, cores} : new int[] {1}) {
        System.out.printf("%-16s threads=%d  %.2f GFLOP/s%n", kernel.name(), threads,
            contiguous(kernel, threads, n, dsub, k));
      }
    }
  }

  /** GFLOP/s (2 * n * dsub * k per pass) of the contiguous layout with the best kernel. */
  static double contiguous(int threads, int n, int dsub, int k) throws Exception {
    return contiguous(AssignKernels.best(), threads, n, dsub, k);
  }

  static double contiguous(AssignKernel kernel, int threads, int n, int dsub, int k) throws Exception {
    SplittableRandom rnd = new SplittableRandom(42);
    float[] x = gaussian(rnd, n * dsub);
    PreparedCodebook cb = PreparedCodebook.of(gaussian(rnd, k * dsub), k, dsub);
    int[] idx = new int[n];
    float[] score = new float[n];
    double flops = 2.0 * n * dsub * k;
    return flops / 1e9 / best(threads, n, (t, from, to) ->
        kernel.assign(x, from * dsub, dsub, to - from, cb, idx, from, 1, score, from, 1));
  }

  /** GFLOP/s (2 * rows * m * dsub * k per pass) of the product-quantization layout. */
  static double productQuantization(int threads, int rows, int m, int dsub, int k) throws Exception {
    return productQuantization(AssignKernels.best(), threads, rows, m, dsub, k);
  }

  /** As above with a given kernel (one vector width per JVM: see the class comment). */
  static double productQuantization(AssignKernel kernel, int threads, int rows, int m, int dsub, int k)
      throws Exception {
    SplittableRandom rnd = new SplittableRandom(43);
    int dim = m * dsub;
    float[] x = gaussian(rnd, rows * dim);
    PreparedCodebook[] cbs = randomCodebooks(rnd, m, k, dsub);
    BlockAssigner assigner = new BlockAssigner(kernel, cbs, CodebookMode.SEPARATE, m);
    // Each thread owns a copy of its row range (made before timing): BlockAssigner reads rows from index 0.
    float[][] parts = new float[threads][];
    int[][] idx = new int[threads][];
    float[][] score = new float[threads][];
    for (int t = 0; t < threads; t++) {
      int from = (int) ((long) rows * t / threads);
      int to = (int) ((long) rows * (t + 1) / threads);
      parts[t] = java.util.Arrays.copyOfRange(x, from * dim, to * dim);
      idx[t] = new int[(to - from) * m];
      score[t] = new float[(to - from) * m];
    }
    double flops = 2.0 * rows * dim * k;
    return flops / 1e9 / best(threads, rows, (t, from, to) ->
        assigner.assign(parts[t], to - from, idx[t], score[t]));
  }

  /**
   * GFLOP/s of the runner-up kernel ({@link AssignKernel#assignRows}) on the product-quantization layout, called as
   * the exact pruning calls it when no bound settles anything (Lloyd's first iteration, the bounds' initialisation):
   * per codebook g, the listed points {@code t * m + g} of a block viewed as sub-vectors of stride dsub.
   */
  static double productQuantizationTop2(AssignKernel kernel, int threads, int rows, int m, int dsub, int k)
      throws Exception {
    SplittableRandom rnd = new SplittableRandom(43);
    int dim = m * dsub;
    float[] x = gaussian(rnd, rows * dim);
    PreparedCodebook[] cbs = randomCodebooks(rnd, m, k, dsub);
    float[][] parts = new float[threads][];
    int[][][] lists = new int[threads][m][];
    int[][] idx = new int[threads][];
    float[][] score = new float[threads][];
    float[][] second = new float[threads][];
    for (int t = 0; t < threads; t++) {
      int from = (int) ((long) rows * t / threads);
      int to = (int) ((long) rows * (t + 1) / threads);
      parts[t] = java.util.Arrays.copyOfRange(x, from * dim, to * dim);
      for (int g = 0; g < m; g++) {
        lists[t][g] = new int[to - from];
        for (int r = 0; r < to - from; r++) {
          lists[t][g][r] = r * m + g;
        }
      }
      idx[t] = new int[(to - from) * m];
      score[t] = new float[(to - from) * m];
      second[t] = new float[(to - from) * m];
    }
    double flops = 2.0 * rows * dim * k;
    return flops / 1e9 / best(threads, rows, (t, from, to) -> {
      for (int g = 0; g < m; g++) {
        kernel.assignRows(parts[t], 0, dsub, lists[t][g], to - from, cbs[g], idx[t], score[t], second[t], 0, 1);
      }
    });
  }

  static String kernelName() {
    return AssignKernels.best().name();
  }

  private interface Range {
    void run(int thread, int from, int to);
  }

  /** Best wall seconds of {@link #REPS} passes over n items split over the threads (after one warm-up pass). */
  private static double best(int threads, int n, Range work) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      double best = Double.MAX_VALUE;
      for (int rep = 0; rep <= REPS; rep++) {
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int thread = t;
          int from = (int) ((long) n * t / threads);
          int to = (int) ((long) n * (t + 1) / threads);
          tasks.add(() -> {
            work.run(thread, from, to);
            return null;
          });
        }
        long t0 = System.nanoTime();
        for (Future<Void> f : pool.invokeAll(tasks)) {
          f.get();
        }
        double s = (System.nanoTime() - t0) / 1e9;
        if (rep > 0) { // rep 0 warms up the JIT
          best = Math.min(best, s);
        }
      }
      return best;
    } finally {
      pool.shutdownNow();
    }
  }

  /** m codebooks of k standard-normal centroids of dsub floats, drawn from rnd in order. */
  static PreparedCodebook[] randomCodebooks(SplittableRandom rnd, int m, int k, int dsub) {
    PreparedCodebook[] cbs = new PreparedCodebook[m];
    for (int i = 0; i < m; i++) {
      cbs[i] = PreparedCodebook.of(gaussian(rnd, k * dsub), k, dsub);
    }
    return cbs;
  }

  static float[] gaussian(SplittableRandom rnd, int count) {
    float[] a = new float[count];
    for (int i = 0; i < count; i++) {
      a[i] = (float) rnd.nextGaussian();
    }
    return a;
  }
}
