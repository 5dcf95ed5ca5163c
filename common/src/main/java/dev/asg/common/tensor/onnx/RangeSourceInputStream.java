package dev.asg.common.tensor.onnx;

import dev.asg.common.io.RangeSource;
import java.io.IOException;
import java.io.InputStream;

/**
 * A sequential {@link InputStream} over a {@link RangeSource}. {@link #skip} only moves the position, so when the
 * protobuf reader skips a large field (a weight payload) nothing is read: that is what lets the driver scan an
 * 80 MB model while reading only its small metadata fields.
 *
 * <p>Not buffered on purpose: {@code CodedInputStream} already reads through its own buffer, so each
 * {@link #read(byte[], int, int)} here is one positioned read of a full buffer.
 */
final class RangeSourceInputStream extends InputStream {
  private final RangeSource source;
  private final long length;
  private long position;

  RangeSourceInputStream(RangeSource source) throws IOException {
    this.source = source;
    this.length = source.length();
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (position >= length) {
      return -1;
    }
    int n = (int) Math.min(len, length - position);
    source.readFully(position, b, off, n);
    position += n;
    return n;
  }

  /** Advances without reading; stops at the end of the file so that a truncated file surfaces as a parse error. */
  @Override
  public long skip(long n) {
    if (n <= 0) {
      return 0;
    }
    long k = Math.min(n, length - position);
    position += k;
    return k;
  }

  @Override
  public int available() {
    return (int) Math.min(Integer.MAX_VALUE, length - position);
  }

  /** The source stays open: its owner closes it. */
  @Override
  public void close() {}
}
