package dev.asg.spark.source;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.when;

import dev.asg.common.InvalidInputException;
import dev.asg.spark.engine.InputSpec;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Checks that a Parquet table is an embedding table: an integer id column holding exactly 0..V-1 (row r of the
 * table is token r, as in every model file) and an array&lt;float&gt; or array&lt;double&gt; column of equal
 * lengths. The happy path costs one aggregation job; only a failed check runs a second query to find the first
 * offending id for the message. Non-finite values (NaN, infinities, nulls inside a vector, doubles beyond the
 * float32 range) are counted in the same job, so they too fail before training; packing checks them again.
 */
final class ParquetTableCheck {
  /** What the check found: V, D, and the stored element type ("F32" or "F64"). */
  static final class Shape {
    final int rows;
    final int dim;
    final String dtype;

    Shape(int rows, int dim, String dtype) {
      this.rows = rows;
      this.dim = dim;
      this.dtype = dtype;
    }
  }

  private ParquetTableCheck() {}

  static Shape check(SparkSession spark, Dataset<Row> df, String uri, String idCol, String vectorCol) {
    StructType schema = df.schema();
    DataType idType = field(schema, idCol, uri, "--" + InputSpec.ID_COL).dataType();
    if (!(idType.equals(DataTypes.IntegerType) || idType.equals(DataTypes.LongType)
        || idType.equals(DataTypes.ShortType) || idType.equals(DataTypes.ByteType))) {
      throw new InvalidInputException("--" + InputSpec.ID_COL + " " + idCol + " in " + uri + " has type "
          + idType.simpleString() + "; the id column must be an integer type (int or bigint)");
    }
    DataType vecType = field(schema, vectorCol, uri, "--" + InputSpec.VECTOR_COL).dataType();
    DataType element = vecType instanceof ArrayType ? ((ArrayType) vecType).elementType() : null;
    String dtype = DataTypes.FloatType.equals(element) ? "F32" : DataTypes.DoubleType.equals(element) ? "F64" : null;
    if (dtype == null) {
      throw new InvalidInputException("--" + InputSpec.VECTOR_COL + " " + vectorCol + " in " + uri
          + " has type " + vecType.simpleString() + "; the vector column must be array<float> or array<double>");
    }

    Column id = ParquetTableSource.column(idCol);
    Column vec = ParquetTableSource.column(vectorCol);
    Column len = when(vec.isNotNull(), size(vec));
    // Float.MAX_VALUE as a double: anything above it becomes infinity when converted to float32.
    Column nonFinite = expr("exists(`" + vectorCol.replace("`", "``") + "`, x -> x IS NULL OR isnan(x) OR abs(x) > "
        + (double) Float.MAX_VALUE + "D)");
    Row a = df.agg(count(lit(1)), count(id), min(id), max(id), countDistinct(id),
        count(when(vec.isNull(), lit(1))), min(len), max(len), count(when(nonFinite, lit(1)))).first();
    long total = a.getLong(0);
    long nonNullIds = a.getLong(1);
    String where = uri + " column " + idCol;
    if (total == 0) {
      throw new InvalidInputException("--input " + uri + " has no rows; an embedding table needs one row per token");
    }
    if (total > Integer.MAX_VALUE) {
      throw new InvalidInputException("--input " + uri + " has " + total + " rows; at most " + Integer.MAX_VALUE
          + " tokens are allowed");
    }
    if (nonNullIds < total) {
      throw new InvalidInputException(where + " is null in " + (total - nonNullIds) + " of " + total
          + " rows; every row needs its token id (0.." + (total - 1) + ")");
    }
    long minId = ((Number) a.get(2)).longValue();
    long maxId = ((Number) a.get(3)).longValue();
    long distinct = a.getLong(4);
    if (minId < 0) {
      throw new InvalidInputException(where + " has negative id " + minId + "; ids must be exactly 0.."
          + (total - 1) + " (one row per token)");
    }
    if (distinct < total) {
      Row dup = df.groupBy(id).count().filter(col("count").gt(1)).orderBy(id).first();
      throw new InvalidInputException(where + ": id " + dup.get(0) + " appears in " + dup.getLong(1)
          + " rows; ids must be exactly 0.." + (total - 1) + ", each once");
    }
    if (maxId > Integer.MAX_VALUE) {
      throw new InvalidInputException(where + " has id " + maxId + ", beyond the int range of token ids; ids must "
          + "be exactly 0.." + (total - 1) + " (one row per token)");
    }
    if (maxId != total - 1) {
      throw new InvalidInputException(where + ": id " + firstMissing(df, id, minId)
          + " is missing (ids run " + minId + ".." + maxId + " over " + total + " rows); ids must be exactly 0.."
          + (total - 1) + " with no gaps");
    }
    long nullVectors = a.getLong(5);
    if (nullVectors > 0) {
      Object first = df.filter(vec.isNull()).agg(min(id)).first().get(0);
      throw new InvalidInputException(uri + " column " + vectorCol + " is null for " + idCol + " " + first
          + " (" + nullVectors + " null rows in all); every token needs a vector");
    }
    int minLen = a.getInt(6);
    int maxLen = a.getInt(7);
    if (minLen != maxLen) {
      // The most common length is the table's D; the first id with any other length is the one to report.
      Row mode = df.groupBy(size(vec).as("len")).count().orderBy(col("count").desc(), col("len")).first();
      int dim = mode.getInt(0);
      Row bad = df.filter(size(vec).notEqual(dim)).orderBy(id).select(id, size(vec)).first();
      throw new InvalidInputException(uri + " column " + vectorCol + " has " + bad.getInt(1) + " values for "
          + idCol + " " + bad.get(0) + " but " + dim + " in most rows; every vector must have the same length D");
    }
    if (minLen == 0) {
      throw new InvalidInputException(uri + " column " + vectorCol + " holds empty arrays; vectors need D >= 1");
    }
    if (a.getLong(8) > 0) {
      Row bad = df.filter(nonFinite).orderBy(id).select(id.cast("int"), vec).first();
      // Throws the message packing would: column, id, position and the value.
      ParquetTableSource.toFloats(bad.getList(1), minLen, bad.getInt(0), uri, idCol, vectorCol);
      throw new IllegalStateException("row " + bad + " was counted as non-finite but converts to float32");
    }
    return new Shape((int) total, minLen, dtype);
  }

  private static StructField field(StructType schema, String name, String uri, String flag) {
    for (StructField f : schema.fields()) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    String names = Arrays.stream(schema.fields()).map(StructField::name).collect(Collectors.joining(", "));
    throw new InvalidInputException(flag + " " + name + ": no such column in " + uri + " (columns: " + names
        + "); pass " + flag + " with one of them");
  }

  /**
   * The smallest id that no row has. The ids are distinct, start at 0 (else the answer is 0) and are not 0..V-1,
   * so it is the smallest id+1 that is not itself an id: one anti-join of V rows, whatever the largest id.
   */
  private static long firstMissing(Dataset<Row> df, Column id, long minId) {
    if (minId > 0) {
      return 0;
    }
    Dataset<Row> ids = df.select(id.cast("long").as("id"));
    Dataset<Row> next = ids.select(col("id").plus(1).as("id"));
    return next.join(ids, "id", "left_anti").agg(min(col("id"))).first().getLong(0);
  }
}
