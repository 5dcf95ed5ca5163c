package dev.asg.common.tensor;

import static dev.asg.common.tensor.SafetensorsBytes.entry;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.InvalidInputException;
import dev.asg.common.io.LocalFileRangeSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SafetensorsHeaderTest {
  @TempDir Path dir;

  private SafetensorsHeader read(Path file) throws IOException {
    try (LocalFileRangeSource src = new LocalFileRangeSource(file)) {
      return SafetensorsHeader.read(src);
    }
  }

  /** Reads {@code file}, expects rejection, checks the message names the file and every given fact. */
  private void assertRejected(Path file, String... facts) {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> read(file));
    String msg = e.getMessage();
    assertTrue(msg.contains(file.toString()), "message does not name the file: " + msg);
    assertFalse(msg.contains("\n"), "message is not one line: " + msg);
    for (String fact : facts) {
      assertTrue(msg.contains(fact), "message lacks '" + fact + "': " + msg);
    }
  }

  private Path file(String json, int dataBytes) throws IOException {
    return SafetensorsBytes.write(dir.resolve("t.safetensors"), json, dataBytes);
  }

  @Test
  void read_validFile_listsTensorsMetadataAndDataStart() throws IOException {
    String json = "{\"__metadata__\": {\"format\": \"pt\"}, " + entry("a", "F32", "[2, 3]", 0, 24) + ", "
        + entry("b", "I64", "[2]", 24, 40) + "}";
    Path f = file(json, 40);
    SafetensorsHeader h = read(f);
    assertEquals(Map.of("format", "pt"), h.metadata());
    assertEquals(2, h.tensors().size());
    SafetensorsHeader.TensorInfo a = h.tensors().get(0);
    assertEquals("a", a.name());
    assertEquals("F32", a.dtype());
    assertArrayEquals(new long[] {2, 3}, a.shape());
    assertEquals(0, a.begin());
    assertEquals(24, a.end());
    assertEquals("b", h.tensors().get(1).name());
    assertEquals(8 + json.getBytes(StandardCharsets.UTF_8).length, h.dataStart());
    assertEquals(List.of(new TensorCandidate("a", new long[] {2, 3})), h.twoDCandidates());
  }

  @Test
  void read_unknownDtype_isToleratedButNotSizeChecked() throws IOException {
    Path f = file("{" + entry("a", "F32", "[1, 2]", 0, 8) + ", " + entry("x", "Q9_FUTURE", "[5]", 8, 11) + "}", 11);
    assertEquals("Q9_FUTURE", read(f).tensor("x").dtype());
  }

  @Test
  void read_emptyHeaderObjectAndNoData_isValid() throws IOException {
    assertTrue(read(file("{}", 0)).tensors().isEmpty());
  }

  @Test
  void read_fileShorterThan8Bytes_rejected() throws IOException {
    Path f = Files.write(dir.resolve("short.safetensors"), new byte[5]);
    assertRejected(f, "5 bytes", "8-byte");
  }

  @Test
  void read_headerLengthZero_rejected() throws IOException {
    Path f = SafetensorsBytes.write(dir.resolve("z.safetensors"), 0, new byte[0], new byte[16]);
    assertRejected(f, "header length is 0");
  }

  @Test
  void read_headerLengthOneAboveLimit_rejectedNamingLimit() throws IOException {
    Path f = SafetensorsBytes.write(dir.resolve("big.safetensors"), (16L << 20) + 1, new byte[0], new byte[16]);
    assertRejected(f, "16777217", "16777216", "16 MiB");
  }

  @Test
  void read_headerLengthWithTopBitSet_rejectedAsUnsignedAboveLimit() throws IOException {
    Path f = SafetensorsBytes.write(dir.resolve("neg.safetensors"), -1L, new byte[0], new byte[16]);
    assertRejected(f, "18446744073709551615", "16 MiB");
  }

  @Test
  void read_headerLengthAtLimitButPastFileEnd_rejectedAsTruncatedNotAsTooBig() throws IOException {
    Path f = SafetensorsBytes.write(dir.resolve("lim.safetensors"), 16L << 20, new byte[0], new byte[16]);
    assertRejected(f, "runs past the end of the file", "24");
  }

  @Test
  void read_headerLongerThanFile_rejected() throws IOException {
    byte[] json = "{}".getBytes(StandardCharsets.UTF_8);
    Path f = SafetensorsBytes.write(dir.resolve("trunc.safetensors"), 100, json, new byte[0]);
    assertRejected(f, "header length 100 runs past the end of the file", "file length 10");
  }

  @Test
  void read_headerNotUtf8_rejected() throws IOException {
    byte[] json = {'{', '"', (byte) 0xff, '"', ':', '1', '}'};
    Path f = SafetensorsBytes.write(dir.resolve("latin.safetensors"), json.length, json, new byte[0]);
    assertRejected(f, "not valid UTF-8", "byte 2");
  }

  @Test
  void read_headerTruncatedUtf8Sequence_rejected() throws IOException {
    byte[] json = {'{', '}', (byte) 0xc3}; // a two-byte sequence cut after its first byte
    Path f = SafetensorsBytes.write(dir.resolve("cut.safetensors"), json.length, json, new byte[0]);
    assertRejected(f, "not valid UTF-8");
  }

  @Test
  void read_headerInvalidJson_rejected() throws IOException {
    assertRejected(file("{\"a\": {\"dtype\": ", 0), "not valid JSON", "line 1");
  }

  @Test
  void read_trailingGarbageAfterJson_rejected() throws IOException {
    assertRejected(file("{} x", 0), "not valid JSON");
  }

  @Test
  void read_headerNotAnObject_rejected() throws IOException {
    assertRejected(file("[1, 2]", 0), "must be a JSON object", "array");
  }

  @Test
  void read_duplicateTensorName_rejected() throws IOException {
    String json = "{" + entry("a", "F32", "[1]", 0, 4) + ", " + entry("a", "F32", "[1]", 4, 8) + "}";
    assertRejected(file(json, 8), "not valid JSON", "Duplicate");
  }

  @ParameterizedTest
  @ValueSource(strings = {"dtype", "shape", "data_offsets"})
  void read_missingField_rejectedNamingField(String field) throws IOException {
    String full = "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}";
    String json = full.replaceAll("\"" + field + "\": (\"F32\"|\\[[0-9, ]*\\])(, )?", "").replace(", }", "}");
    assertFalse(json.contains(field), json);
    assertRejected(file(json, 4), "tensor 'a'", "no '" + field + "' field");
  }

  @Test
  void read_tensorEntryNotAnObject_rejected() throws IOException {
    assertRejected(file("{\"a\": 3}", 0), "tensor 'a'", "must be an object");
  }

  @Test
  void read_dtypeNotAString_rejected() throws IOException {
    assertRejected(file("{\"a\": {\"dtype\": 32, \"shape\": [1], \"data_offsets\": [0, 4]}}", 4),
        "dtype must be a string");
  }

  @ParameterizedTest
  @ValueSource(strings = {"[-1, 2]", "[1.5, 2]", "[\"2\"]", "3", "[18446744073709551616]"})
  void read_badShape_rejected(String shape) throws IOException {
    assertRejected(file("{" + entry("a", "F32", shape, 0, 0) + "}", 0), "shape", "non-negative integers");
  }

  @ParameterizedTest
  @ValueSource(strings = {"[0]", "[0, 4, 8]", "[0, -4]", "[0, 4.0]"})
  void read_badDataOffsets_rejected(String offsets) throws IOException {
    String json = "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": " + offsets + "}}";
    assertRejected(file(json, 4), "data_offsets", "2 non-negative integers");
  }

  @Test
  void read_endBeforeBegin_rejected() throws IOException {
    assertRejected(file("{" + entry("a", "F32", "[0]", 8, 4) + "}", 8), "[8, 4]", "end before begin");
  }

  @Test
  void read_endPastFile_rejected() throws IOException {
    assertRejected(file("{" + entry("a", "F32", "[4]", 0, 16) + "}", 12), "[0, 16]", "past the end of the data",
        "12 bytes");
  }

  @Test
  void read_sizeNotMatchingShapeAndDtype_rejected() throws IOException {
    assertRejected(file("{" + entry("a", "F16", "[3, 4]", 0, 48) + "}", 48), "24 bytes", "cover 48 bytes",
        "must match");
  }

  @Test
  void read_sizeMismatchOnUnreadDtype_stillRejected() throws IOException {
    String json = "{" + entry("a", "F32", "[1]", 0, 4) + ", " + entry("ids", "I64", "[2]", 4, 12) + "}";
    assertRejected(file(json, 12), "tensor 'ids'", "16 bytes", "cover 8 bytes");
  }

  @Test
  void read_shapeProductOverflows_rejected() throws IOException {
    String json = "{" + entry("a", "F32", "[4294967296, 4294967296]", 0, 0) + "}";
    assertRejected(file(json, 0), "overflows");
  }

  @Test
  void read_overlappingTensors_rejected() throws IOException {
    String json = "{" + entry("a", "F32", "[4]", 0, 16) + ", " + entry("b", "F32", "[4]", 8, 24) + "}";
    assertRejected(file(json, 24), "'a' [0, 16)", "'b' [8, 24)", "overlap");
  }

  @Test
  void read_gapBetweenTensors_rejected() throws IOException {
    String json = "{" + entry("a", "F32", "[2]", 0, 8) + ", " + entry("b", "F32", "[2]", 12, 20) + "}";
    assertRejected(file(json, 20), "[8, 12)", "between 'a' and 'b'", "contiguous");
  }

  @Test
  void read_gapBeforeFirstTensor_rejected() throws IOException {
    assertRejected(file("{" + entry("a", "F32", "[2]", 4, 12) + "}", 12), "[0, 4)", "before the first tensor");
  }

  @Test
  void read_bytesAfterLastTensor_rejected() throws IOException {
    assertRejected(file("{" + entry("a", "F32", "[2]", 0, 8) + "}", 10), "[8, 10)", "after the last tensor 'a'");
  }

  @Test
  void read_tensorsListedOutOfOffsetOrder_accepted() throws IOException {
    String json = "{" + entry("b", "F32", "[2]", 8, 16) + ", " + entry("a", "F32", "[2]", 0, 8) + "}";
    SafetensorsHeader h = read(file(json, 16));
    assertEquals("b", h.tensors().get(0).name()); // header order is kept
  }

  @Test
  void read_metadataValueNotString_rejected() throws IOException {
    assertRejected(file("{\"__metadata__\": {\"step\": 5}}", 0), "'step'", "must be strings");
  }

  @Test
  void read_metadataNotObject_rejected() throws IOException {
    assertRejected(file("{\"__metadata__\": \"pt\"}", 0), "__metadata__", "object of string to string");
  }
}
