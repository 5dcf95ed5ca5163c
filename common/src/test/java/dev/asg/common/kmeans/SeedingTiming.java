package dev.asg.common.kmeans;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Random;

/**
 * Not a test: a scratch timing of {@link KMeansPlusPlus#init} on planted data (k clusters plus Gaussian noise, the
 * shape {@code asg synth} makes), against the frozen {@link KMeansPlusPlusReference} where that is affordable.
 * Usage: {@code java -cp common/target/classes:common/target/test-classes dev.asg.common.kmeans.SeedingTiming
 * --add-modules jdk.incubator.vector ... n dsub k [codebooks] [reference:true|false] [scalar]}: wall and CPU seconds
 * per codebook, and whether the centroids agree. {@code ... SeedingTiming grouped n dsub k}: one shared-codebook
 * seeding by {@link GroupedSeeding} on n points around 1024 planted centres, wall and process CPU seconds.
 */
public final class SeedingTiming {
  private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  private SeedingTiming() {}

  public static void main(String[] args) {
    if (args[0].equals("grouped")) {
      grouped(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
      return;
    }
    int n = Integer.parseInt(args[0]);
    int dsub = Integer.parseInt(args[1]);
    int k = Integer.parseInt(args[2]);
    int codebooks = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    boolean reference = args.length > 4 && Boolean.parseBoolean(args[4]);
    SeedDistances kernel = args.length > 5 && args[5].equals("scalar") ? SeedDistances.SCALAR : SeedDistances.best();
    System.out.println("kernel " + kernel.getClass().getSimpleName());
    for (int c = 0; c < codebooks; c++) {
      float[] p = planted(n, dsub, k, 0.05f, c);
      long t0 = System.nanoTime();
      long cpu0 = CPU.getCurrentThreadCpuTime();
      float[] got = KMeansPlusPlus.init(p, n, dsub, k, 17 + c, kernel, KMeansPlusPlus.CHUNK_BLOCKS);
      double fast = (System.nanoTime() - t0) / 1e9;
      double fastCpu = (CPU.getCurrentThreadCpuTime() - cpu0) / 1e9;
      String ref = "";
      if (reference) {
        t0 = System.nanoTime();
        cpu0 = CPU.getCurrentThreadCpuTime();
        float[] want = KMeansPlusPlusReference.init(p, n, dsub, k, 17 + c);
        ref = String.format(" | reference %.3f s wall %.3f s cpu, identical=%b", (System.nanoTime() - t0) / 1e9,
            (CPU.getCurrentThreadCpuTime() - cpu0) / 1e9, Arrays.equals(want, got));
      }
      System.out.printf("codebook %d: n=%d dsub=%d k=%d init %.3f s wall %.3f s cpu%s%n", c, n, dsub, k, fast, fastCpu, ref);
    }
  }

  private static void grouped(int n, int dsub, int k) {
    float[] p = planted(n, dsub, 1024, 0.05f, 1);
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long t0 = System.nanoTime();
    long cpu0 = os.getProcessCpuTime();
    float[] c = GroupedSeeding.init(p, n, dsub, k, 5);
    System.out.printf("grouped n=%d dsub=%d k=%d (%d groups): %.2f s wall, %.2f s process cpu, hash %x%n", n, dsub,
        k, GroupedSeeding.groups(k), (System.nanoTime() - t0) / 1e9, (os.getProcessCpuTime() - cpu0) / 1e9,
        Arrays.hashCode(c));
  }

  /** n points around k planted centres in [-1, 1]^dsub with Gaussian noise of the given scale. */
  static float[] planted(int n, int dsub, int k, float noise, long seed) {
    Random r = new Random(seed);
    float[] centres = new float[k * dsub];
    for (int i = 0; i < centres.length; i++) {
      centres[i] = r.nextFloat() * 2 - 1;
    }
    float[] p = new float[n * dsub];
    for (int i = 0; i < n; i++) {
      int c = r.nextInt(k);
      for (int d = 0; d < dsub; d++) {
        p[i * dsub + d] = centres[c * dsub + d] + noise * (float) r.nextGaussian();
      }
    }
    return p;
  }
}
