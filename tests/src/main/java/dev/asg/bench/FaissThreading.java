package dev.asg.bench;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How faiss may use the cores: its own OpenMP team, the BLAS library's threads, or both at their defaults. Which
 * is fastest depends on the machine, the BLAS build and the shape (measured on 2 cores with OpenBLAS: OpenMP
 * alone fastest, both at once oversubscribed and slowest), so {@link Bench} probes each one.
 */
enum FaissThreading {
  /** One OpenMP thread; BLAS calls use every core. */
  BLAS_THREADS("omp1"),
  /** OpenMP across every core; each BLAS call single-threaded. */
  OPENMP_THREADS("blas1"),
  /** Neither variable set: faiss's and the BLAS library's defaults. */
  DEFAULTS("default");

  private final String id;

  FaissThreading(String id) {
    this.id = id;
  }

  /** The {@code --faiss} name. */
  String id() {
    return id;
  }

  static FaissThreading byName(String name) {
    for (FaissThreading t : values()) {
      if (t.id.equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("--faiss " + name + " is not allowed; --faiss must be one of: best, omp1, "
        + "blas1, default, none");
  }

  /**
   * The child's environment changes: a value sets the variable, null removes it (so a setting in the caller's
   * shell cannot leak into the "defaults" run).
   */
  Map<String, String> environment(int cores) {
    Map<String, String> env = new HashMap<>();
    switch (this) {
      case BLAS_THREADS -> {
        env.put("OMP_NUM_THREADS", "1");
        env.put("OPENBLAS_NUM_THREADS", "" + cores);
      }
      case OPENMP_THREADS -> {
        env.put("OMP_NUM_THREADS", "" + cores);
        env.put("OPENBLAS_NUM_THREADS", "1");
      }
      case DEFAULTS -> {
        env.put("OMP_NUM_THREADS", null);
        env.put("OPENBLAS_NUM_THREADS", null);
      }
    }
    return env;
  }

  /** For the report's engine column. */
  String label(int cores) {
    return switch (this) {
      case BLAS_THREADS -> String.format(Locale.ROOT, "OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=%d", cores);
      case OPENMP_THREADS -> String.format(Locale.ROOT, "OMP_NUM_THREADS=%d OPENBLAS_NUM_THREADS=1", cores);
      case DEFAULTS -> "default threading";
    };
  }
}
