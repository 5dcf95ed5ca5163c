package dev.asg.spark.consume;

import dev.asg.common.io.RangeSource;
import dev.asg.common.tensor.DType;
import dev.asg.common.tensor.RowEncoder;
import dev.asg.spark.artifact.LoadedArtifact;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Streams the little-endian bytes that safetensors stores: raw arrays, reconstructions, copied byte ranges. */
final class TensorBytes {
  /** 1 MiB slices: big enough for efficient writes, small next to any table. */
  private static final int SLICE = 1 << 20;

  private TensorBytes() {}

  /** The 8-byte little-endian header length, then the header. */
  static void header(OutputStream os, byte[] header) throws IOException {
    os.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
    os.write(header);
  }

  static void floats(OutputStream os, float[] values) throws IOException {
    ByteBuffer bb = ByteBuffer.allocate(SLICE).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < values.length; ) {
      int n = Math.min(values.length - i, SLICE / Float.BYTES);
      bb.clear();
      bb.asFloatBuffer().put(values, i, n);
      os.write(bb.array(), 0, n * Float.BYTES);
      i += n;
    }
  }

  static void ints(OutputStream os, int[] values) throws IOException {
    ByteBuffer bb = ByteBuffer.allocate(SLICE).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < values.length; ) {
      int n = Math.min(values.length - i, SLICE / Integer.BYTES);
      bb.clear();
      bb.asIntBuffer().put(values, i, n);
      os.write(bb.array(), 0, n * Integer.BYTES);
      i += n;
    }
  }

  /** The V x D reconstruction of {@code s} encoded as {@code dtype}, a block of rows at a time. */
  static void reconstruction(OutputStream os, LoadedArtifact s, DType dtype) throws IOException {
    int dim = s.dir().dim();
    int rows = s.dir().rows();
    int block = Math.max(1, SLICE / (dim * Float.BYTES));
    float[] f = new float[block * dim];
    byte[] b = new byte[block * dim * dtype.bytes()];
    for (int r = 0; r < rows; r += block) {
      int n = Math.min(block, rows - r);
      s.reconstruct(r, n, f);
      RowEncoder.encode(dtype, f, 0, b, 0, n * dim);
      os.write(b, 0, n * dim * dtype.bytes());
    }
  }

  /** Copies bytes [from, from + len) of {@code src} unchanged. */
  static void copy(RangeSource src, long from, long len, OutputStream os) throws IOException {
    byte[] buf = new byte[(int) Math.min(SLICE, Math.max(1, len))];
    for (long done = 0; done < len; ) {
      int n = (int) Math.min(buf.length, len - done);
      src.readFully(from + done, buf, 0, n);
      os.write(buf, 0, n);
      done += n;
    }
  }
}
