package dev.asg.spark.ml;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The stages' column rules: which input types are vectors, the checks of transformSchema (each a one-line
 * IllegalArgumentException naming the stage, the column, its type and what is allowed), and reading one row's
 * vector as float32, as training reads it.
 */
final class VectorColumn {
  static final String ALLOWED = "array<float>, array<double> or vector (org.apache.spark.ml.linalg.Vector)";

  /** How a row's vector is stored. */
  enum Kind { FLOAT_ARRAY, DOUBLE_ARRAY, ML_VECTOR }

  private VectorColumn() {}

  /** The field named exactly {@code name}, or an error listing the columns there are. */
  static StructField field(StructType schema, String stage, String param, String name) {
    for (StructField f : schema.fields()) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    String names = Arrays.stream(schema.fields()).map(StructField::name).collect(Collectors.joining(", "));
    throw new IllegalArgumentException(stage + ": " + param + " '" + name + "' is not a column of the DataFrame "
        + "(columns: " + names + "); set " + param + " to one of them");
  }

  /** The kind of vector column {@code name} holds, or an error naming its type and the allowed ones. */
  static Kind kind(StructType schema, String stage, String param, String name) {
    DataType t = field(schema, stage, param, name).dataType();
    if (t instanceof ArrayType && ((ArrayType) t).elementType().equals(DataTypes.FloatType)) {
      return Kind.FLOAT_ARRAY;
    }
    if (t instanceof ArrayType && ((ArrayType) t).elementType().equals(DataTypes.DoubleType)) {
      return Kind.DOUBLE_ARRAY;
    }
    if (t.equals(SQLDataTypes.VectorType())) {
      return Kind.ML_VECTOR;
    }
    throw new IllegalArgumentException(stage + ": " + param + " '" + name + "' has type " + t.simpleString()
        + "; allowed: " + ALLOWED);
  }

  /** Refuses an output column that exists already: transform must not replace the user's data. */
  static void requireNew(StructType schema, String stage, String param, String name) {
    if (Arrays.asList(schema.fieldNames()).contains(name)) {
      throw new IllegalArgumentException(stage + ": " + param + " '" + name + "' already exists in the DataFrame; "
          + "set " + param + " to a new column name");
    }
  }

  /** Reads rows' vectors as float32 (doubles rounded once, as the engine reads array&lt;double&gt;). */
  static final class Reader implements Serializable {
    private static final long serialVersionUID = 1L;
    private final Kind kind;
    private final int vectorIndex;
    private final int idIndex;
    private final String inputCol;
    private final String idCol;
    private final int dim;

    /** {@code idIndex} -1 when the DataFrame has no id column; errors then give the row's position. */
    Reader(Kind kind, int vectorIndex, int idIndex, String inputCol, String idCol, int dim) {
      this.kind = kind;
      this.vectorIndex = vectorIndex;
      this.idIndex = idIndex;
      this.inputCol = inputCol;
      this.idCol = idCol;
      this.dim = dim;
    }

    /** Writes row's vector to {@code out[off..off+dim)}; null, wrong-length or non-finite vectors fail. */
    void read(Row row, long position, float[] out, int off) {
      if (row.isNullAt(vectorIndex)) {
        throw bad(row, position, "is null; every row needs a vector (drop or fill such rows first)");
      }
      int n;
      if (kind == Kind.ML_VECTOR) {
        Vector v = row.getAs(vectorIndex);
        n = v.size();
        checkLength(row, position, n);
        for (int d = 0; d < dim; d++) {
          out[off + d] = (float) v.apply(d);
        }
      } else {
        List<Object> v = row.getList(vectorIndex);
        n = v.size();
        checkLength(row, position, n);
        for (int d = 0; d < dim; d++) {
          Object o = v.get(d);
          if (o == null) {
            throw bad(row, position, "holds null at position " + d + "; vectors must be finite");
          }
          out[off + d] = ((Number) o).floatValue();
        }
      }
      for (int d = 0; d < dim; d++) {
        if (!Float.isFinite(out[off + d])) {
          throw bad(row, position, "holds " + out[off + d] + " at position " + d + " (as float32); vectors must "
              + "be finite");
        }
      }
    }

    private void checkLength(Row row, long position, int n) {
      if (n != dim) {
        throw bad(row, position, "has " + n + " values but the codebooks are for D=" + dim + "; encode vectors "
            + "of the table's width");
      }
    }

    private IllegalArgumentException bad(Row row, long position, String what) {
      String where = idIndex >= 0 && !row.isNullAt(idIndex) ? idCol + " " + row.get(idIndex)
          : "row " + position + " of its partition";
      return new IllegalArgumentException("ProductQuantizerModel: column '" + inputCol + "' of " + where + " "
          + what);
    }
  }
}
