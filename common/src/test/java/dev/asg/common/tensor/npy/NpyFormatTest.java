package dev.asg.common.tensor.npy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.InvalidInputException;
import dev.asg.common.io.LocalFileRangeSource;
import dev.asg.common.io.RangeSource;
import dev.asg.common.tensor.DType;
import dev.asg.common.tensor.TableSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyFormatTest {
  @TempDir Path dir;

  private static TableSpec resolve(Path p) throws IOException {
    try (RangeSource src = new LocalFileRangeSource(p)) {
      return NpyFormat.resolve(src);
    }
  }

  private static InvalidInputException rejected(Path p) {
    return assertThrows(InvalidInputException.class, () -> resolve(p));
  }

  /** A .npy file built byte by byte, independent of NpyWriter: version, dict text and data bytes as given. */
  private Path npy(String name, int major, String dict, byte[] data) throws IOException {
    byte[] header = (dict + "\n").getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    ByteBuffer prefix = ByteBuffer.allocate(major == 1 ? 10 : 12).order(ByteOrder.LITTLE_ENDIAN);
    prefix.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
    if (major == 1) {
      prefix.putShort((short) header.length);
    } else {
      prefix.putInt(header.length);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(prefix.array());
    out.write(header);
    out.write(data);
    Path p = dir.resolve(name);
    Files.write(p, out.toByteArray());
    return p;
  }

  private static byte[] f4(float... v) {
    ByteBuffer bb = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      bb.putFloat(f);
    }
    return bb.array();
  }

  private static float[] readF4(Path p, TableSpec spec) throws IOException {
    byte[] b = new byte[(int) spec.dataBytes()];
    try (RangeSource src = new LocalFileRangeSource(p)) {
      src.readFully(spec.dataOffset(), b, 0, b.length);
    }
    float[] out = new float[spec.rows() * spec.dim()];
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }

  @Test
  void resolve_writerF4_offsetReadsWrittenFloats() throws IOException {
    float[] data = {1.5f, -2f, 3.25f, 0f, 1e-3f, 7f};
    Path p = dir.resolve("emb.npy");
    NpyWriter.write(p, data, 3, 2, false);

    TableSpec spec = resolve(p);

    assertEquals("npy", spec.format());
    assertEquals("emb.npy", spec.tensor());
    assertEquals(DType.F32, spec.dtype());
    assertEquals(3, spec.rows());
    assertEquals(2, spec.dim());
    assertEquals(0, spec.dataOffset() % 64, "numpy aligns data to 64 bytes");
    assertArrayEquals(data, readF4(p, spec));
  }

  @Test
  void resolve_writerF2_halfBitsAtOffset() throws IOException {
    // Exactly representable in half precision: 1.0 = 0x3C00, -2.0 = 0xC000, 0.5 = 0x3800, 65504 = 0x7BFF.
    Path p = dir.resolve("emb16.npy");
    NpyWriter.write(p, new float[] {1f, -2f, 0.5f, 65504f}, 2, 2, true);

    TableSpec spec = resolve(p);

    assertEquals(DType.F16, spec.dtype());
    assertEquals(8, spec.dataBytes());
    byte[] b = new byte[8];
    try (RangeSource src = new LocalFileRangeSource(p)) {
      src.readFully(spec.dataOffset(), b, 0, 8);
    }
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(0x3C00, bb.getShort(0) & 0xffff);
    assertEquals(0xC000, bb.getShort(2) & 0xffff);
    assertEquals(0x3800, bb.getShort(4) & 0xffff);
    assertEquals(0x7BFF, bb.getShort(6) & 0xffff);
  }

  @Test
  void resolve_v1HandBuiltNoSpacesDoubleQuotes_parses() throws IOException {
    Path p = npy("a.npy", 1, "{\"descr\":\"<f4\",\"fortran_order\":False,\"shape\":(2,1)}", f4(4f, 5f));

    TableSpec spec = resolve(p);

    assertEquals(2, spec.rows());
    assertEquals(1, spec.dim());
    assertArrayEquals(new float[] {4f, 5f}, readF4(p, spec));
  }

  @Test
  void resolve_v2Header_dataAfterTwelveBytePrefix() throws IOException {
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3), }";
    Path p = npy("v2.npy", 2, dict, f4(1f, 2f, 3f));

    TableSpec spec = resolve(p);

    assertEquals(12 + dict.length() + 1, spec.dataOffset());
    assertArrayEquals(new float[] {1f, 2f, 3f}, readF4(p, spec));
  }

  @Test
  void resolve_v3Header_f2WithExtraSpacesAndPython2Longs() throws IOException {
    Path p = npy("v3.npy", 3, "{ 'shape' : ( 3L ,  2L , ) , 'fortran_order':False , 'descr':'<f2' ,}",
        new byte[3 * 2 * 2]);

    TableSpec spec = resolve(p);

    assertEquals(DType.F16, spec.dtype());
    assertEquals(3, spec.rows());
    assertEquals(2, spec.dim());
  }

  @Test
  void resolve_trailingBytes_accepted() throws IOException {
    byte[] data = Arrays.copyOf(f4(1f, 2f), 8 + 100);
    Path p = npy("tail.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }", data);

    assertArrayEquals(new float[] {1f, 2f}, readF4(p, resolve(p)));
  }

  @Test
  void resolve_fortranOrder_rejected() throws IOException {
    Path p = npy("f.npy", 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", new byte[16]);

    InvalidInputException e = rejected(p);

    assertTrue(e.getMessage().contains("Fortran-order"), e.getMessage());
    assertTrue(e.getMessage().contains("np.ascontiguousarray"), e.getMessage());
    assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
  }

  @Test
  void resolve_bigEndianF4_rejected() throws IOException {
    Path p = npy("be.npy", 1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }", new byte[16]);

    InvalidInputException e = rejected(p);

    assertTrue(e.getMessage().contains("big-endian"), e.getMessage());
    assertTrue(e.getMessage().contains("astype('<f4')"), e.getMessage());
  }

  @Test
  void resolve_bigEndianF2_rejected() throws IOException {
    Path p = npy("be2.npy", 1, "{'descr': '>f2', 'fortran_order': False, 'shape': (2, 2), }", new byte[8]);

    assertTrue(rejected(p).getMessage().contains("big-endian"));
  }

  @Test
  void resolve_float64_rejectedNamingAllowed() throws IOException {
    Path p = npy("d.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", new byte[32]);

    InvalidInputException e = rejected(p);

    assertTrue(e.getMessage().contains("'<f8'"), e.getMessage());
    assertTrue(e.getMessage().contains("'<f4'"), e.getMessage());
  }

  @Test
  void resolve_structuredDtype_rejected() throws IOException {
    Path p = npy("s.npy", 1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2, 2), }",
        new byte[16]);

    assertTrue(rejected(p).getMessage().contains("not supported"));
  }

  @Test
  void resolve_oneD_rejected() throws IOException {
    Path p = npy("1d.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", new byte[16]);

    InvalidInputException e = rejected(p);

    assertTrue(e.getMessage().contains("(4,) is 1-D"), e.getMessage());
  }

  @Test
  void resolve_shapeWhoseByteCountOverflowsLong_rejectedAsCorrupt() throws IOException {
    Path p = npy("big.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2147483647, 2147483647), }",
        new byte[16]);

    assertTrue(rejected(p).getMessage().contains("corrupt"));
  }

  @Test
  void resolve_headerNested5000Deep_rejectedWithoutStackOverflow() throws IOException {
    Path p = npy("deep.npy", 2, "{'descr': '<f4', 'fortran_order': False, 'shape': " + "[".repeat(5000)
        + "]".repeat(5000) + ", }", new byte[16]);

    assertTrue(rejected(p).getMessage().contains("levels of nesting"));
  }

  @Test
  void resolve_threeD_rejected() throws IOException {
    Path p = npy("3d.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2, 2), }", new byte[32]);

    assertTrue(rejected(p).getMessage().contains("3-D"));
  }

  @Test
  void resolve_zeroRows_rejected() throws IOException {
    Path p = npy("0.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4), }", new byte[0]);

    InvalidInputException e = rejected(p);

    assertTrue(e.getMessage().contains("rows 0"), e.getMessage());
  }

  @Test
  void resolve_dimAboveIntRange_rejected() throws IOException {
    Path p = npy("big.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2147483648), }",
        new byte[0]);

    assertTrue(rejected(p).getMessage().contains("dim 2147483648"));
  }

  @Test
  void resolve_truncatedData_rejectedWithExpectedAndActualBytes() throws IOException {
    Path p = npy("t.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", new byte[23]);

    InvalidInputException e = rejected(p);

    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    assertTrue(e.getMessage().contains("needs 24 data bytes"), e.getMessage());
    assertTrue(e.getMessage().contains("only 23"), e.getMessage());
  }

  @Test
  void resolve_exactDataLength_accepted() throws IOException {
    Path p = npy("x.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }", new byte[24]);

    assertEquals(24, resolve(p).dataBytes());
  }

  @Test
  void resolve_badMagic_rejected() throws IOException {
    Path p = dir.resolve("notnpy.npy");
    Files.write(p, "PK\u0003\u0004 this is a zip, not npy".getBytes(StandardCharsets.ISO_8859_1));

    assertTrue(rejected(p).getMessage().contains("not a .npy file"));
  }

  @Test
  void resolve_tooShort_rejected() throws IOException {
    Path p = dir.resolve("short.npy");
    Files.write(p, new byte[] {(byte) 0x93, 'N', 'U', 'M'});

    assertTrue(rejected(p).getMessage().contains("only 4 bytes"));
  }

  @Test
  void resolve_unsupportedVersion_rejected() throws IOException {
    Path p = npy("v9.npy", 9, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), }", new byte[4]);

    assertTrue(rejected(p).getMessage().contains("version 9.0"));
  }

  @Test
  void resolve_headerLengthBeyondFile_rejected() throws IOException {
    Path p = npy("h.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), }", new byte[4]);
    byte[] b = Files.readAllBytes(p);
    b[8] = (byte) 0xff;
    b[9] = (byte) 0xff; // header length 65535 in a ~80-byte file
    Files.write(p, b);

    assertTrue(rejected(p).getMessage().contains("header length 65535"));
  }

  @Test
  void resolve_malformedHeader_rejectedWithPosition() throws IOException {
    Path p = npy("m.npy", 1, "{'descr': '<f4' 'fortran_order': False, 'shape': (1, 1)}", new byte[4]);

    InvalidInputException e = rejected(p);

    assertTrue(e.getMessage().contains("malformed .npy header"), e.getMessage());
    assertTrue(e.getMessage().contains("expected ',' or '}'"), e.getMessage());
  }

  @Test
  void resolve_missingFortranOrder_rejected() throws IOException {
    Path p = npy("nf.npy", 1, "{'descr': '<f4', 'shape': (1, 1)}", new byte[4]);

    assertTrue(rejected(p).getMessage().contains("fortran_order"));
  }

  @Test
  void fileName_uriWithDirectories_lastSegment() {
    assertEquals("emb.npy", NpyFormat.fileName("hdfs://nn:8020/data/models/emb.npy"));
    assertEquals("emb.npy", NpyFormat.fileName("emb.npy"));
  }
}
