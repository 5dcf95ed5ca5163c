package dev.asg.common.artifact;

/**
 * A token's reconstruction from an artifact: the concatenation of its m concept vectors, {@code mapping[t*m + i]}
 * being the global ConceptID (codebook row) of segment i. The one decoder behind evaluate, fidelity and decode.
 */
public final class Reconstruction {
  private Reconstruction() {}

  /** Writes rows [first, first + n) as n x (m * dsub) floats into {@code out} from {@code outOff}. */
  public static void rows(int first, int n, int m, int dsub, int[] mapping, float[] codebook, float[] out,
      int outOff) {
    int dim = m * dsub;
    for (int r = 0; r < n; r++) {
      int base = (first + r) * m;
      for (int i = 0; i < m; i++) {
        System.arraycopy(codebook, mapping[base + i] * dsub, out, outOff + r * dim + i * dsub, dsub);
      }
    }
  }
}
