package dev.asg.common.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asg.common.io.LocalFileRangeSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {
  @TempDir Path dir;

  @Test
  void create_header_isPaddedJsonInDeclarationOrderWithMetadataFirst() throws IOException {
    Path f = dir.resolve("a.safetensors");
    Map<String, String> md = new LinkedHashMap<>();
    md.put("format", "pt");
    md.put("note", "ü"); // non-ASCII: the length prefix counts bytes, not chars
    try (SafetensorsWriter w = SafetensorsWriter.create(f, List.of(new TensorDecl("z", DType.F32, 2, 2),
        new TensorDecl("a", DType.BF16, 1, 3)), md)) {
      w.writeRows(new float[] {1, 2, 3, 4}, 0, 2);
      w.writeRows(new float[] {1, 2, 3}, 0, 1);
    }
    byte[] b = Files.readAllBytes(f);
    long n = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, n % 8);
    assertEquals(8 + n + 16 + 6, b.length);
    String json = new String(b, 8, (int) n, StandardCharsets.UTF_8);
    assertTrue(json.startsWith("{") && json.stripTrailing().endsWith("}"), json);
    assertTrue(json.substring(json.lastIndexOf('}') + 1).chars().allMatch(c -> c == ' '), json);
    JsonNode root = new ObjectMapper().readTree(json);
    List<String> keys = new ArrayList<>();
    root.fieldNames().forEachRemaining(keys::add);
    assertEquals(List.of("__metadata__", "z", "a"), keys);
    assertEquals("ü", root.get("__metadata__").get("note").asText());
    assertEquals("BF16", root.get("a").get("dtype").asText());
    assertEquals("[1,3]", root.get("a").get("shape").toString());
    assertEquals("[16,22]", root.get("a").get("data_offsets").toString());
  }

  @Test
  void create_emptyMetadata_omitsMetadataKey() throws IOException {
    Path f = dir.resolve("a.safetensors");
    SafetensorsWriter.create(f, List.of(new TensorDecl("t", DType.F32, 0, 4)), Map.of()).close();
    byte[] b = Files.readAllBytes(f);
    String json = new String(b, 8, b.length - 8, StandardCharsets.UTF_8);
    assertFalse(json.contains("__metadata__"), json);
  }

  @Test
  void writeRows_f32_dataBytesAreLittleEndianFloats() throws IOException {
    Path f = dir.resolve("a.safetensors");
    float[] rows = {1.5f, -2f, 3.25f, 0f, 1e-40f, -7f};
    try (SafetensorsWriter w = SafetensorsWriter.create(f, List.of(new TensorDecl("t", DType.F32, 3, 2)),
        Map.of())) {
      w.writeRows(rows, 0, 1); // in several calls: the stream continues where it stopped
      w.writeRows(rows, 2, 2);
    }
    byte[] b = Files.readAllBytes(f);
    long n = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertArrayEquals(SafetensorsBytes.f32(rows), Arrays.copyOfRange(b, (int) (8 + n), b.length));
  }

  @Test
  void writeRows_largeTable_streamsAcrossEncodingChunks() throws IOException {
    Path f = dir.resolve("big.safetensors");
    int rows = 700;
    int dim = 1000; // 2.8 MB of F32: more than one 1 MiB encoding chunk per call
    float[] data = new float[rows * dim];
    for (int i = 0; i < data.length; i++) {
      data[i] = i;
    }
    try (SafetensorsWriter w = SafetensorsWriter.create(f, List.of(new TensorDecl("t", DType.F32, rows, dim)),
        Map.of())) {
      w.writeRows(data, 0, rows);
    }
    try (LocalFileRangeSource src = new LocalFileRangeSource(f)) {
      TableSpec spec = SafetensorsFormat.resolve(src, "t");
      float[] back = new float[data.length];
      RowReader.readRows(src, spec, 0, rows, back, 0);
      assertArrayEquals(data, back);
    }
  }

  @Test
  void writtenFile_passesHeaderValidation() throws IOException {
    Path f = dir.resolve("a.safetensors");
    try (SafetensorsWriter w = SafetensorsWriter.create(f, List.of(new TensorDecl("a", DType.F16, 3, 5),
        new TensorDecl("empty", DType.F32, 0, 7), new TensorDecl("b", DType.BF16, 1, 1)), Map.of("k", "v"))) {
      w.writeRows(new float[15], 0, 3);
      assertEquals("b", w.currentTensor().name()); // the zero-row tensor needs no call
      w.writeRows(new float[1], 0, 1);
      assertNull(w.currentTensor());
    }
    try (LocalFileRangeSource src = new LocalFileRangeSource(f)) {
      SafetensorsHeader h = SafetensorsHeader.read(src);
      assertEquals(3, h.tensors().size());
      assertEquals(Map.of("k", "v"), h.metadata());
    }
  }

  @Test
  void close_missingRows_throwsAndLeavesNoFile() throws IOException {
    Path f = dir.resolve("a.safetensors");
    SafetensorsWriter w = SafetensorsWriter.create(f, List.of(new TensorDecl("t", DType.F32, 3, 2)), Map.of());
    w.writeRows(new float[4], 0, 2);
    IllegalStateException e = assertThrows(IllegalStateException.class, w::close);
    assertTrue(e.getMessage().contains("2 of 3 rows"), e.getMessage());
    assertFalse(Files.exists(f));
    try (Stream<Path> left = Files.list(dir)) {
      assertEquals(0, left.count(), "temporary file left behind");
    }
  }

  @Test
  void writeRows_moreRowsThanTensorHasLeft_throws() throws IOException {
    Path f = dir.resolve("a.safetensors");
    try (SafetensorsWriter w = SafetensorsWriter.create(f, List.of(new TensorDecl("t", DType.F32, 2, 2),
        new TensorDecl("u", DType.F32, 5, 2)), Map.of())) {
      assertThrows(IllegalStateException.class, () -> w.writeRows(new float[6], 0, 3)); // may not span tensors
      w.writeRows(new float[4], 0, 2);
      w.writeRows(new float[10], 0, 5);
      assertThrows(IllegalStateException.class, () -> w.writeRows(new float[2], 0, 1));
    }
    assertTrue(Files.exists(f));
  }

  @Test
  void create_duplicateNames_rejected() {
    assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.create(dir.resolve("a.safetensors"),
        List.of(new TensorDecl("t", DType.F32, 1, 1), new TensorDecl("t", DType.F16, 1, 1)), Map.of()));
  }

  @Test
  void tensorDecl_reservedOrNegative_rejected() {
    assertThrows(IllegalArgumentException.class, () -> new TensorDecl("__metadata__", DType.F32, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new TensorDecl("t", DType.F32, -1, 1));
    assertThrows(IllegalArgumentException.class, () -> new TensorDecl("", DType.F32, 1, 1));
  }

  @Test
  void shardedWriter_writesShardsAndIndex() throws IOException {
    try (SafetensorsShardedWriter w = SafetensorsShardedWriter.create(dir, List.of(
        List.of(new TensorDecl("a", DType.F32, 2, 2)), List.of(new TensorDecl("b", DType.F16, 1, 2))), Map.of())) {
      w.writeRows(new float[] {1, 2, 3, 4}, 0, 2);
      w.writeRows(new float[] {5, 6}, 0, 1);
    }
    JsonNode index = new ObjectMapper().readTree(dir.resolve("model.safetensors.index.json").toFile());
    assertEquals("model-00001-of-00002.safetensors", index.get("weight_map").get("a").asText());
    assertEquals("model-00002-of-00002.safetensors", index.get("weight_map").get("b").asText());
    assertEquals(16 + 4, index.get("metadata").get("total_size").asLong());
    assertTrue(Files.exists(dir.resolve("model-00002-of-00002.safetensors")));
  }

  @Test
  void shardedWriter_incomplete_writesNoIndex() throws IOException {
    SafetensorsShardedWriter w = SafetensorsShardedWriter.create(dir, List.of(
        List.of(new TensorDecl("a", DType.F32, 1, 2)), List.of(new TensorDecl("b", DType.F32, 2, 2))), Map.of());
    w.writeRows(new float[2], 0, 1);
    w.writeRows(new float[2], 0, 1);
    assertThrows(IllegalStateException.class, w::close);
    assertFalse(Files.exists(dir.resolve("model.safetensors.index.json")));
    assertFalse(Files.exists(dir.resolve("model-00002-of-00002.safetensors")));
  }

  @Test
  void shardName_followsHuggingFacePattern() {
    assertEquals("model-00003-of-00012.safetensors", SafetensorsShardedWriter.shardName(2, 12));
  }

}
