package dev.asg.spark.source;

import dev.asg.common.artifact.Manifest;
import dev.asg.common.io.RangeSource;
import dev.asg.common.tensor.RowReader;
import dev.asg.common.tensor.TableSpec;
import dev.asg.spark.io.HadoopConfSnapshot;
import dev.asg.spark.io.HadoopRangeSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/** A tensor inside a model file (safetensors, ONNX, .npy): each task reads its row range with positioned reads of up to 16 MiB. */
public final class ByteRangeTableSource implements TableSource {
  /** Says what manifest.source.sha256 covers for these formats. */
  public static final String SHA256_OF = "stored-tensor-bytes";

  private final TableSpec spec;

  public ByteRangeTableSource(TableSpec spec) {
    this.spec = spec;
  }

  public TableSpec spec() {
    return spec;
  }

  @Override
  public int rows() {
    return spec.rows();
  }

  @Override
  public int dim() {
    return spec.dim();
  }

  @Override
  public String describe() {
    return spec.uri() + " tensor '" + spec.tensor() + "' (" + spec.dtype() + ")";
  }

  @Override
  public Manifest.Source manifestSource() {
    Manifest.Source s = new Manifest.Source();
    s.uri = spec.uri();
    s.format = spec.format();
    s.tensor = spec.tensor();
    s.dtype = spec.dtype().name();
    s.shape = new long[] {spec.rows(), spec.dim()};
    s.sha256Of = SHA256_OF;
    return s;
  }

  @Override
  public JavaRDD<TableBlock> blocks(JavaSparkContext jsc, int partitions) {
    // Locals only: the closure must capture the small serializable spec and conf snapshot, never this object.
    TableSpec s = spec;
    HadoopConfSnapshot confSnap = new HadoopConfSnapshot(jsc.hadoopConfiguration());
    List<RowRange> ranges = RowRange.split(s.rows(), partitions);
    return jsc.parallelize(ranges, ranges.size()).map(r -> read(s, confSnap, r));
  }

  @Override
  public CompletableFuture<String> sha256(JavaRDD<TableBlock> cachedBlocks, Configuration conf) {
    return TensorSha256.startAsync(spec, conf);
  }

  /** Reads one row range with positioned reads (16 MiB chunks). NaN/Inf fail the task with the row number. */
  public static TableBlock read(TableSpec spec, HadoopConfSnapshot conf, RowRange range) {
    float[] data = new float[Math.multiplyExact(range.count(), spec.dim())];
    try (RangeSource src = HadoopRangeSource.open(spec.uri(), conf.toConfiguration())) {
      RowReader.readRows(src, spec, range.first(), range.count(), data, 0);
    } catch (IOException e) {
      throw new UncheckedIOException(spec.uri() + ": reading " + range + " failed", e);
    }
    return new TableBlock(range.first(), range.count(), spec.dim(), data, null);
  }
}
