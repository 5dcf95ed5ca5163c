package dev.asg.spark.output;

import dev.asg.common.kmeans.CodebookMode;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The Parquet schemas of codebook/ and mapping/ (see README "Artifacts"). */
public final class ArtifactSchemas {
  private ArtifactSchemas() {}

  /** row = i*k + j (the ConceptID), codebook = i (0 when shared), centroid = j, vector = D/m floats. */
  public static final StructType CODEBOOK = new StructType()
      .add("row", DataTypes.IntegerType, false)
      .add("codebook", DataTypes.IntegerType, false)
      .add("centroid", DataTypes.IntegerType, false)
      .add("vector", DataTypes.createArrayType(DataTypes.FloatType, false), false);

  /** token_id, and m ConceptIDs: row indices into codebook/. */
  public static final StructType MAPPING = new StructType()
      .add("token_id", DataTypes.IntegerType, false)
      .add("concept_ids", DataTypes.createArrayType(DataTypes.IntegerType, false), false);

  /**
   * {@link #MAPPING} plus the token string of each id, when a vocabulary was given or found next to the model
   * (so concept groups can be inspected without a tokenizer at hand).
   */
  public static final StructType MAPPING_WITH_TOKEN = MAPPING.add("token", DataTypes.StringType, false);

  /** codebook/ as one partition: a row per (codebook, centroid), keyed by its ConceptID. */
  public static Dataset<Row> codebookFrame(SparkSession spark, float[][] centroids, CodebookMode mode, int k,
      int dsub) {
    List<Row> rowsOut = new ArrayList<>();
    for (int c = 0; c < centroids.length; c++) {
      for (int j = 0; j < k; j++) {
        Float[] v = new Float[dsub];
        for (int d = 0; d < dsub; d++) {
          v[d] = centroids[c][j * dsub + d];
        }
        rowsOut.add(RowFactory.create(mode.conceptId(c, j, k), c, j, v));
      }
    }
    return spark.createDataFrame(rowsOut, CODEBOOK).coalesce(1);
  }

  /**
   * mapping/'s rows for tokens firstRow .. firstRow + rows - 1, whose ConceptIDs are {@code conceptIds[r*m + i]};
   * with {@code tokens} ({@link #MAPPING_WITH_TOKEN}) each row also names its token.
   */
  public static List<Row> mappingRows(int firstRow, int rows, int m, int[] conceptIds, String[] tokens) {
    List<Row> out = new ArrayList<>(rows);
    for (int r = 0; r < rows; r++) {
      Integer[] ids = new Integer[m];
      for (int i = 0; i < m; i++) {
        ids[i] = conceptIds[r * m + i];
      }
      int t = firstRow + r;
      out.add(tokens == null ? RowFactory.create(t, ids) : RowFactory.create(t, ids, tokens[t]));
    }
    return out;
  }
}
