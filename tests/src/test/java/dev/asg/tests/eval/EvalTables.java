package dev.asg.tests.eval;

import dev.asg.common.synth.PlantedTable;
import dev.asg.common.tensor.DType;
import dev.asg.common.tensor.SafetensorsWriter;
import dev.asg.common.tensor.TensorDecl;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Tables for the evaluation tests. */
final class EvalTables {
  private EvalTables() {}

  /**
   * rows x dim rows built from k random centroids per segment, with NO two rows equal: row t uses, in segment i,
   * the i-th base-k digit of (t * 2654435761 mod k^m), a bijection of [0, k^m), so distinct t give distinct
   * digit tuples. Without noise, k-means with k centroids reproduces every row, and as no two rows are equal the
   * kNN has no ties that the reconstruction could break differently.
   */
  static float[] distinctRows(int rows, int dim, int m, int k, long seed) {
    long combos = 1;
    for (int i = 0; i < m; i++) {
      combos *= k;
    }
    if (rows > combos) {
      throw new IllegalArgumentException(rows + " rows need more than k^m = " + combos + " combinations");
    }
    int dsub = dim / m;
    SplittableRandom r = new SplittableRandom(seed);
    float[][] cents = new float[m][k * dsub];
    for (float[] c : cents) {
      for (int j = 0; j < c.length; j++) {
        c[j] = (float) r.nextGaussian();
      }
    }
    float[] out = new float[rows * dim];
    for (int t = 0; t < rows; t++) {
      // An odd multiplier is a bijection mod 2^n; for other k^m use a multiplier coprime with it.
      long code = Math.floorMod((long) t * 2654435761L, combos);
      if (gcd(2654435761L, combos) != 1) {
        code = t;
      }
      for (int i = 0; i < m; i++) {
        int digit = (int) (code % k);
        code /= k;
        System.arraycopy(cents[i], digit * dsub, out, t * dim + i * dsub, dsub);
      }
    }
    return out;
  }

  private static long gcd(long a, long b) {
    return b == 0 ? a : gcd(b, a % b);
  }

  static Path write(Path file, float[] data, int rows, int dim) throws IOException {
    try (SafetensorsWriter w = SafetensorsWriter.create(file,
        List.of(new TensorDecl(PlantedTable.DEFAULT_TENSOR, DType.F32, rows, dim)), Map.of())) {
      w.writeRows(data, 0, rows);
    }
    return file;
  }
}
