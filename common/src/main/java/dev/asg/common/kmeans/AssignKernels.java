package dev.asg.common.kmeans;

import dev.asg.common.simd.VectorApi;
import java.util.Locale;

/**
 * Picks an {@link AssignKernel}. The vector kernel needs the incubating module {@code jdk.incubator.vector} (see
 * {@link VectorApi}), so this class never names {@link VectorAssignKernel} in a signature, field or constant: the
 * class is only loaded (by {@link VectorHolder}) after the module check passed.
 */
public final class AssignKernels {

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
