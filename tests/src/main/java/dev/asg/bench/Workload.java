package dev.asg.bench;

import java.nio.file.Path;

/**
 * One benchmark workload: a table and the quantization every engine is asked for.
 *
 * @param mllibSegments codebooks the mllib baseline trains (its time is extrapolated to all of them)
 * @param faissIterations iterations faiss runs (its wall time is extrapolated to {@code iterations} when fewer)
 */
record Workload(String name, Path input, String tensor, long rows, int dim, int m, int k, String codebook,
    int iterations, int mllibSegments, int faissIterations, String note) {

  static final int MAX_POINTS_PER_CENTROID = 256;

  boolean shared() {
    return codebook.equals("shared");
  }

  int codebooks() {
    return shared() ? 1 : m;
  }

  /** Points one codebook trains on: all of them, or faiss's/our k*256 sample. */
  long trainingPoints() {
    long all = shared() ? rows * m : rows;
    return Math.min(all, (long) k * MAX_POINTS_PER_CENTROID);
  }

  /**
   * FLOPs of one Lloyd iteration's distance computations over all codebooks: 2*V*D*k for separate (V points x k
   * centroids x dsub dims x m codebooks), 2*P*dsub*k for shared with P pooled points (2*V*m*k*dsub unsampled).
   */
  double flopsPerIteration() {
    int dsub = dim / m;
    return shared() ? 2.0 * trainingPoints() * dsub * k : 2.0 * trainingPoints() * dsub * k * m;
  }

  long float32Bytes() {
    return rows * dim * 4L;
  }
}
