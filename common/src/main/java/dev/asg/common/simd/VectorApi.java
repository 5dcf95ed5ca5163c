package dev.asg.common.simd;

import java.util.function.Supplier;

/**
 * The one probe of the Java Vector API that every SIMD kernel goes through (as Lucene's VectorizationProvider
 * isolates its Panama code behind one lookup). The incubating module {@code jdk.incubator.vector} resolves only in
 * a JVM started with {@code --add-modules jdk.incubator.vector}; Spark executors launched without it must still
 * work, so a kernel keeps its Vector API class behind a lazy holder and reads the holder only through {@link #load}.
 */
public final class VectorApi {
  /** The module a JVM needs for the SIMD kernels. */
  public static final String MODULE = "jdk.incubator.vector";

  private VectorApi() {}

  /**
   * Reads a kernel's lazy holder only after the module check, so its Vector API classes are never loaded without
   * the module.
   *
   * @param holder reads the holder's field; runs the holder's initializer on first use
   * @return the holder's value, or {@code fallback} when the module is missing, the value is null, or the classes
   *     fail to link or initialize (an unusual lane count the kernel rejects, a JVM without the intrinsics): the
   *     job then runs the scalar code rather than fail
   */
  public static <T> T load(Supplier<T> holder, T fallback) {
    if (ModuleLayer.boot().findModule(MODULE).isEmpty()) {
      return fallback;
    }
    try {
      T value = holder.get();
      return value != null ? value : fallback;
    } catch (LinkageError e) {
      return fallback;
    }
  }
}
