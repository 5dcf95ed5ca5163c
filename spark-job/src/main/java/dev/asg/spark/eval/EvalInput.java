package dev.asg.spark.eval;

import dev.asg.common.InvalidInputException;
import dev.asg.common.artifact.Manifest;
import dev.asg.common.tensor.TableSpec;
import dev.asg.spark.artifact.ArtifactDir;
import dev.asg.spark.engine.InputSpec;
import dev.asg.spark.io.TableResolver;
import dev.asg.spark.source.ByteRangeTableSource;
import dev.asg.spark.source.ParquetTableSource;
import dev.asg.spark.source.TableSource;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The original table {@code asg evaluate} compares an artifact against: a tensor read by byte ranges
 * (safetensors, ONNX, .npy; resolved from its header and checked before Spark starts), or a Parquet table with an
 * id and a vector column, as quantize reads it (its ids and lengths are checked by a Spark job, so once Spark runs).
 *
 * @param uri the table's URI
 * @param spec the byte-range tensor, or null for Parquet
 * @param idCol Parquet id column (null for a tensor)
 * @param vectorCol Parquet vector column (null for a tensor)
 */
public record EvalInput(String uri, TableSpec spec, String idCol, String vectorCol) {
  /**
   * --input (else the manifest's source) in --input-format; for a tensor, --tensor (else the manifest's when
   * --input is omitted); for Parquet, --id-col / --vector-col, else the manifest's columns when its source was
   * Parquet, else quantize's defaults.
   */
  public static EvalInput resolve(ArtifactDir dir, String input, String inputFormat, String tensor, String idCol,
      String vectorCol, Configuration conf) {
    Manifest.Source src = dir.manifest().source;
    String in = input;
    String t = tensor;
    if (in == null) {
      in = src.uri;
      if (in == null) {
        throw dir.bad("manifest.json has no source.uri; pass --input");
      }
      if (t == null) {
        t = src.tensor;
      }
    }
    String fmt = inputFormat == null || inputFormat.equals("auto") ? TableResolver.detect(in, conf) : inputFormat;
    if (!fmt.equals("parquet")) {
      TableSpec spec = TableResolver.resolve(in, fmt, t, conf);
      Evaluator.checkMatches(dir, spec, in);
      return new EvalInput(in, spec, null, null);
    }
    if (tensor != null) {
      throw new InvalidInputException("--tensor " + tensor + " does not apply to the Parquet table " + in
          + "; name its columns with --id-col and --vector-col");
    }
    boolean fromParquet = "parquet".equals(src.format);
    String id = idCol != null ? idCol : fromParquet && src.idColumn != null ? src.idColumn
        : InputSpec.ID_COL_DEFAULT;
    String vec = vectorCol != null ? vectorCol : fromParquet && src.tensor != null ? src.tensor
        : InputSpec.VECTOR_COL_DEFAULT;
    try {
      Path p = new Path(in);
      if (!p.getFileSystem(conf).exists(p)) {
        throw new InvalidInputException("--input " + in + " does not exist; pass the table the artifact was "
            + "quantized from");
      }
    } catch (IOException e) {
      throw new InvalidInputException("--input " + in + ": cannot read (" + e.getMessage() + ")", e);
    }
    return new EvalInput(in, null, id, vec);
  }

  /**
   * Refuses a tensor whose stored bytes are not the artifact's source ({@link SourceDigest}). A Parquet table's
   * digest covers the decoded rows, known only once Spark reads it, so it is not compared here.
   */
  public void requireSource(ArtifactDir dir, String artifacts, Configuration conf) {
    if (spec != null) {
      SourceDigest.require(dir.manifest().source, spec, artifacts, conf);
    }
  }

  /** The table for {@link Evaluator#run(ArtifactDir, TableSource, int, long)}; a Parquet table is checked here. */
  public TableSource open(SparkSession spark, ArtifactDir dir) {
    if (spec != null) {
      return new ByteRangeTableSource(spec);
    }
    ParquetTableSource t = ParquetTableSource.open(spark, uri, idCol, vectorCol);
    Evaluator.checkMatches(dir, t.rows(), t.dim(), uri + " column '" + vectorCol + "'");
    return t;
  }
}
