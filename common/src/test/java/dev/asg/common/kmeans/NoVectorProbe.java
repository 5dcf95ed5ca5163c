package dev.asg.common.kmeans;

/**
 * Main class run in a child JVM by {@link AssignKernelsTest} without the Vector API module: prints what
 * {@link AssignKernels} chose and whether the chosen kernel works.
 */
public final class NoVectorProbe {

  private NoVectorProbe() {}

  public static void main(String[] args) {
    boolean module = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    AssignKernel best = AssignKernels.best();
    String vector;
    try {
      AssignKernels.byName("vector");
      vector = "accepted";
    } catch (IllegalArgumentException e) {
      vector = "rejected";
    }
    // Nearest of centroids 0 and 10 to x = 9 is centroid index 1.
    PreparedCodebook cb = PreparedCodebook.of(new float[] {0f, 10f}, 2, 1);
    int[] idx = new int[1];
    best.assign(new float[] {9f}, 0, 1, 1, cb, idx, 0, 1, new float[1], 0, 1);
    System.out.println("module=" + module + " best=" + best.name() + " available=" + AssignKernels.vectorAvailable()
        + " vector=" + vector + " assign=" + idx[0]);
  }
}
