package dev.asg.spark.io;

import dev.asg.common.Messages;
import dev.asg.common.io.RangeSource;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

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
    FileStatus st = fs.getFileStatus(this.path);
    checkRegularFile(fs, st);
    this.length = st.getLen();
    this.in = fs.open(this.path);
  }

  /**
   * Opens a file for positioned reads. A directory, a FIFO or a device is refused (a FIFO would block the run
   * forever); a URI Hadoop cannot parse (a ':' in a relative name) is an {@link IOException} here, like a missing
   * file, so callers handle one kind of failure.
   */
  public static HadoopRangeSource open(String uri, Configuration conf) throws IOException {
    return new HadoopRangeSource(toPath(uri), conf);
  }

  /** {@code new Path(uri)}, with Hadoop's IllegalArgumentException for an unparsable URI as an IOException. */
  public static Path toPath(String uri) throws IOException {
    try {
      return new Path(uri);
    } catch (IllegalArgumentException e) {
      throw new IOException("not a valid path or URI (" + Messages.quote(e.getMessage()) + ")", e);
    }
  }

  /** Throws unless {@code st} is a regular file: on the local filesystem asked of the OS, not just "not a dir". */
  static void checkRegularFile(FileSystem fs, FileStatus st) throws IOException {
    if (st.isDirectory()) {
      throw new NotAFileException(st.getPath() + " is a directory, not a file");
    }
    if (fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem) {
      java.nio.file.Path local = java.nio.file.Paths.get(st.getPath().toUri());
      if (!Files.isRegularFile(local)) {
        throw new NotAFileException(st.getPath() + " is not a regular file (a FIFO, socket or device); pass the "
            + "file itself");
      }
    }
  }

  /** The path names a directory or special file where a regular file is needed. */
  public static final class NotAFileException extends IOException {
    private static final long serialVersionUID = 1L;

    NotAFileException(String message) {
      super(message);
    }
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
    try {
      return new HadoopRangeSource(new Path(path.getParent(), relativeName), conf);
    } catch (IllegalArgumentException e) {
      throw new IOException(Messages.quote(relativeName) + " is not a valid file name next to " + path + " ("
          + Messages.quote(e.getMessage()) + ")", e);
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
