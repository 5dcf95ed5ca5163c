package dev.asg.tests.consume;

import static dev.asg.tests.consume.MiniLmConsumerFixture.D;
import static dev.asg.tests.consume.MiniLmConsumerFixture.LM_HEAD;
import static dev.asg.tests.consume.MiniLmConsumerFixture.V;
import static dev.asg.tests.consume.MiniLmConsumerFixture.WORD;
import static dev.asg.tests.consume.MiniLmConsumerFixture.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asg.common.artifact.Digests;
import dev.asg.common.artifact.Manifest;
import dev.asg.common.io.LocalFileRangeSource;
import dev.asg.common.tensor.HalfFloats;
import dev.asg.common.tensor.SafetensorsHeader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code asg export} and {@code asg decode} on real MiniLM artifacts: digests, reconstructions, patched models. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExportDecodeTest {
  private MiniLmConsumerFixture fx;
  @TempDir
  Path tmp;

  @BeforeAll
  void fixture() throws Exception {
    fx = MiniLmConsumerFixture.get();
  }

  private static SafetensorsHeader header(Path file) throws Exception {
    try (LocalFileRangeSource src = new LocalFileRangeSource(file)) {
      return SafetensorsHeader.read(src);
    }
  }

  /** The stored bytes of one tensor. */
  private static byte[] bytes(Path file, String tensor) throws Exception {
    SafetensorsHeader h = header(file);
    SafetensorsHeader.TensorInfo t = h.tensor(tensor);
    byte[] all = Files.readAllBytes(file);
    return Arrays.copyOfRange(all, (int) (h.dataStart() + t.begin()), (int) (h.dataStart() + t.end()));
  }

  private static String sha(byte[] b) {
    MessageDigest md = Digests.sha256();
    md.update(b);
    return Digests.hex(md);
  }

  private static Manifest manifest(Path dir) throws Exception {
    return Manifest.read(Files.newInputStream(dir.resolve("manifest.json")));
  }

  @Test
  void export_separate_bytesHaveTheManifestDigestsAndMetadata() throws Exception {
    Manifest m = manifest(fx.separate);
    SafetensorsHeader h = header(fx.separateExport);
    assertArrayEquals(new long[] {24 * 256, D / 24}, h.tensor("codebook").shape());
    assertEquals("F32", h.tensor("codebook").dtype());
    assertArrayEquals(new long[] {V, 24}, h.tensor("concept_ids").shape());
    assertEquals("I32", h.tensor("concept_ids").dtype());
    assertEquals(m.digests.get("codebook"), sha(bytes(fx.separateExport, "codebook")));
    assertEquals(m.digests.get("mapping"), sha(bytes(fx.separateExport, "concept_ids")));
    Map<String, String> md = h.metadata();
    assertEquals("asg-export", md.get("format"));
    assertEquals("24", md.get("m"));
    assertEquals("256", md.get("k"));
    assertEquals("separate", md.get("mode"));
    assertEquals("30522", md.get("V"));
    assertEquals("384", md.get("D"));
    assertEquals(m.source.sha256, md.get("source.sha256"));
    assertEquals(m.digests.get("codebook"), md.get("digests.codebook"));
    JsonNode tokens = Manifest.mapper().readTree(md.get("tokens"));
    assertEquals(V, tokens.size());
    assertEquals("father", tokens.get(2269).asText(), "BERT's vocabulary puts 'father' at id 2269");
    assertEquals(m.result.relativeMse, Manifest.mapper().readTree(md.get("manifest")).at("/result/relative_mse")
        .asDouble());
  }

  @Test
  void export_sharedAndDecoder_layoutsAndDigests() throws Exception {
    SafetensorsHeader s = header(fx.sharedExport);
    assertArrayEquals(new long[] {256, D / 24}, s.tensor("codebook").shape());
    assertEquals("shared", s.metadata().get("mode"));
    assertEquals(manifest(fx.shared).digests.get("codebook"), sha(bytes(fx.sharedExport, "codebook")));

    SafetensorsHeader d = header(fx.decoderExport);
    assertEquals("input,output", d.metadata().get("sections"));
    for (String section : new String[] {"input", "output"}) {
      Manifest m = manifest(fx.decoder.resolve(section));
      assertArrayEquals(new long[] {24 * 64, D / 24}, d.tensor(section + ".codebook").shape());
      assertEquals(m.digests.get("codebook"), sha(bytes(fx.decoderExport, section + ".codebook")));
      assertEquals(m.digests.get("mapping"), sha(bytes(fx.decoderExport, section + ".concept_ids")));
    }
    assertEquals(LM_HEAD, d.metadata().get("output.source.tensor"));
  }

  @Test
  void decodeTable_f32_relativeMseEqualsManifest() throws Exception {
    float[] recon = floats(bytes(fx.decodedTable, WORD));
    double err = 0;
    double energy = 0;
    for (int i = 0; i < recon.length; i++) {
      double diff = fx.table[i] - recon[i];
      err += diff * diff;
      energy += (double) fx.table[i] * fx.table[i];
    }
    assertEquals(manifest(fx.separate).result.relativeMse, err / energy, 1e-6);
  }

  @Test
  void decodeTable_bf16_isTheRoundedF32Table() throws Exception {
    Path bf16 = tmp.resolve("t-bf16.safetensors");
    ok("decode", "--artifacts", fx.separate.toString(), "--output", bf16.toString(), "--dtype", "bf16");
    assertEquals("BF16", header(bf16).tensor(WORD).dtype());
    float[] f32 = floats(bytes(fx.decodedTable, WORD));
    ByteBuffer b = ByteBuffer.wrap(bytes(bf16, WORD)).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < f32.length; i += 97) {
      assertEquals(HalfFloats.floatToBf16(f32[i]), b.getShort(2 * i), "element " + i);
    }
  }

  @Test
  void decodeModel_singleFile_onlyTheEmbeddingBytesChange() throws Exception {
    Path out = tmp.resolve("asg-model.safetensors");
    ok("decode", "--artifacts", fx.separate.toString(), "--model", fx.model.toString(), "--output", out.toString());
    byte[] in = Files.readAllBytes(fx.model);
    byte[] got = Files.readAllBytes(out);
    assertEquals(in.length, got.length);
    SafetensorsHeader h = header(fx.model);
    int begin = (int) (h.dataStart() + h.tensor(WORD).begin());
    int end = (int) (h.dataStart() + h.tensor(WORD).end());
    assertArrayEquals(Arrays.copyOfRange(in, 0, begin), Arrays.copyOfRange(got, 0, begin),
        "header, metadata and the tensors before the embedding are byte-identical");
    assertArrayEquals(Arrays.copyOfRange(in, end, in.length), Arrays.copyOfRange(got, end, got.length),
        "every tensor after the embedding (lm_head included: not part of this artifact) is byte-identical");
    assertArrayEquals(bytes(fx.decodedTable, WORD), Arrays.copyOfRange(got, begin, end));
    assertTrue(!Arrays.equals(Arrays.copyOfRange(in, begin, end), Arrays.copyOfRange(got, begin, end)));
  }

  @Test
  void decodeModel_sharded_sameIndexAndShardsWithTheEmbeddingReplaced() throws Exception {
    Path out = tmp.resolve("asg-sharded");
    ok("decode", "--artifacts", fx.separate.toString(), "--model", fx.shardedIndex.toString(), "--output",
        out.toString());
    Path inDir = fx.shardedIndex.getParent();
    try (var files = Files.list(out)) {
      assertEquals(3, files.count(), "the index and its two shards, nothing else");
    }
    assertArrayEquals(Files.readAllBytes(fx.shardedIndex), Files.readAllBytes(out.resolve(
        fx.shardedIndex.getFileName())));
    String first = "model-00001-of-00002.safetensors";
    String second = "model-00002-of-00002.safetensors";
    assertArrayEquals(Files.readAllBytes(inDir.resolve(first)), Files.readAllBytes(out.resolve(first)));
    Path shard = out.resolve(second);
    assertEquals(header(inDir.resolve(second)).headerLength(), header(shard).headerLength());
    assertArrayEquals(bytes(fx.decodedTable, WORD), bytes(shard, WORD));
  }

  @Test
  void decodeModel_decoder_replacesBothTensorsInTheirOwnDtype() throws Exception {
    Path out = tmp.resolve("asg-decoder.safetensors");
    Path table = tmp.resolve("decoder-bf16.safetensors");
    ok("decode", "--artifacts", fx.decoder.toString(), "--model", fx.model.toString(), "--output", out.toString());
    ok("decode", "--artifacts", fx.decoder.toString(), "--output", table.toString(), "--dtype", "bf16");
    assertEquals("BF16", header(out).tensor(LM_HEAD).dtype());
    assertArrayEquals(bytes(table, LM_HEAD), bytes(out, LM_HEAD), "lm_head: the output section, as BF16");
    float[] word = floats(bytes(out, WORD));
    ByteBuffer b = ByteBuffer.wrap(bytes(table, WORD)).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < word.length; i += 89) {
      assertEquals(HalfFloats.floatToBf16(word[i]), b.getShort(2 * i), "input section, F32, element " + i);
    }
    for (String other : new String[] {"embeddings.position_embeddings.weight",
        "embeddings.token_type_embeddings.weight"}) {
      assertArrayEquals(bytes(fx.model, other), bytes(out, other), other + " unchanged");
    }
  }

  static float[] floats(byte[] b) {
    float[] f = new float[b.length / 4];
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
    return f;
  }
}
