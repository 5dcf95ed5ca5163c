package dev.asg.tests;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Embedding tables as Parquet (token_id, embedding), written by Spark as a pipeline would. */
public final class ParquetTables {
  private ParquetTables() {}

  /**
   * Writes rows {@code ids[r] -> vectors[r]} (a null vector writes null) in the order given, spread over
   * {@code files} part files.
   *
   * @param asDouble array&lt;double&gt; instead of array&lt;float&gt;
   */
  public static Path write(SparkSession spark, Path dir, Integer[] ids, float[][] vectors, boolean asDouble,
      int files) {
    DataType element = asDouble ? DataTypes.DoubleType : DataTypes.FloatType;
    StructType schema = new StructType()
        .add("token_id", DataTypes.IntegerType, true)
        .add("embedding", DataTypes.createArrayType(element, true), true);
    List<Row> rows = new ArrayList<>(ids.length);
    for (int r = 0; r < ids.length; r++) {
      Object[] v = null;
      if (vectors[r] != null) {
        v = new Object[vectors[r].length];
        for (int d = 0; d < v.length; d++) {
          v[d] = asDouble ? (Object) (double) vectors[r][d] : (Object) vectors[r][d];
        }
      }
      rows.add(RowFactory.create(ids[r], v));
    }
    spark.createDataFrame(rows, schema).repartition(files).write().parquet(dir.toString());
    return dir;
  }

  /** The table {@code data} (rows x dim) with ids 0..rows-1, rows written in a scrambled order. */
  public static Path write(SparkSession spark, Path dir, float[] data, int rows, int dim, boolean asDouble,
      int files) {
    Integer[] ids = new Integer[rows];
    float[][] vectors = new float[rows][];
    for (int i = 0; i < rows; i++) {
      int t = (int) ((i * 7919L) % rows); // a permutation when rows is not a multiple of 7919
      ids[i] = t;
      vectors[i] = java.util.Arrays.copyOfRange(data, t * dim, (t + 1) * dim);
    }
    return write(spark, dir, ids, vectors, asDouble, files);
  }
}
