package dev.asg.spark.ml;

import dev.asg.common.artifact.Reconstruction;
import dev.asg.common.kmeans.AssignKernels;
import dev.asg.common.kmeans.BlockAssigner;
import dev.asg.common.kmeans.CodebookMode;
import dev.asg.common.kmeans.PreparedCodebook;
import dev.asg.spark.engine.FinalPass;
import dev.asg.spark.engine.RunOptions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The model's transform on one partition: rows are gathered into blocks of {@value #BATCH}, whose vectors become
 * one row-major float[] for the assignment kernel (as training's blocks are), and each row is emitted with its
 * ConceptIDs (and reconstruction) appended.
 */
final class EncodeRows implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;
  /** Rows per kernel call: large enough to amortise the call, small enough to keep a task's memory flat. */
  static final int BATCH = 1024;

  private final VectorColumn.Reader reader;
  private final Broadcast<PreparedCodebook[]> prepared;
  private final Broadcast<float[]> codebook;
  private final CodebookMode mode;
  private final int m;
  private final int k;

  /** {@code codebook} (flat, by ConceptID) only when a reconstruction column is wanted, else null. */
  EncodeRows(VectorColumn.Reader reader, Broadcast<PreparedCodebook[]> prepared, Broadcast<float[]> codebook,
      CodebookMode mode, int m, int k) {
    this.reader = reader;
    this.prepared = prepared;
    this.codebook = codebook;
    this.mode = mode;
    this.m = m;
    this.k = k;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> input) {
    // The CLI's default kernel; every kernel gives bit-identical assignments.
    BlockAssigner assigner = new BlockAssigner(AssignKernels.byName(RunOptions.KERNEL_DEFAULT.flagValue()),
        prepared.value(), mode, m);
    int dim = m * assigner.dsub();
    float[] block = new float[BATCH * dim];
    return new Iterator<>() {
      private Iterator<Row> out = Collections.emptyIterator();
      private long position;

      @Override
      public boolean hasNext() {
        if (!out.hasNext() && input.hasNext()) {
          out = next(batch()).iterator();
        }
        return out.hasNext();
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return out.next();
      }

      private List<Row> batch() {
        List<Row> rows = new ArrayList<>(BATCH);
        while (rows.size() < BATCH && input.hasNext()) {
          Row r = input.next();
          reader.read(r, position++, block, rows.size() * dim);
          rows.add(r);
        }
        return rows;
      }

      private List<Row> next(List<Row> rows) {
        int n = rows.size();
        int[] ids = FinalPass.encode(assigner, mode, k, block, n);
        float[] recon = null;
        if (codebook != null) {
          recon = new float[n * dim];
          Reconstruction.rows(0, n, m, assigner.dsub(), ids, codebook.value(), recon, 0);
        }
        List<Row> result = new ArrayList<>(n);
        for (int r = 0; r < n; r++) {
          Row row = rows.get(r);
          int width = row.length();
          Object[] values = new Object[width + (recon == null ? 1 : 2)];
          for (int c = 0; c < width; c++) {
            values[c] = row.get(c);
          }
          Integer[] conceptIds = new Integer[m];
          for (int i = 0; i < m; i++) {
            conceptIds[i] = ids[r * m + i];
          }
          values[width] = conceptIds;
          if (recon != null) {
            Float[] v = new Float[dim];
            for (int d = 0; d < dim; d++) {
              v[d] = recon[r * dim + d];
            }
            values[width + 1] = v;
          }
          result.add(RowFactory.create(values));
        }
        return result;
      }
    };
  }
}
