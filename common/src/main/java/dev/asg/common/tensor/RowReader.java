package dev.asg.common.tensor;

import dev.asg.common.InvalidInputException;
import dev.asg.common.io.RangeSource;
import java.io.IOException;
import java.util.Objects;

/**
 * Reads a range of rows of a resolved table ({@link TableSpec}) as float32, with as few positioned reads as
 * possible: the whole byte range in one {@link RangeSource#readFully} call, split into chunks of at most
 * {@link #MAX_READ_BYTES} only when it is larger. One read per range matters on object stores, where every read is
 * a request with its own latency.
 *
 * <p>Every value is checked to be finite, because a NaN or infinity silently poisons k-means (a NaN distance
 * never wins a comparison, an infinite row drags its centroid to infinity); the error names the absolute row
 * (the token id) and column so the user can fix or drop it.
 *
 * <p>Buffers: the raw bytes go through a per-thread cached array of up to {@link #THREAD_CACHE_BYTES}, and larger
 * ranges are read in chunks of that size, so a Spark task thread that reads partition after partition allocates it
 * once and reading a table produces no garbage beyond the float[] it fills. (Reading a 64 MiB partition into a
 * temporary 64 MiB byte[] instead made the JVM grow its heap during the read by several times the table size.)
 * 16 MiB requests are still large enough for object stores. Callers that manage their own buffer pass it to
 * {@link #readRows(RangeSource, TableSpec, int, int, float[], int, byte[])}. Thread-safe if the source is.
 */
public final class RowReader {
  /** Largest single request with a caller's own scratch buffer. */
  public static final int MAX_READ_BYTES = 64 << 20;

  /** The per-thread buffer, and so the largest request of {@link #readRows(RangeSource, TableSpec, int, int,
   * float[], int)}; see the class comment. */
  public static final int THREAD_CACHE_BYTES = 16 << 20;

  private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[0]);

  private RowReader() {}

  /**
   * Reads rows {@code [firstRow, firstRow + nRows)} of {@code spec} into {@code dst} starting at {@code dstOff},
   * row-major, {@code spec.dim()} floats per row.
   *
   * @throws InvalidInputException if a value is NaN or infinite (the message names the file, tensor, row, column)
   * @throws IllegalArgumentException if the row range is outside the table or {@code dst} is too short
   */
  public static void readRows(RangeSource src, TableSpec spec, int firstRow, int nRows, float[] dst, int dstOff)
      throws IOException {
    long totalBytes = checkRange(spec, firstRow, nRows, dst, dstOff) * spec.dtype().bytes();
    int want = (int) Math.min(totalBytes, THREAD_CACHE_BYTES);
    byte[] buf = BUFFER.get();
    if (buf.length < want) {
      buf = new byte[want];
      BUFFER.set(buf);
    }
    readChunked(src, spec, firstRow, nRows, dst, dstOff, buf, want);
  }

  /**
   * Same as {@link #readRows(RangeSource, TableSpec, int, int, float[], int)} with a caller-owned byte buffer:
   * each read is at most {@code scratch.length} bytes (and at most {@link #MAX_READ_BYTES}).
   *
   * @throws IllegalArgumentException if {@code scratch} cannot hold one element
   */
  public static void readRows(RangeSource src, TableSpec spec, int firstRow, int nRows, float[] dst, int dstOff,
      byte[] scratch) throws IOException {
    checkRange(spec, firstRow, nRows, dst, dstOff);
    if (scratch.length < spec.dtype().bytes()) {
      throw new IllegalArgumentException("scratch buffer of " + scratch.length + " bytes cannot hold one "
          + spec.dtype() + " element");
    }
    readChunked(src, spec, firstRow, nRows, dst, dstOff, scratch, Math.min(scratch.length, MAX_READ_BYTES));
  }

  /** Validates the request and returns the number of elements it covers. */
  private static long checkRange(TableSpec spec, int firstRow, int nRows, float[] dst, int dstOff) {
    Objects.requireNonNull(spec, "spec");
    if (firstRow < 0 || nRows < 0 || (long) firstRow + nRows > spec.rows()) {
      throw new IllegalArgumentException("rows [" + firstRow + ", " + ((long) firstRow + nRows) + ") are outside "
          + spec + " (rows 0.." + spec.rows() + ")");
    }
    long elements = (long) nRows * spec.dim();
    if (dstOff < 0 || dstOff + elements > dst.length) {
      throw new IllegalArgumentException("destination of " + dst.length + " floats cannot hold " + elements
          + " floats at offset " + dstOff);
    }
    return elements;
  }

  private static void readChunked(RangeSource src, TableSpec spec, int firstRow, int nRows, float[] dst,
      int dstOff, byte[] buf, int maxChunkBytes) throws IOException {
    int elemBytes = spec.dtype().bytes();
    long firstElement = (long) firstRow * spec.dim();
    long elements = (long) nRows * spec.dim();
    // Chunks are cut on element boundaries, not rows, so a single row wider than the buffer still works.
    int chunkElements = maxChunkBytes / elemBytes;
    long done = 0;
    while (done < elements) {
      int n = (int) Math.min(chunkElements, elements - done);
      src.readFully(spec.dataOffset() + (firstElement + done) * elemBytes, buf, 0, n * elemBytes);
      int at = dstOff + (int) done;
      RowDecoder.decode(spec.dtype(), buf, 0, dst, at, n);
      checkFinite(spec, dst, at, n, firstElement + done);
      done += n;
    }
  }

  private static void checkFinite(TableSpec spec, float[] values, int off, int n, long firstElement) {
    for (int i = 0; i < n; i++) {
      float v = values[off + i];
      if (!Float.isFinite(v)) {
        long element = firstElement + i;
        String what = Float.isNaN(v) ? "NaN" : (v > 0 ? "+Infinity" : "-Infinity");
        throw new InvalidInputException(spec.uri() + ": tensor '" + spec.tensor() + "' row " + element / spec.dim()
            + " column " + element % spec.dim() + " is " + what
            + "; the table must be finite (fix or drop that row before quantizing)");
      }
    }
  }
}
