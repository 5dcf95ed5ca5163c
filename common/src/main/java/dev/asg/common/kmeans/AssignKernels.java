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
   * @param name "auto" ({@link #best()}), "vector" or "scalar", case-insensitive
   * @throws IllegalArgumentException for another name, or for "vector" when the Vector API is not available
   */
  public static AssignKernel byName(String name) {
    String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    switch (n) {
      case "auto":
        return best();
      case "scalar":
        return scalar();
      case "vector": {
        AssignKernel v = vectorOrNull();
        if (v == null) {
          throw new IllegalArgumentException("kernel 'vector' is not available in this JVM: start it with"
              + " --add-modules " + VectorApi.MODULE + " (on a CPU with SIMD), or use 'auto' or 'scalar'");
        }
        return v;
      }
      default:
        throw new IllegalArgumentException("kernel '" + name + "' is unknown; allowed: auto, vector, scalar");
    }
  }

  private static AssignKernel vectorOrNull() {
    return VectorApi.load(() -> VectorHolder.KERNEL, null);
  }

  /**
   * Lazy holder: its initializer, and with it the loading of {@link VectorAssignKernel} and the Vector API
   * classes, runs on first access, which {@link #vectorOrNull()} guards with the module check.
   */
  private static final class VectorHolder {
    static final AssignKernel KERNEL = VectorAssignKernel.supported() ? VectorAssignKernel.INSTANCE : null;
  }
}
