package dev.asg.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * This machine's float32 FMA peak through the Java Vector API: every core runs a tight loop of FMAs on
 * {@value #CHAINS} independent accumulators, so the 4-5 cycle FMA latency is hidden behind throughput (one chain
 * would measure latency, not peak). The result is the ceiling "% of peak" in the report is measured against.
 */
final class FmaPeak {
  /** Independent dependency chains: latency 4 x 2 FMA ports = 8 in flight; 12 leaves headroom, fits 16 registers. */
  static final int CHAINS = 12;
  /**
   * The width calibrated: {@code -Dasg.bench.vector-bits=256|512} (one width per JVM, see {@link WidthProbe}), else
   * the preferred species. A static final, so the JIT sees a constant species and intrinsifies the loop.
   */
  private static final VectorSpecies<Float> S = species(Integer.getInteger(WidthProbe.BITS_PROPERTY, 0));

  private FmaPeak() {}

  /** Best of {@code rounds} all-core runs of about {@code seconds} each, in GFLOP/s. */
  static double measure(int threads, double seconds, int rounds) throws Exception {
    long iters = calibrateIterations(seconds);
    double best = 0;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int r = 0; r < rounds; r++) {
        List<Callable<Float>> work = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          work.add(() -> loop(iters));
        }
        long t0 = System.nanoTime();
        float sink = 0;
        for (Future<Float> f : pool.invokeAll(work)) {
          sink += f.get();
        }
        double s = (System.nanoTime() - t0) / 1e9;
        if (Float.isNaN(sink)) {
          throw new IllegalStateException("FMA loop produced NaN");
        }
        best = Math.max(best, flops(iters) * threads / s / 1e9);
      }
    } finally {
      pool.shutdownNow();
    }
    return best;
  }

  static int lanes() {
    return S.length();
  }

  private static VectorSpecies<Float> species(int bits) {
    return bits == 0 ? FloatVector.SPECIES_PREFERRED : VectorSpecies.of(float.class, jdk.incubator.vector.VectorShape
        .forBitSize(bits));
  }

  private static double flops(long iters) {
    return 2.0 * CHAINS * S.length() * iters;
  }

  private static long calibrateIterations(double seconds) {
    long n = 1 << 20;
    loop(n); // JIT warm-up
    long t0 = System.nanoTime();
    loop(n);
    double s = Math.max(1e-4, (System.nanoTime() - t0) / 1e9);
    return Math.max(n, (long) (n * seconds / s));
  }

  /** x * a + acc, repeated; a < 1 keeps the accumulators bounded. Returns a sum so the JIT cannot drop the loop. */
  static float loop(long iters) {
    FloatVector a = FloatVector.broadcast(S, 0.999999f);
    FloatVector b = FloatVector.broadcast(S, 1e-6f);
    FloatVector c0 = FloatVector.broadcast(S, 1f);
    FloatVector c1 = c0.add(1f);
    FloatVector c2 = c0.add(2f);
    FloatVector c3 = c0.add(3f);
    FloatVector c4 = c0.add(4f);
    FloatVector c5 = c0.add(5f);
    FloatVector c6 = c0.add(6f);
    FloatVector c7 = c0.add(7f);
    FloatVector c8 = c0.add(8f);
    FloatVector c9 = c0.add(9f);
    FloatVector c10 = c0.add(10f);
    FloatVector c11 = c0.add(11f);
    for (long i = 0; i < iters; i++) {
      c0 = c0.fma(a, b);
      c1 = c1.fma(a, b);
      c2 = c2.fma(a, b);
      c3 = c3.fma(a, b);
      c4 = c4.fma(a, b);
      c5 = c5.fma(a, b);
      c6 = c6.fma(a, b);
      c7 = c7.fma(a, b);
      c8 = c8.fma(a, b);
      c9 = c9.fma(a, b);
      c10 = c10.fma(a, b);
      c11 = c11.fma(a, b);
    }
    FloatVector s = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11);
    return s.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
  }
}
