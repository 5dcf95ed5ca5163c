package dev.asg.spark.baseline;

import dev.asg.common.kmeans.AssignKernels;
import dev.asg.common.kmeans.BlockAssigner;
import dev.asg.common.kmeans.CodebookMode;
import dev.asg.common.kmeans.FixedPoint;
import dev.asg.common.kmeans.PreparedCodebook;
import dev.asg.spark.engine.FinalPass;
import dev.asg.spark.engine.MappedBlock;
import dev.asg.spark.source.TableBlock;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/** Executor-side work of the mllib baseline, as static functions so closures capture only small values. */
final class MllibTasks {
  private MllibTasks() {}

  /** One DataFrame row (a dense ml Vector) per row and listed segment: what a Spark user would feed KMeans. */
  static List<Row> subVectors(TableBlock b, int[] segments, int dsub) {
    List<Row> out = new ArrayList<>(b.rows() * segments.length);
    float[] data = b.data();
    for (int r = 0; r < b.rows(); r++) {
      for (int s : segments) {
        double[] v = new double[dsub];
        int off = r * b.dim() + s * dsub;
        for (int d = 0; d < dsub; d++) {
          v[d] = data[off + d];
        }
        out.add(RowFactory.create(Vectors.dense(v)));
      }
    }
    return out;
  }

  static final class MapSetup implements Serializable {
    private static final long serialVersionUID = 1L;
    final CodebookMode mode;
    final int m;
    /** Segments in the output: all m, or the first N trained separate codebooks. */
    final int mOut;
    final int k;
    final int dsub;
    final FixedPoint energyFp;
    final FixedPoint cosineFp;

    MapSetup(CodebookMode mode, int m, int mOut, int k, int dsub, FixedPoint energyFp, FixedPoint cosineFp) {
      this.mode = mode;
      this.m = m;
      this.mOut = mOut;
      this.k = k;
      this.dsub = dsub;
      this.energyFp = energyFp;
      this.cosineFp = cosineFp;
    }
  }

  /**
   * Nearest centroid for every row's first mOut segments with the project's assignment kernel (what Spark ML's
   * predict computes, faster), and the reconstruction statistics over those segments.
   */
  static MappedBlock map(TableBlock b, float[][] centroids, MapSetup s) {
    int n = b.rows();
    int dimOut = s.mOut * s.dsub;
    float[] data = b.data();
    if (dimOut != b.dim()) {
      // Only the trained prefix of each row takes part.
      data = new float[n * dimOut];
      for (int r = 0; r < n; r++) {
        System.arraycopy(b.data(), r * b.dim(), data, r * dimOut, dimOut);
      }
    }
    PreparedCodebook[] prepared = new PreparedCodebook[centroids.length];
    for (int c = 0; c < centroids.length; c++) {
      prepared[c] = PreparedCodebook.of(centroids[c], s.k, s.dsub);
    }
    return FinalPass.map(b.firstRow(), data, n, dimOut,
        new BlockAssigner(AssignKernels.byName("auto"), prepared, s.mode, s.mOut), centroids, s.mode, s.k,
        s.energyFp, s.cosineFp, new float[n * s.mOut]);
  }
}
