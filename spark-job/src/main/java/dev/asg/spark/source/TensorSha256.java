package dev.asg.spark.source;

import dev.asg.common.artifact.Digests;
import dev.asg.common.tensor.DType;
import dev.asg.common.tensor.RowDecoder;
import dev.asg.common.tensor.TableSpec;
import dev.asg.spark.io.HadoopRangeSource;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.hadoop.conf.Configuration;

/**
 * SHA-256 of the tensor's stored bytes for manifest.source. A digest is inherently sequential, so one driver
 * thread streams the byte range while the executors train; it reads in 8 MiB slices and never holds the table.
 */
public final class TensorSha256 {
  private static final int SLICE = 8 << 20;

  private TensorSha256() {}

  static CompletableFuture<String> startAsync(TableSpec spec, Configuration conf) {
    ExecutorService ex = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "asg-source-sha256");
      t.setDaemon(true);
      return t;
    });
    CompletableFuture<String> f = CompletableFuture.supplyAsync(() -> compute(spec, conf), ex);
    f.whenComplete((v, e) -> ex.shutdown());
    return f;
  }

  public static String compute(TableSpec spec, Configuration conf) {
    MessageDigest md = Digests.sha256();
    byte[] buf = new byte[SLICE];
    try (HadoopRangeSource src = HadoopRangeSource.open(spec.uri(), conf)) {
      long pos = spec.dataOffset();
      long end = pos + spec.dataBytes();
      while (pos < end) {
        int n = (int) Math.min(SLICE, end - pos);
        src.readFully(pos, buf, 0, n);
        md.update(buf, 0, n);
        pos += n;
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(spec.uri() + ": cannot read for the source digest", e);
    }
    return Digests.hex(md);
  }

  /**
   * The digest of {@code spec} under the definition {@code sha256Of} names (manifest source.sha256_of): the stored
   * bytes ({@link ByteRangeTableSource#SHA256_OF}), or the table decoded to float32 LE in row order
   * ({@link ParquetTableSource#SHA256_OF}, which equals the stored bytes of an F32 tensor); null for any other.
   */
  public static String ofSource(String sha256Of, TableSpec spec, Configuration conf) {
    if (ByteRangeTableSource.SHA256_OF.equals(sha256Of)
        || ParquetTableSource.SHA256_OF.equals(sha256Of) && spec.dtype() == DType.F32) {
      return compute(spec, conf);
    }
    return ParquetTableSource.SHA256_OF.equals(sha256Of) ? float32(spec, conf) : null;
  }

  private static String float32(TableSpec spec, Configuration conf) {
    MessageDigest md = Digests.sha256();
    int block = (int) Math.max(1, SLICE / spec.rowBytes());
    byte[] raw = new byte[(int) (block * spec.rowBytes())];
    float[] f = new float[block * spec.dim()];
    try (HadoopRangeSource src = HadoopRangeSource.open(spec.uri(), conf)) {
      for (int r = 0; r < spec.rows(); r += block) {
        int n = Math.min(block, spec.rows() - r);
        src.readFully(spec.dataOffset() + r * spec.rowBytes(), raw, 0, (int) (n * spec.rowBytes()));
        RowDecoder.decode(spec.dtype(), raw, 0, f, 0, n * spec.dim());
        Digests.updateFloats(md, f, 0, n * spec.dim());
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(spec.uri() + ": cannot read for the source digest", e);
    }
    return Digests.hex(md);
  }
}
