package dev.asg.spark.engine;

import dev.asg.common.artifact.Digests;
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
}
