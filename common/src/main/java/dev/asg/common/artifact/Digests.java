package dev.asg.common.artifact;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 digests of the artifacts' canonical binary forms, as recorded in manifest.digests: the codebook as the
 * float32 little-endian (rows x dsub) array in row order, the mapping as the int32 little-endian V x m array in
 * token order. They identify the numbers, not the Parquet encoding, so two runs can be compared bit for bit.
 */
public final class Digests {
  private Digests() {}

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  /** Feeds floats as little-endian float32. */
  public static void updateFloats(MessageDigest md, float[] values, int off, int len) {
    ByteBuffer bb = ByteBuffer.allocate(Math.min(len, 1 << 16) * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    int i = off;
    int end = off + len;
    while (i < end) {
      bb.clear();
      int n = Math.min(end - i, bb.capacity() / Float.BYTES);
      bb.asFloatBuffer().put(values, i, n);
      md.update(bb.array(), 0, n * Float.BYTES);
      i += n;
    }
  }

  /** Feeds ints as little-endian int32. */
  public static void updateInts(MessageDigest md, int[] values, int off, int len) {
    ByteBuffer bb = ByteBuffer.allocate(Math.min(len, 1 << 16) * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    int i = off;
    int end = off + len;
    while (i < end) {
      bb.clear();
      int n = Math.min(end - i, bb.capacity() / Integer.BYTES);
      bb.asIntBuffer().put(values, i, n);
      md.update(bb.array(), 0, n * Integer.BYTES);
      i += n;
    }
  }

  public static String hex(MessageDigest md) {
    return HexFormat.of().formatHex(md.digest());
  }

  /** Digest of the concatenated arrays as float32 LE (the codebook digest: one array per codebook, in order). */
  public static String ofFloatArrays(float[][] arrays) {
    MessageDigest md = sha256();
    for (float[] a : arrays) {
      updateFloats(md, a, 0, a.length);
    }
    return hex(md);
  }

  /** Digest of a whole float array as float32 LE. */
  public static String ofFloats(float[] values) {
    MessageDigest md = sha256();
    updateFloats(md, values, 0, values.length);
    return hex(md);
  }

  /** SHA-256 of int32 little-endian values: what manifest digests.mapping covers. */
  public static String ofInts(int[] values) {
    MessageDigest md = sha256();
    updateInts(md, values, 0, values.length);
    return hex(md);
  }
}
