package dev.asg.common.io;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** {@link RangeSource} over a local file, with positioned reads through a {@link FileChannel}. */
public final class LocalFileRangeSource implements RangeSource {
  private final Path path;
  private final FileChannel channel;

  public LocalFileRangeSource(Path path) throws IOException {
    this.path = path;
    this.channel = FileChannel.open(path, StandardOpenOption.READ);
  }

  @Override
  public long length() throws IOException {
    return channel.size();
  }

  @Override
  public void readFully(long position, byte[] buf, int off, int len) throws IOException {
    ByteBuffer bb = ByteBuffer.wrap(buf, off, len);
    long pos = position;
    while (bb.hasRemaining()) {
      int n = channel.read(bb, pos);
      if (n < 0) {
        throw new EOFException(path + ": wanted " + len + " bytes at offset " + position + " but the file ends at "
            + channel.size());
      }
      pos += n;
    }
  }

  @Override
  public String uri() {
    return path.toString();
  }

  @Override
  public RangeSource openSibling(String relativeName) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    return new LocalFileRangeSource(parent.resolve(relativeName));
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
