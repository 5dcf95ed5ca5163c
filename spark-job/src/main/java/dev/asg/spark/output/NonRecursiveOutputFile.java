package dev.asg.spark.output;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.util.HadoopStreams;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

/**
 * parquet-java's HadoopOutputFile, except that the file is created with {@link FileSystem#createNonRecursive}: it
 * fails when the parent directory is gone instead of recreating it, so a killed or late task can never bring back
 * a directory the driver has removed, however its steps interleave with the removal. HDFS's NameNode refuses it
 * atomically; {@code file:} (a ChecksumFileSystem) checks the parent just before creating (a bare RawLocalFileSystem
 * would ignore the flag and create parents).
 */
final class NonRecursiveOutputFile implements OutputFile {
  /** HadoopOutputFile's buffer size (its DFS_BUFFER_SIZE_DEFAULT); the stream's buffering does not change the bytes. */
  private static final int BUFFER_SIZE = 4096;

  private final FileSystem fs;
  private final Path path;

  NonRecursiveOutputFile(Path path, Configuration conf) throws IOException {
    this.fs = path.getFileSystem(conf);
    this.path = path;
  }

  @Override
  public PositionOutputStream create(long blockSizeHint) throws IOException {
    return open(false, blockSizeHint);
  }

  @Override
  public PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
    return open(true, blockSizeHint);
  }

  private PositionOutputStream open(boolean overwrite, long blockSizeHint) throws IOException {
    return HadoopStreams.wrap(fs.createNonRecursive(path, overwrite, BUFFER_SIZE, fs.getDefaultReplication(path),
        Math.max(fs.getDefaultBlockSize(path), blockSizeHint), null));
  }

  @Override
  public boolean supportsBlockSize() {
    return true;
  }

  @Override
  public long defaultBlockSize() {
    return fs.getDefaultBlockSize(path);
  }

  @Override
  public String getPath() {
    return path.toString();
  }
}
