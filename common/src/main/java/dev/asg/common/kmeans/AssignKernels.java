package dev.asg.common.kmeans;

import dev.asg.common.simd.VectorApi;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Picks an {@link AssignKernel}. The vector kernel needs the incubating module {@code jdk.incubator.vector} (see
 * {@link VectorApi}), so this class never names {@link VectorAssignKernel} in a signature, field or constant: the
 * class is only loaded (by {@link VectorHolder}) after the module check passed.
 */
public final class AssignKernels {
  /** Warm-ups started in this JVM, by kernel (see {@link #warmUpOnce}). */
  private static final ConcurrentHashMap<AssignKernel, CompletableFuture<Void>> WARM = new ConcurrentHashMap<>();

  private AssignKernels() {}

  /** The fastest kernel this JVM can run: the vector kernel when its module is loadable, else the scalar one. */
  public static AssignKernel best() {
    AssignKernel v = vectorOrNull();
    return v != null ? v : scalar();
  }

  /** The plain-Java reference kernel; always available. */
  public static AssignKernel scalar() {
    return ScalarAssignKernel.INSTANCE;
  }

  /** Whether {@link #byName byName("vector")} would succeed in this JVM. */
  public static boolean vectorAvailable() {
    return vectorOrNull() != null;
  }

  /**
   * Resolves a kernel flag value.
   *
   * @param name "auto" ({@link #best()}), "vector" (the widest vectors the CPU runs natively: 512 bits where it
   *     has them, else 256), "vector-256" or "vector-512" (that width forced: for tests and the bench), or
   *     "scalar", case-insensitive. Every one gives the same bits.
   * @throws IllegalArgumentException for another name, or for a vector kernel this JVM or CPU cannot run
   */
  public static AssignKernel byName(String name) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    switch (n) {
      case "auto":
        return best();
      case "scalar":
        return scalar();
      case "vector":
        return require(n, vectorOrNull());
      case "vector-256":
        return require(n, VectorApi.load(() -> VectorHolder.KERNEL_256, null));
      case "vector-512":
        return require(n, VectorApi.load(() -> VectorHolder.KERNEL_512, null));
      default:
        throw new IllegalArgumentException("kernel '" + name + "' is unknown; allowed: auto, vector, vector-256,"
            + " vector-512, scalar");
    }
  }

  /**
   * Runs {@code kernel} on a small synthetic block, both entries ({@link AssignKernel#assign} and {@link
   * AssignKernel#assignRows}), until the JIT has compiled its hot loop: a fresh JVM runs the first few million
   * distances of the vector kernels in the interpreter and C1, 20-30x slower (the first 4000-row block of a
   * Lloyd task took ~1 s instead of 0.04 s). Call it early in the background, e.g. while the table is read, so the
   * first Lloyd iteration does not pay for it. About 0.1 GFLOP; the result is discarded.
   *
   * @param k codebook size to warm up with (capped at 1024; the compiled code serves every k)
   * @param dsub sub-vector length to warm up with (capped at 64)
   */
  public static void warmUp(AssignKernel kernel, int k, int dsub) {
    int kk = Math.max(1, Math.min(k, 1024));
    int d = Math.max(1, Math.min(dsub, 64));
    int n = 64;
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(1);
    float[] c = new float[kk * d];
    for (int i = 0; i < c.length; i++) {
      c[i] = (float) rnd.nextGaussian();
    }
    float[] x = new float[n * d];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    PreparedCodebook cb = PreparedCodebook.of(c, kk, d);
    int[] rows = new int[n];
    for (int i = 0; i < n; i++) {
      rows[i] = i;
    }
    int[] idx = new int[n];
    float[] score = new float[n];
    float[] second = new float[n];
    // C2 compiles a method after ~10^4 invocations plus loop iterations: ~40 MFLOP is enough calls for the
    // per-block methods at k=512, dsub=16; a tiny codebook needs more calls, but each costs little.
    long calls = Math.max(50, Math.min(2000, 40_000_000L / ((long) n * kk * d)));
    for (long call = 0; call < calls; call++) {
      kernel.assign(x, 0, d, n, cb, idx, 0, 1, score, 0, 1);
      kernel.assignRows(x, 0, d, rows, n, cb, idx, score, second, 0, 1);
    }
  }

  /**
   * {@link #warmUp} once per kernel in this JVM: the first caller runs it, callers meanwhile wait for it, later
   * ones return at once. Tasks call it, so a cluster's executors warm up too (a cold first block of a large
   * task runs interpreted, up to 100x slower, before C2 compiles the per-block methods).
   */
  public static void warmUpOnce(AssignKernel kernel, int k, int dsub) {
    CompletableFuture<Void> mine = new CompletableFuture<>();
    CompletableFuture<Void> running = WARM.putIfAbsent(kernel, mine);
    if (running != null) {
      running.join();
      return;
    }
    try {
      warmUp(kernel, k, dsub);
    } finally {
      mine.complete(null);
    }
  }

  /**
   * {@link #warmUpOnce} in a daemon thread, then {@code then} (null for nothing) in the same thread: a further
   * warm-up that must not run before this one (see QuantizeEngine), started here and returned (join it only if you
   * must).
   */
  public static Thread warmUpInBackground(AssignKernel kernel, int k, int dsub, Runnable then) {
    Thread t = new Thread(() -> {
      warmUpOnce(kernel, k, dsub);
      if (then != null) {
        then.run();
      }
    }, "asg-warm-up");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static AssignKernel require(String name, AssignKernel k) {
    if (k == null) {
      throw new IllegalArgumentException("kernel '" + name + "' is not available in this JVM: start it with"
          + " --add-modules " + VectorApi.MODULE + " (on a CPU with that vector width and fma), or use 'auto' or"
          + " 'scalar'");
    }
    return k;
  }

  private static AssignKernel vectorOrNull() {
    return VectorApi.load(() -> VectorHolder.KERNEL, null);
  }

  /**
   * Lazy holder: its initializer, and with it the loading of {@link VectorAssignKernel} and the Vector API
   * classes, runs on first access, which {@link #vectorOrNull()} guards with the module check.
   */
  private static final class VectorHolder {
    static final AssignKernel KERNEL_256 = VectorAssignKernel.supported() ? VectorAssignKernel.INSTANCE : null;
    static final AssignKernel KERNEL_512 =
        Vector512AssignKernel.supported() ? Vector512AssignKernel.INSTANCE : null;
    /** The preferred width, 256 bits as the fallback. */
    static final AssignKernel KERNEL = KERNEL_512 != null ? KERNEL_512 : KERNEL_256;
  }
}
