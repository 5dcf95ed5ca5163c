package dev.asg.common.io;

import java.io.Closeable;
import java.io.IOException;

/**
 * A file that can be read at arbitrary positions. The Spark layer implements it over a Hadoop FileSystem
 * (positioned reads on HDFS/S3A); tests and local tools use {@link LocalFileRangeSource}. Keeping the format
 * parsers on this interface is what keeps {@code common} free of Hadoop and Spark.
 */
public interface RangeSource extends Closeable {
  /** The file's length in bytes. */
  long length() throws IOException;

  /**
   * Reads exactly {@code len} bytes starting at {@code position}.
   *
   * @throws java.io.EOFException if the file ends first
   */
  void readFully(long position, byte[] buf, int off, int len) throws IOException;

  /** The URI or path the user named, for error messages. */
  String uri();

  /** Opens a sibling file (a shard or an external-data file) by a name relative to this file's directory. */
  RangeSource openSibling(String relativeName) throws IOException;
}
