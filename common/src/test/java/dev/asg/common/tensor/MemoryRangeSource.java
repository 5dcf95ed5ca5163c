package dev.asg.common.tensor;

import dev.asg.common.io.RangeSource;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * An in-memory {@link RangeSource} for tests: a byte array followed by a virtual tail of zeros up to
 * {@code length} (so a file of terabytes can be described without storing it), with a count of read calls.
 */
final class MemoryRangeSource implements RangeSource {
  private final String uri;
  private final byte[] bytes;
  private final long length;
  final Map<String, MemoryRangeSource> siblings = new HashMap<>();
  int reads;

  MemoryRangeSource(String uri, byte[] bytes, long length) {
    this.uri = uri;
    this.bytes = bytes;
    this.length = length;
  }

  @Override
  public long length() {
    return length;
  }

  @Override
  public void readFully(long position, byte[] buf, int off, int len) throws IOException {
    reads++;
    if (position < 0 || position + len > length) {
      throw new EOFException(uri + ": read [" + position + ", " + (position + len) + ") past " + length);
    }
    Arrays.fill(buf, off, off + len, (byte) 0);
    if (position < bytes.length) {
      int n = (int) Math.min(len, bytes.length - position);
      System.arraycopy(bytes, (int) position, buf, off, n);
    }
  }

  @Override
  public String uri() {
    return uri;
  }

  @Override
  public RangeSource openSibling(String relativeName) throws IOException {
    MemoryRangeSource s = siblings.get(relativeName);
    if (s == null) {
      throw new NoSuchFileException(relativeName);
    }
    return s;
  }

  @Override
  public void close() {}
}
