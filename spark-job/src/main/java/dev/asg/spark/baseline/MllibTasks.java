package dev.asg.spark.baseline;

import dev.asg.common.kmeans.AssignKernels;
import dev.asg.common.kmeans.BlockAssigner;
import dev.asg.common.kmeans.CodebookMode;
import dev.asg.common.kmeans.FixedPoint;
import dev.asg.common.kmeans.PreparedCodebook;
import dev.asg.common.kmeans.ReconstructionStats;
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

  /** A block's final mapping over mOut segments: {@code conceptIds[r*mOut + i]}, global row ids. */
  static final class Mapped implements Serializable {
    private static final long serialVersionUID = 1L;
    final int firstRow;
    final int rows;
    final int mOut;
    final int[] conceptIds;
    final ReconstructionStats stats;

    Mapped(int firstRow, int rows, int mOut, int[] conceptIds, ReconstructionStats stats) {
      this.firstRow = firstRow;
      this.rows = rows;
      this.mOut = mOut;
      this.conceptIds = conceptIds;
      this.stats = stats;
    }

    List<Row> rows() {
      List<Row> out = new ArrayList<>(rows);
      for (int r = 0; r < rows; r++) {
        Integer[] ids = new Integer[mOut];
        for (int i = 0; i < mOut; i++) {
          ids[i] = conceptIds[r * mOut + i];
        }
        out.add(RowFactory.create(firstRow + r, ids));
      }
      return out;
    }
  }

  /**
   * Nearest centroid for every row's first mOut segments with the project's assignment kernel (what Spark ML's
   * predict computes, faster), and the reconstruction statistics over those segments.
   */
  static Mapped map(TableBlock b, float[][] centroids, MapSetup s) {
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
    int[] idx = new int[n * s.mOut];
    float[] score = new float[n * s.mOut];
    if (n > 0) {
      new BlockAssigner(AssignKernels.byName("auto"), prepared, s.mode, s.mOut).assign(data, n, idx, score);
    }
    ReconstructionStats rs = new ReconstructionStats(s.mOut);
    rs.add(data, n, dimOut, idx, centroids, s.mode, s.energyFp, s.cosineFp);
    s.mode.toConceptIds(idx, n, s.mOut, s.k);
    return new Mapped(b.firstRow(), n, s.mOut, idx, rs);
  }
}
