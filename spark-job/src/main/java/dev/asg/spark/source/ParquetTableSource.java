package dev.asg.spark.source;

import static org.apache.spark.sql.functions.col;

import dev.asg.common.InputBoundary;
import dev.asg.common.InvalidInputException;
import dev.asg.common.Messages;
import dev.asg.common.artifact.Digests;
import dev.asg.common.artifact.Manifest;
import java.security.MessageDigest;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/**
 * A table of rows, one per token ({@code --id-col}, {@code --vector-col}): a Parquet table, e.g. an embedding dump
 * from a Spark or pandas pipeline, or any DataFrame of that shape (the Spark ML estimator's input). Unlike model
 * files it has no byte range per row, so it is read with Spark SQL, checked by {@link ParquetTableCheck}, and
 * shuffled once into the same contiguous row ranges the byte-range reader produces; from there on the engine cannot
 * tell the difference, and the artifacts are bit-identical to those of the same table stored as safetensors F32.
 */
public final class ParquetTableSource implements TableSource {
  /**
   * What manifest.source.sha256 covers for Parquet: the table as float32 little-endian, rows in id order. Parquet
   * has no raw tensor byte range (pages are encoded and compressed), so the digest is of the decoded table; it
   * equals the safetensors digest of the same table stored as F32, but differs from it for any other dtype.
   */
  public static final String SHA256_OF = "float32-le-rows-by-id";

  /** manifest.source.format of a DataFrame given in memory (the Spark ML estimator's input). */
  public static final String FORMAT_DATAFRAME = "dataframe";

  private final Dataset<Row> df;
  private final String uri;
  private final String format;
  private final String idCol;
  private final String vectorCol;
  private final ParquetTableCheck.Shape shape;

  private ParquetTableSource(Dataset<Row> df, String uri, String format, String idCol, String vectorCol,
      ParquetTableCheck.Shape shape) {
    this.df = df;
    this.uri = uri;
    this.format = format;
    this.idCol = idCol;
    this.vectorCol = vectorCol;
    this.shape = shape;
  }

  /**
   * Reads the schema and checks ids and vector lengths (one Spark job when the table is valid).
   *
   * @throws InvalidInputException naming the column, the first offending id and what is allowed
   */
  public static ParquetTableSource open(SparkSession spark, String uri, String idCol, String vectorCol) {
    // Any failure reading the files (none there, only _SUCCESS or a README, a truncated or foreign part, Spark's
    // checked AnalysisException or SparkException) is bad input: one line, exit 2.
    return InputBoundary.read("--input " + Messages.quote(uri), "pass a Parquet file or a directory of Parquet "
        + "parts, or --input-format for another format", () -> {
          return check(spark.read().parquet(uri), uri, "parquet", idCol, vectorCol);
        });
  }

  /**
   * A DataFrame of the same shape as a Parquet table (an integer id column holding exactly 0..V-1 and an
   * array&lt;float&gt; or array&lt;double&gt; column), checked the same way; {@code name} stands for the URI in
   * messages and manifest.source.uri. The DataFrame is read twice (the check, then the blocks), so it must be
   * deterministic: cache a computed one first.
   */
  public static ParquetTableSource of(Dataset<Row> df, String name, String idCol, String vectorCol) {
    return check(df, name, FORMAT_DATAFRAME, idCol, vectorCol);
  }

  private static ParquetTableSource check(Dataset<Row> df, String uri, String format, String idCol,
      String vectorCol) {
    df.sparkSession().sparkContext().setJobDescription("asg check " + uri);
    ParquetTableCheck.Shape shape = ParquetTableCheck.check(df.sparkSession(), df, uri, idCol, vectorCol);
    return new ParquetTableSource(df, uri, format, idCol, vectorCol, shape);
  }

  /** The column named exactly {@code name}: quoted, so a '.' or a backtick in it is not parsed as syntax. */
  static Column column(String name) {
    return col("`" + name.replace("`", "``") + "`");
  }

  @Override
  public int rows() {
    return shape.rows;
  }

  @Override
  public int dim() {
    return shape.dim;
  }

  @Override
  public String describe() {
    return uri + " column '" + vectorCol + "' (" + shape.dtype + ")";
  }

  @Override
  public Manifest.Source manifestSource() {
    Manifest.Source s = new Manifest.Source();
    s.uri = uri;
    s.format = format;
    s.tensor = vectorCol;
    s.idColumn = idCol;
    s.dtype = shape.dtype;
    s.shape = new long[] {shape.rows, shape.dim};
    s.sha256Of = SHA256_OF;
    return s;
  }

  @Override
  public JavaRDD<TableBlock> blocks(JavaSparkContext jsc, int partitions) {
    final int dim = shape.dim;
    final String idName = idCol;
    final String vecName = vectorCol;
    final String file = uri;
    List<RowRange> ranges = RowRange.split(shape.rows, partitions);
    return df.select(column(idCol).cast("int"), column(vectorCol)).javaRDD()
        .mapToPair(r -> new Tuple2<>(r.getInt(0), toFloats(r.getList(1), dim, r.getInt(0), file, idName, vecName)))
        .partitionBy(new RangesPartitioner(ranges))
        .mapPartitionsWithIndex((i, rows) -> Collections.singletonList(pack(ranges.get(i), dim, rows)).iterator(),
            true);
  }

  /** The float32 LE table in id order; the blocks are cached and in token order, so one pass streams it. */
  @Override
  public CompletableFuture<String> sha256(JavaRDD<TableBlock> cachedBlocks, Configuration conf) {
    MessageDigest md = Digests.sha256();
    cachedBlocks.context().setJobDescription("asg source digest");
    for (Iterator<TableBlock> it = cachedBlocks.toLocalIterator(); it.hasNext(); ) {
      TableBlock b = it.next();
      Digests.updateFloats(md, b.data(), 0, b.data().length);
    }
    return CompletableFuture.completedFuture(Digests.hex(md));
  }

  /** One row's vector as float32, rejecting null elements and values that are not finite as float32. */
  static float[] toFloats(List<Object> values, int dim, int id, String file, String idCol, String vecCol) {
    float[] out = new float[dim];
    for (int d = 0; d < dim; d++) {
      Object o = values.get(d);
      float v = o == null ? Float.NaN : ((Number) o).floatValue();
      if (!Float.isFinite(v)) {
        String what = o == null ? "null" : Double.isNaN(((Number) o).doubleValue()) ? "NaN"
            : Double.isInfinite(((Number) o).doubleValue()) ? (v > 0 ? "+Infinity" : "-Infinity")
            : o + " (beyond float32 range)";
        throw new InvalidInputException(file + " column " + vecCol + " of " + idCol + " " + id + " is " + what
            + " at position " + d + "; the table must be finite (fix or drop that row before quantizing)");
      }
      out[d] = v;
    }
    return out;
  }

  /** Packs one partition's rows (ids exactly {@code range}, in any order) into one row-major block. */
  private static TableBlock pack(RowRange range, int dim, Iterator<Tuple2<Integer, float[]>> rows) {
    float[] data = new float[Math.multiplyExact(range.count(), dim)];
    int n = 0;
    while (rows.hasNext()) {
      Tuple2<Integer, float[]> t = rows.next();
      System.arraycopy(t._2(), 0, data, (t._1() - range.first()) * dim, dim);
      n++;
    }
    if (n != range.count()) {
      // ParquetTableCheck proved the ids are exactly 0..V-1; a mismatch means the files changed under us.
      throw new IllegalStateException(range + " received " + n + " rows; did the Parquet input change while "
          + "the job ran?");
    }
    return new TableBlock(range.first(), range.count(), dim, data, null);
  }

  /** Sends id t to the partition whose {@link RowRange} holds it, so partition i is exactly range i. */
  static final class RangesPartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;
    private final int[] firsts;

    RangesPartitioner(List<RowRange> ranges) {
      firsts = ranges.stream().mapToInt(RowRange::first).toArray();
    }

    @Override
    public int numPartitions() {
      return firsts.length;
    }

    @Override
    public int getPartition(Object key) {
      int i = java.util.Arrays.binarySearch(firsts, (Integer) key);
      return i >= 0 ? i : -i - 2;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof RangesPartitioner && java.util.Arrays.equals(firsts, ((RangesPartitioner) o).firsts);
    }

    @Override
    public int hashCode() {
      return java.util.Arrays.hashCode(firsts);
    }
  }
}
