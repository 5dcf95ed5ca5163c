package dev.asg.common.tensor;

import static dev.asg.common.tensor.SafetensorsBytes.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

class SafetensorsFormatTest {
  @TempDir Path dir;

  private TableSpec resolve(Path file, String tensor) throws IOException {
    try (LocalFileRangeSource src = new LocalFileRangeSource(file)) {
      return SafetensorsFormat.resolve(src, tensor);
    }
  }

  private InvalidInputException rejected(Path file, String tensor, String... facts) {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> resolve(file, tensor));
    assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    for (String fact : facts) {
      assertTrue(e.getMessage().contains(fact), "message lacks '" + fact + "': " + e.getMessage());
    }
    return e;
  }

  /** A BERT-like file: position ids (I64), the embedding (F16 [10, 4]) and a pooler (F32 [4, 4]). */
  private Path bertLike() throws IOException {
    String json = "{" + entry("embeddings.position_ids", "I64", "[1, 10]", 0, 80) + ", "
        + entry("embeddings.word_embeddings.weight", "F16", "[10, 4]", 80, 160) + ", "
        + entry("pooler.dense.weight", "F32", "[4, 4]", 160, 224) + "}";
    return SafetensorsBytes.write(dir.resolve("bert.safetensors"), json, 224);
  }

  private static long headerBytes(Path file) throws IOException {
    byte[] b = Files.readAllBytes(file);
    long n = 0;
    for (int i = 7; i >= 0; i--) {
      n = (n << 8) | (b[i] & 0xff);
    }
    return n;
  }

  @Test
  void resolve_autoDetect_findsTheOneEmbeddingWithAbsoluteOffset() throws IOException {
    Path f = bertLike();
    TableSpec s = resolve(f, null);
    assertEquals("safetensors", s.format());
    assertEquals(f.toString(), s.uri());
    assertEquals("embeddings.word_embeddings.weight", s.tensor());
    assertEquals(DType.F16, s.dtype());
    assertEquals(10, s.rows());
    assertEquals(4, s.dim());
    assertEquals(8 + headerBytes(f) + 80, s.dataOffset());
  }

  @Test
  void resolve_namedTensor_resolvesIt() throws IOException {
    Path f = bertLike();
    TableSpec s = resolve(f, "pooler.dense.weight");
    assertEquals(DType.F32, s.dtype());
    assertEquals(8 + headerBytes(f) + 160, s.dataOffset());
  }

  @Test
  void resolve_noEmbeddingName_listsTwoDCandidates() throws IOException {
    String json = "{" + entry("a.weight", "F32", "[10, 4]", 0, 160) + ", " + entry("b.weight", "F32", "[3, 8]", 160,
        256) + ", " + entry("c.bias", "F32", "[8]", 256, 288) + "}";
    Path f = SafetensorsBytes.write(dir.resolve("m.safetensors"), json, 288);
    InvalidInputException e = rejected(f, null, f.toString(), "found no embedding tensor", "--tensor",
        "2-D tensors: a.weight [10, 4], b.weight [3, 8]");
    assertTrue(!e.getMessage().contains("c.bias"), e.getMessage());
  }

  @Test
  void resolve_severalEmbeddingNames_rejected() throws IOException {
    String json = "{" + entry("shared.weight", "F32", "[2, 2]", 0, 16) + ", "
        + entry("decoder.embed_tokens.weight", "F32", "[2, 2]", 16, 32) + "}";
    Path f = SafetensorsBytes.write(dir.resolve("t5.safetensors"), json, 32);
    rejected(f, null, "found 2 embedding tensors", "--tensor");
  }

  @Test
  void resolve_missingNamedTensor_listsCandidates() throws IOException {
    rejected(bertLike(), "nope.weight", "'nope.weight'", "not found",
        "embeddings.word_embeddings.weight [10, 4], pooler.dense.weight [4, 4]");
  }

  @Test
  void resolve_namedTensorNot2D_rejectedWithShape() throws IOException {
    String json = "{" + entry("conv.weight", "F32", "[2, 3, 4]", 0, 96) + "}";
    Path f = SafetensorsBytes.write(dir.resolve("c.safetensors"), json, 96);
    rejected(f, "conv.weight", "'conv.weight'", "shape [2, 3, 4]", "2-D");
  }

  @Test
  void resolve_namedTensorWrongDtype_rejectedNamingAllowed() throws IOException {
    rejected(bertLike(), "embeddings.position_ids", "dtype I64", "allowed: F32, F16, BF16");
  }

  @Test
  void resolve_autoDetectedEmbeddingWrongDtype_rejected() throws IOException {
    String json = "{" + entry("wte.weight", "F64", "[2, 2]", 0, 32) + "}";
    Path f = SafetensorsBytes.write(dir.resolve("f64.safetensors"), json, 32);
    rejected(f, null, "'wte.weight'", "dtype F64", "allowed: F32, F16, BF16");
  }

  @Test
  void resolve_zeroRows_rejected() throws IOException {
    Path f = SafetensorsBytes.write(dir.resolve("z.safetensors"), "{" + entry("wte.weight", "F32", "[0, 4]", 0, 0)
        + "}", 0);
    rejected(f, null, "shape [0, 4]", "at least one row and one column");
  }

  @Test
  void resolve_zeroColumns_rejected() throws IOException {
    Path f = SafetensorsBytes.write(dir.resolve("z.safetensors"), "{" + entry("wte.weight", "F32", "[4, 0]", 0, 0)
        + "}", 0);
    rejected(f, null, "shape [4, 0]", "at least one row and one column");
  }

  /** A header describing {@code rows x dim} F16 with the data as a virtual zero tail (nothing is allocated). */
  private static MemoryRangeSource virtualTable(long rows, long dim) {
    long bytes = rows * dim * 2;
    byte[] json = ("{" + entry("wte.weight", "F16", "[" + rows + ", " + dim + "]", 0, bytes) + "}")
        .getBytes(StandardCharsets.UTF_8);
    byte[] head = new byte[8 + json.length];
    for (int i = 0; i < 8; i++) {
      head[i] = (byte) ((long) json.length >>> (8 * i));
    }
    System.arraycopy(json, 0, head, 8, json.length);
    return new MemoryRangeSource("virtual.safetensors", head, head.length + bytes);
  }

  @Test
  void resolve_rowsAtIntMax_accepted() throws IOException {
    TableSpec s = SafetensorsFormat.resolve(virtualTable(Integer.MAX_VALUE, 1), null);
    assertEquals(Integer.MAX_VALUE, s.rows());
  }

  @Test
  void resolve_rowsAboveIntMax_rejected() {
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> SafetensorsFormat.resolve(virtualTable(Integer.MAX_VALUE + 1L, 1), null));
    assertTrue(e.getMessage().contains("at most 2147483647"), e.getMessage());
  }

  @Test
  void resolve_dimAboveIntMax_rejected() {
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> SafetensorsFormat.resolve(virtualTable(1, Integer.MAX_VALUE + 1L), null));
    assertTrue(e.getMessage().contains("[1, 2147483648]"), e.getMessage());
  }

  // ---- sharded checkpoints ----

  /** Shard 1: a layer weight and the embedding; shard 2: a norm and an LM head (not an embedding name). */
  private Path sharded() throws IOException {
    try (SafetensorsShardedWriter w = SafetensorsShardedWriter.create(dir, List.of(
        List.of(new TensorDecl("model.layers.0.mlp.weight", DType.F32, 2, 3),
            new TensorDecl("model.embed_tokens.weight", DType.BF16, 5, 3)),
        List.of(new TensorDecl("model.norm.weight", DType.F32, 1, 3),
            new TensorDecl("lm_head.weight", DType.F16, 5, 3))), Map.of("format", "pt"))) {
      float[] rows = new float[15];
      while (w.currentTensor() != null) {
        w.writeRows(rows, 0, w.currentTensor().rows());
      }
      return w.indexPath();
    }
  }

  @Test
  void resolve_shardedAutoDetect_findsEmbeddingInItsShard() throws IOException {
    Path index = sharded();
    TableSpec s = resolve(index, null);
    Path shard1 = dir.resolve("model-00001-of-00002.safetensors");
    assertEquals(shard1.toString(), s.uri());
    assertEquals("model.embed_tokens.weight", s.tensor());
    assertEquals(DType.BF16, s.dtype());
    assertEquals(5, s.rows());
    assertEquals(8 + headerBytes(shard1) + 2 * 3 * 4, s.dataOffset());
  }

  @Test
  void resolve_shardedNamedTensorInSecondShard_resolvesThere() throws IOException {
    TableSpec s = resolve(sharded(), "lm_head.weight");
    Path shard2 = dir.resolve("model-00002-of-00002.safetensors");
    assertEquals(shard2.toString(), s.uri());
    assertEquals(8 + headerBytes(shard2) + 3 * 4, s.dataOffset());
  }

  @Test
  void resolve_shardedMissingShard_rejectedNamingIndexAndShard() throws IOException {
    Path index = sharded();
    Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
    rejected(index, "lm_head.weight", index.toString(), "shard 'model-00002-of-00002.safetensors'",
        "for tensor 'lm_head.weight'", "does not exist");
    rejected(index, null, index.toString(), "shard 'model-00002-of-00002.safetensors'", "does not exist");
  }

  @Test
  void resolve_shardedUnknownTensor_listsCandidatesOfAllShards() throws IOException {
    rejected(sharded(), "nope", "'nope'", "not found", "model.layers.0.mlp.weight [2, 3]",
        "lm_head.weight [5, 3]");
  }

  @Test
  void resolve_indexPointsToWrongShard_rejectedAsDisagreement() throws IOException {
    sharded();
    Path index = dir.resolve("bad.index.json");
    Files.writeString(index, "{\"metadata\": {}, \"weight_map\": {\"lm_head.weight\": "
        + "\"model-00001-of-00002.safetensors\"}}");
    rejected(index, "lm_head.weight", "disagree", "model-00001-of-00002.safetensors");
  }

  @Test
  void resolve_indexWithoutWeightMap_rejected() throws IOException {
    Path index = Files.writeString(dir.resolve("x.index.json"), "{\"metadata\": {}}");
    rejected(index, null, index.toString(), "weight_map");
  }

  @Test
  void resolve_indexShardNameWithPath_rejected() throws IOException {
    Path index = Files.writeString(dir.resolve("x.index.json"),
        "{\"weight_map\": {\"wte.weight\": \"../other/model.safetensors\"}}");
    rejected(index, null, "'wte.weight'", "../other/model.safetensors", "plain file names");
  }

  @Test
  void resolve_indexNotJson_rejected() throws IOException {
    Path index = Files.writeString(dir.resolve("x.index.json"), "weight_map: yes");
    rejected(index, null, index.toString(), "not valid JSON");
  }

  @Test
  void listTwoDTensors_index_listsEveryShard() throws IOException {
    try (LocalFileRangeSource src = new LocalFileRangeSource(sharded())) {
      assertEquals(List.of(new TensorCandidate("model.layers.0.mlp.weight", new long[] {2, 3}),
          new TensorCandidate("model.embed_tokens.weight", new long[] {5, 3}),
          new TensorCandidate("model.norm.weight", new long[] {1, 3}),
          new TensorCandidate("lm_head.weight", new long[] {5, 3})), SafetensorsFormat.listTwoDTensors(src));
    }
  }
}
