package dev.asg.common.vocab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.InvalidInputException;
import dev.asg.common.io.LocalFileRangeSource;
import dev.asg.common.io.RangeSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VocabularyLoaderTest {
  @TempDir Path dir;

  private static Vocabulary load(String name, String content) throws IOException {
    return VocabularyLoader.load(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)), name);
  }

  private static InvalidInputException rejected(String name, String content) {
    return assertThrows(InvalidInputException.class, () -> load(name, content));
  }

  private static List<String> tokens(Vocabulary v) {
    String[] t = new String[v.size()];
    for (int i = 0; i < t.length; i++) {
      t[i] = v.token(i);
    }
    return List.of(t);
  }

  @Test
  void load_wordPieceMapOutOfOrder_tokensById() throws IOException {
    String json = "{\"model\": {\"type\": \"WordPiece\", \"unk_token\": \"[UNK]\", "
        + "\"vocab\": {\"the\": 2, \"[PAD]\": 0, \"##s\": 3, \"[UNK]\": 1}}}";

    Vocabulary v = load("tokenizer.json", json);

    assertEquals(List.of("[PAD]", "[UNK]", "the", "##s"), tokens(v));
  }

  @Test
  void load_bpeMap_tokensById() throws IOException {
    String json = "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"\u0120the\": 1, \"a\": 0}, \"merges\": []}}";

    assertEquals(List.of("a", "\u0120the"), tokens(load("tokenizer.json", json)));
  }

  @Test
  void load_unigramList_idIsIndex() throws IOException {
    String json = "{\"model\": {\"type\": \"Unigram\", \"unk_id\": 0, "
        + "\"vocab\": [[\"<unk>\", 0.0], [\"\u2581the\", -3.2], [\"s\", -4.5]]}}";

    assertEquals(List.of("<unk>", "\u2581the", "s"), tokens(load("tokenizer.json", json)));
  }

  @Test
  void load_randomBinary_rejectedAsNotUtf8() {
    byte[] junk = new byte[4096];
    new java.util.Random(7).nextBytes(junk);
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> VocabularyLoader.load(new ByteArrayInputStream(junk), "vocab.bin"));
    assertTrue(e.getMessage().contains("not UTF-8"), e.getMessage());
  }

  @Test
  void load_textWithNul_rejectedAsBinary() {
    assertTrue(rejected("vocab.txt", "a\nb\u0000c\n").getMessage().contains("NUL"));
  }

  @Test
  void load_unigramEntryNotPair_rejected() {
    String json = "{\"model\": {\"type\": \"Unigram\", \"vocab\": [[\"a\", 0.0], 5]}}";

    assertTrue(rejected("tokenizer.json", json).getMessage().contains("model.vocab[1]"));
  }

  @Test
  void load_addedTokens_extendVocabAndOverrideSameId() throws IOException {
    String json = "{\"added_tokens\": [{\"id\": 3, \"content\": \"<|end|>\", \"special\": true}, "
        + "{\"id\": 1, \"content\": \"[MASK]\"}], "
        + "\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1, \"c\": 2}}}";

    assertEquals(List.of("a", "[MASK]", "c", "<|end|>"), tokens(load("tokenizer.json", json)));
  }

  @Test
  void load_gapInIds_namesFileAndFirstMissingId() {
    String json = "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {\"a\": 0, \"b\": 1, \"c\": 3, \"d\": 5}}}";

    InvalidInputException e = rejected("my-tokenizer.json", json);

    assertTrue(e.getMessage().contains("my-tokenizer.json"), e.getMessage());
    assertTrue(e.getMessage().contains("id 2 is missing"), e.getMessage());
  }

  @Test
  void load_hugeBogusId_reportsFirstGap() {
    String json = "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 2000000000}}}";

    assertTrue(rejected("tokenizer.json", json).getMessage().contains("id 1 is missing"));
  }

  @Test
  void load_idsNotStartingAtZero_reportsZeroMissing() {
    String json = "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 1, \"b\": 2}}}";

    assertTrue(rejected("tokenizer.json", json).getMessage().contains("id 0 is missing"));
  }

  @Test
  void load_twoTokensSameId_rejected() {
    String json = "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 0, \"c\": 1}}}";

    assertTrue(rejected("tokenizer.json", json).getMessage().contains("both have id 0"));
  }

  @Test
  void load_negativeOrFractionalId_rejected() {
    assertTrue(rejected("t.json", "{\"model\": {\"vocab\": {\"a\": -1}}}").getMessage().contains("id -1"));
    assertTrue(rejected("t.json", "{\"model\": {\"vocab\": {\"a\": 0.5}}}").getMessage().contains("id 0.5"));
  }

  @Test
  void load_modelWithoutVocab_rejectedNamingType() {
    InvalidInputException e = rejected("tokenizer.json", "{\"model\": {\"type\": \"Mystery\"}}");

    assertTrue(e.getMessage().contains("Mystery"), e.getMessage());
  }

  @Test
  void load_gpt2VocabJson_flatMap() throws IOException {
    assertEquals(List.of("x", "y"), tokens(load("vocab.json", "{\"y\": 1, \"x\": 0}")));
  }

  @Test
  void load_invalidJson_rejectedNamingFile() {
    InvalidInputException e = rejected("tokenizer.json", "{\"model\": ");

    assertTrue(e.getMessage().contains("tokenizer.json is not valid JSON"), e.getMessage());
  }

  @Test
  void load_vocabTxt_keepsSpaceAndEmptyTokensStripsLineEndings() throws IOException {
    Vocabulary v = load("vocab.txt", "[PAD]\r\n \n\n##ing\r\nlast");

    assertEquals(List.of("[PAD]", " ", "", "##ing", "last"), tokens(v));
  }

  @Test
  void load_vocabTxtTrailingNewline_noExtraToken() throws IOException {
    assertEquals(List.of("a", "b"), tokens(load("vocab.txt", "a\nb\n")));
  }

  @Test
  void load_vocabTxtWithBom_bomNotPartOfFirstToken() throws IOException {
    assertEquals("[PAD]", load("vocab.txt", "\uFEFF[PAD]\nx\n").token(0));
  }

  @Test
  void load_otherExtension_treatedAsLineList() throws IOException {
    assertEquals(List.of("{", "b"), tokens(load("tokens.list", "{\nb\n")));
  }

  @Test
  void load_emptyTxt_rejected() {
    assertTrue(rejected("vocab.txt", "").getMessage().contains("vocab.txt is empty"));
  }

  @Test
  void load_rangeSource_readsWholeFileAndNamesItByUri() throws IOException {
    Path p = dir.resolve("vocab.txt");
    Files.writeString(p, "a\nb\nc\n");
    try (RangeSource src = new LocalFileRangeSource(p)) {
      assertEquals(List.of("a", "b", "c"), tokens(VocabularyLoader.load(src)));
    }
    Path bad = dir.resolve("tokenizer.json");
    Files.writeString(bad, "{\"model\": {\"vocab\": {\"a\": 1}}}");
    try (RangeSource src = new LocalFileRangeSource(bad)) {
      InvalidInputException e = assertThrows(InvalidInputException.class, () -> VocabularyLoader.load(src));
      assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
    }
  }

  @Test
  void findNextTo_allExist_priorityOrder() {
    List<String> found = VocabularyLoader.findNextTo("all-minilm-l6-v2.onnx", name -> true);

    assertEquals(List.of("tokenizer.json", "all-minilm-l6-v2-tokenizer.json", "vocab.txt"), found);
  }

  @Test
  void findNextTo_someExist_onlyThoseInOrder() {
    Set<String> present = Set.of("vocab.txt", "all-minilm-l6-v2-tokenizer.json", "other.json");

    List<String> found = VocabularyLoader.findNextTo("/models/all-minilm-l6-v2.onnx", present::contains);

    assertEquals(List.of("all-minilm-l6-v2-tokenizer.json", "vocab.txt"), found);
  }

  @Test
  void findNextTo_noneExist_empty() {
    assertEquals(List.of(), VocabularyLoader.findNextTo("m.safetensors", name -> false));
  }

  @Test
  void findNextTo_noExtension_wholeNameIsBase() {
    assertEquals(List.of("embedding-tokenizer.json"),
        VocabularyLoader.findNextTo("hdfs://nn/x/embedding", "embedding-tokenizer.json"::equals));
  }
}
