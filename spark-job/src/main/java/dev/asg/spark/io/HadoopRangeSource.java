package dev.asg.spark.io;

import dev.asg.common.io.RangeSource;
import java.io.EOFException;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * {@link RangeSource} over any Hadoop FileSystem (file://, hdfs://, s3a:// ...). Reads are positioned
 * ({@code readFully(position, ...)}), which HDFS and S3A serve without moving a shared stream pointer, so each
 * Spark task reads only its own row range.
 */
public final class HadoopRangeSource implements RangeSource {
  private final Path path;
  private final Configuration conf;
  private final FSDataInputStream in;
  private final long length;

  private HadoopRangeSource(Path path, Configuration conf) throws IOException {
    FileSystem fs = path.getFileSystem(conf);
    // Qualified against the DRIVER's working directory: executors run elsewhere (their own work dirs on a
    // cluster), so a relative path in the TableSpec they receive would point at nothing.
    this.path = fs.makeQualified(path);
    this.conf = conf;
    this.length = fs.getFileStatus(this.path).getLen();
    this.in = fs.open(this.path);
  }

  public static HadoopRangeSource open(String uri, Configuration conf) throws IOException {
    return new HadoopRangeSource(new Path(uri), conf);
  }

  @Override
  public long length() {
    return length;
  }

  @Override
  public void readFully(long position, byte[] buf, int off, int len) throws IOException {
    if (position + len > length) {
      throw new EOFException(path + ": wanted " + len + " bytes at offset " + position + " but the file is "
          + length + " bytes long");
    }
    in.readFully(position, buf, off, len);
  }

  @Override
  public String uri() {
    return path.toString();
  }

  @Override
  public RangeSource openSibling(String relativeName) throws IOException {
    return new HadoopRangeSource(new Path(path.getParent(), relativeName), conf);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
