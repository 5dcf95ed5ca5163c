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

  /** mapping/'s rows for this block; {@code tokens} (or null) names every token id. */
  public java.util.List<org.apache.spark.sql.Row> rows(String[] tokens) {
    return dev.asg.spark.output.ArtifactSchemas.mappingRows(firstRow, rows, m, conceptIds, tokens);
  }
}
