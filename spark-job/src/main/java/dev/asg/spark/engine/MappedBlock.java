package dev.asg.spark.engine;

import dev.asg.common.kmeans.ReconstructionStats;
import java.io.Serializable;

/** The final mapping of one row range: {@code conceptIds[r*m + i]} for token firstRow + r. */
public final class MappedBlock implements Serializable {
  private static final long serialVersionUID = 1L;

  final int firstRow;
  final int rows;
  final int m;
  final int[] conceptIds;
  final ReconstructionStats stats;

  MappedBlock(int firstRow, int rows, int m, int[] conceptIds, ReconstructionStats stats) {
    this.firstRow = firstRow;
    this.rows = rows;
    this.m = m;
    this.conceptIds = conceptIds;
    this.stats = stats;
  }

  /** A mapping known on the driver (a fitted model's) as one block, without reconstruction statistics. */
  public static MappedBlock of(int firstRow, int rows, int m, int[] conceptIds) {
    if (conceptIds.length != rows * m) {
      throw new IllegalArgumentException(conceptIds.length + " ConceptIDs for " + rows + " rows x m " + m);
    }
    return new MappedBlock(firstRow, rows, m, conceptIds, null);
  }

  public int firstRow() {
    return firstRow;
  }

  public int rows() {
    return rows;
  }

  public int m() {
    return m;
  }

  /** rows x m global ConceptIDs, row-major; the caller must not modify them. */
  public int[] conceptIds() {
    return conceptIds;
  }
}
