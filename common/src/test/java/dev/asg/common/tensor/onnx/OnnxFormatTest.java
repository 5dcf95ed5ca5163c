package dev.asg.common.tensor.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.CodedOutputStream;
import dev.asg.common.InvalidInputException;
import dev.asg.common.io.LocalFileRangeSource;
import dev.asg.common.io.RangeSource;
import dev.asg.common.tensor.DType;
import dev.asg.common.tensor.TableSpec;
import dev.asg.common.tensor.onnx.OnnxWriter.Encoding;
import dev.asg.common.tensor.onnx.OnnxWriter.Initializer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxFormatTest {
  private static final String EMB = "embeddings.word_embeddings.weight";

  @TempDir Path dir;

  /** Values that differ everywhere, so an offset that is off by any number of floats reads different numbers. */
  private static float[] values(int n, long seed) {
    Random r = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextFloat() * 2 - 1;
    }
    return v;
  }

  /** Other weights before and after the embedding, so its offset is not at a trivially guessable place. */
  private Path model(Initializer embedding) throws IOException {
    Path p = dir.resolve("m.onnx");
    OnnxWriter.write(p, List.of(
        Initializer.floats("encoder.layer.0.attention.self.query.weight", values(12, 1), Encoding.RAW_DATA, 4, 3),
        Initializer.floats("encoder.layer.0.attention.self.query.bias", values(3, 2), Encoding.PACKED_FLOAT_DATA, 3),
        embedding,
        Initializer.floats("pooler.dense.weight", values(6, 3), Encoding.PACKED_FLOAT_DATA, 2, 3)));
    return p;
  }

  private static TableSpec resolve(Path p, String tensor) throws IOException {
    try (RangeSource src = new LocalFileRangeSource(p)) {
      return OnnxFormat.resolve(src, tensor);
    }
  }

  private static float[] readFloats(Path p, TableSpec spec) throws IOException {
    byte[] b = new byte[(int) spec.dataBytes()];
    try (RangeSource src = new LocalFileRangeSource(p)) {
      src.readFully(spec.dataOffset(), b, 0, b.length);
    }
    float[] out = new float[spec.rows() * spec.dim()];
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }

  @Test
  void resolve_rawDataF32_offsetReadsWrittenFloats() throws IOException {
    float[] emb = values(7 * 5, 42);
    Path p = model(Initializer.floats(EMB, emb, Encoding.RAW_DATA, 7, 5));

    TableSpec spec = resolve(p, null);

    assertEquals("onnx", spec.format());
    assertEquals(EMB, spec.tensor());
    assertEquals(DType.F32, spec.dtype());
    assertEquals(7, spec.rows());
    assertEquals(5, spec.dim());
    assertArrayEquals(emb, readFloats(p, spec));
  }

  @Test
  void resolve_packedFloatData_offsetReadsWrittenFloats() throws IOException {
    float[] emb = values(6 * 4, 43);
    Path p = model(Initializer.floats(EMB, emb, Encoding.PACKED_FLOAT_DATA, 6, 4));

    TableSpec spec = resolve(p, null);

    assertEquals(DType.F32, spec.dtype());
    assertEquals(6, spec.rows());
    assertEquals(4, spec.dim());
    assertArrayEquals(emb, readFloats(p, spec));
  }

  @Test
  void resolve_packedDims_sameShapeAsUnpacked() throws IOException {
    float[] emb = values(3 * 300, 44); // 300 needs a two-byte varint inside the packed dims
    Path p = model(Initializer.floats(EMB, emb, Encoding.RAW_DATA, 3, 300).withPackedDims());

    TableSpec spec = resolve(p, null);

    assertEquals(3, spec.rows());
    assertEquals(300, spec.dim());
    assertArrayEquals(emb, readFloats(p, spec));
  }

  @Test
  void resolve_float16RawData_dtypeF16AndOffsetOfRawBytes() throws IOException {
    byte[] raw = new byte[4 * 2 * 2];
    for (int i = 0; i < raw.length; i++) {
      raw[i] = (byte) (i * 7 + 1);
    }
    Path p = model(Initializer.raw("model.embed_tokens.weight", OnnxWriter.FLOAT16, raw, 4, 2));

    TableSpec spec = resolve(p, null);

    assertEquals(DType.F16, spec.dtype());
    assertEquals(16, spec.dataBytes());
    byte[] back = new byte[raw.length];
    try (RangeSource src = new LocalFileRangeSource(p)) {
      src.readFully(spec.dataOffset(), back, 0, back.length);
    }
    assertArrayEquals(raw, back);
  }

  @Test
  void resolve_bfloat16RawData_dtypeBf16() throws IOException {
    Path p = model(Initializer.raw("shared.weight", OnnxWriter.BFLOAT16, new byte[3 * 2 * 2], 3, 2));

    assertEquals(DType.BF16, resolve(p, null).dtype());
  }

  @Test
  void resolve_explicitTensorName_usesItEvenWithoutEmbeddingSuffix() throws IOException {
    float[] emb = values(5 * 2, 45);
    Path p = model(Initializer.floats("onnx::Gather_0", emb, Encoding.RAW_DATA, 5, 2));

    TableSpec spec = resolve(p, "onnx::Gather_0");

    assertEquals("onnx::Gather_0", spec.tensor());
    assertArrayEquals(emb, readFloats(p, spec));
  }

  @Test
  void resolve_explicitTensorName_overridesEmbeddingSuffix() throws IOException {
    Path p = model(Initializer.floats(EMB, values(10, 46), Encoding.RAW_DATA, 5, 2));

    TableSpec spec = resolve(p, "pooler.dense.weight");

    assertEquals("pooler.dense.weight", spec.tensor());
    assertArrayEquals(values(6, 3), readFloats(p, spec));
  }

  @Test
  void resolve_largePayload_readsOnlyMetadata() throws IOException {
    int rows = 100_000;
    int dim = 20; // 8 MB of floats
    Path p = model(Initializer.floats(EMB, new float[rows * dim], Encoding.RAW_DATA, rows, dim));
    long[] read = {0};
    try (RangeSource file = new LocalFileRangeSource(p)) {
      RangeSource counting = new RangeSource() {
        @Override
        public long length() throws IOException {
          return file.length();
        }

        @Override
        public void readFully(long position, byte[] buf, int off, int len) throws IOException {
          read[0] += len;
          file.readFully(position, buf, off, len);
        }

        @Override
        public String uri() {
          return file.uri();
        }

        @Override
        public RangeSource openSibling(String relativeName) {
          throw new UnsupportedOperationException();
        }

        @Override
        public void close() {}
      };
      TableSpec spec = OnnxFormat.resolve(counting, null);
      assertEquals(rows, spec.rows());
    }
    assertTrue(read[0] < 512 * 1024, "read " + read[0] + " bytes of an 8 MB model");
  }

  @Test
  void resolve_noInitializers_throws() throws IOException {
    Path p = dir.resolve("empty.onnx");
    OnnxWriter.write(p, List.of());

    InvalidInputException e = assertThrows(InvalidInputException.class, () -> resolve(p, null));

    assertTrue(e.getMessage().contains("no initializers"), e.getMessage());
    assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
  }

  @Test
  void resolve_protobufWithoutGraph_throwsNoGraph() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(b);
    out.writeInt64(1, 8); // ir_version only
    out.flush();
    Path p = dir.resolve("nograph.onnx");
    Files.write(p, b.toByteArray());

    InvalidInputException e = assertThrows(InvalidInputException.class, () -> resolve(p, null));

    assertTrue(e.getMessage().contains("no graph"), e.getMessage());
  }

  @Test
  void resolve_truncatedModel_throwsParseError() throws IOException {
    Path full = model(Initializer.floats(EMB, values(50 * 10, 47), Encoding.RAW_DATA, 50, 10));
    byte[] bytes = Files.readAllBytes(full);
    Path p = dir.resolve("cut.onnx");
    Files.write(p, Arrays.copyOf(bytes, bytes.length / 2));

    InvalidInputException e = assertThrows(InvalidInputException.class, () -> resolve(p, null));

    assertTrue(e.getMessage().contains("not a readable ONNX model"), e.getMessage());
  }

  @Test
  void resolve_tensorMissing_listsTwoDInitializersWithShapes() throws IOException {
    Path p = model(Initializer.floats(EMB, values(10, 48), Encoding.RAW_DATA, 5, 2));

    InvalidInputException e = assertThrows(InvalidInputException.class, () -> resolve(p, "nope"));

    String m = e.getMessage();
    assertTrue(m.contains("'nope'"), m);
    assertTrue(m.contains(EMB + " [5, 2]"), m);
    assertTrue(m.contains("pooler.dense.weight [2, 3]"), m);
    assertTrue(m.contains("encoder.layer.0.attention.self.query.weight [4, 3]"), m);
    assertFalse(m.contains("query.bias"), "1-D tensors are not candidates: " + m);
    assertTrue(m.contains("--tensor"), m);
  }

  @Test
  void resolve_noEmbeddingSuffix_throwsListingCandidates() throws IOException {
    Path p = model(Initializer.floats("onnx::Gather_0", values(10, 49), Encoding.RAW_DATA, 5, 2));

    InvalidInputException e = assertThrows(InvalidInputException.class, () -> resolve(p, null));

    assertTrue(e.getMessage().contains("onnx::Gather_0 [5, 2]"), e.getMessage());
    assertTrue(e.getMessage().contains("pass --tensor NAME"), e.getMessage());
  }

  @Test
  void resolve_twoEmbeddingSuffixes_throwsNamingBoth() throws IOException {
    Path p = dir.resolve("t5.onnx");
    OnnxWriter.write(p, List.of(
        Initializer.floats("shared.weight", values(10, 50), Encoding.RAW_DATA, 5, 2),
        Initializer.floats("encoder.embed_tokens.weight", values(10, 50), Encoding.RAW_DATA, 5, 2)));

    InvalidInputException e = assertThrows(InvalidInputException.class, () -> resolve(p, null));

    assertTrue(e.getMessage().contains("several"), e.getMessage());
    assertTrue(e.getMessage().contains("shared.weight [5, 2]"), e.getMessage());
    assertTrue(e.getMessage().contains("encoder.embed_tokens.weight [5, 2]"), e.getMessage());
  }

  @Test
  void resolve_embeddingSuffixOnOneDTensor_notPicked() throws IOException {
    Path p = dir.resolve("m.onnx");
    OnnxWriter.write(p, List.of(
        Initializer.floats("wte.weight", values(4, 51), Encoding.RAW_DATA, 4),
        Initializer.floats("transformer.wte.weight", values(8, 52), Encoding.RAW_DATA, 4, 2)));

    assertEquals("transformer.wte.weight", resolve(p, null).tensor());
  }

  @Test
  void resolve_externalData_throwsNotSupported() throws IOException {
    Path p = model(Initializer.floats(EMB, values(10, 53), Encoding.RAW_DATA, 5, 2).withExternalData("m.onnx.data"));

    InvalidInputException e = assertThrows(InvalidInputException.class, () -> resolve(p, null));

    assertTrue(e.getMessage().contains("external data"), e.getMessage());
    assertTrue(e.getMessage().contains("m.onnx.data"), e.getMessage());
    assertTrue(e.getMessage().contains("--input-format npy"), e.getMessage());
  }

  @Test
  void resolve_unsupportedDataType_namesIt() throws IOException {
    Path p = model(Initializer.raw(EMB, 3, new byte[10], 5, 2)); // INT8

    InvalidInputException e = assertThrows(InvalidInputException.class, () -> resolve(p, null));

    assertTrue(e.getMessage().contains("INT8 (3)"), e.getMessage());
  }

  @Test
  void resolve_unknownDataTypeCode_printsNumber() throws IOException {
    Path p = model(Initializer.raw(EMB, 99, new byte[10], 5, 2));

    InvalidInputException e = assertThrows(InvalidInputException.class, () -> resolve(p, null));

    assertTrue(e.getMessage().contains("(99)"), e.getMessage());
  }

  @Test
  void resolve_oneDTensorByName_throws() throws IOException {
    Path p = model(Initializer.floats(EMB, values(10, 54), Encoding.RAW_DATA, 5, 2));

    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> resolve(p, "encoder.layer.0.attention.self.query.bias"));

    assertTrue(e.getMessage().contains("[3] (1-D)"), e.getMessage());
  }

  @Test
  void resolve_threeDTensorByName_throws() throws IOException {
    Path p = model(Initializer.floats("cube", values(8, 55), Encoding.RAW_DATA, 2, 2, 2));

    InvalidInputException e = assertThrows(InvalidInputException.class, () -> resolve(p, "cube"));

    assertTrue(e.getMessage().contains("3-D"), e.getMessage());
  }

  @Test
  void resolve_zeroRows_throws() throws IOException {
    Path p = model(Initializer.floats(EMB, new float[0], Encoding.RAW_DATA, 0, 4));

    InvalidInputException e = assertThrows(InvalidInputException.class, () -> resolve(p, null));

    assertTrue(e.getMessage().contains("between 1 and"), e.getMessage());
  }

  @Test
  void resolve_oneRowOneDim_accepted() throws IOException {
    Path p = model(Initializer.floats(EMB, new float[] {2.5f}, Encoding.RAW_DATA, 1, 1));

    TableSpec spec = resolve(p, null);

    assertArrayEquals(new float[] {2.5f}, readFloats(p, spec));
  }

  @Test
  void resolve_payloadShorterThanShape_throws() throws IOException {
    Path p = model(Initializer.raw(EMB, OnnxWriter.FLOAT, new byte[5 * 2 * 4 - 4], 5, 2));

    InvalidInputException e = assertThrows(InvalidInputException.class, () -> resolve(p, null));

    assertTrue(e.getMessage().contains("40 bytes"), e.getMessage());
    assertTrue(e.getMessage().contains("36 bytes"), e.getMessage());
  }

  @Test
  void resolve_unpackedFloatData_throws() throws IOException {
    Path p = model(Initializer.floats(EMB, values(10, 56), Encoding.UNPACKED_FLOAT_DATA, 5, 2));

    InvalidInputException e = assertThrows(InvalidInputException.class, () -> resolve(p, null));

    assertTrue(e.getMessage().contains("unpacked"), e.getMessage());
  }

  @Test
  void resolve_float16WithoutRawData_throws() throws IOException {
    // A FLOAT16 tensor with no payload field (as if its values were in int32_data, which is not contiguous).
    ByteArrayOutputStream t = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(t);
    out.writeInt64(1, 5);
    out.writeInt64(1, 2);
    out.writeInt32(2, OnnxWriter.FLOAT16);
    out.writeString(8, EMB);
    out.flush();
    ByteArrayOutputStream g = new ByteArrayOutputStream();
    CodedOutputStream go = CodedOutputStream.newInstance(g);
    go.writeByteArray(5, t.toByteArray());
    go.flush();
    ByteArrayOutputStream m = new ByteArrayOutputStream();
    CodedOutputStream mo = CodedOutputStream.newInstance(m);
    mo.writeByteArray(7, g.toByteArray());
    mo.flush();
    Path p = dir.resolve("nopayload.onnx");
    Files.write(p, m.toByteArray());

    InvalidInputException e = assertThrows(InvalidInputException.class, () -> resolve(p, null));

    assertTrue(e.getMessage().contains("no raw_data"), e.getMessage());
  }
}
