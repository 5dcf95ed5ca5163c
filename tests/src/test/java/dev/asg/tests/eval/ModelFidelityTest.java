package dev.asg.tests.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asg.common.fidelity.OnnxEncoder;
import dev.asg.common.fidelity.OutputAgreement;
import dev.asg.common.fidelity.TextTokenizer;
import dev.asg.common.fidelity.TokenizedTexts;
import dev.asg.common.io.LocalFileRangeSource;
import dev.asg.common.tensor.RowReader;
import dev.asg.common.tensor.TableSpec;
import dev.asg.common.tensor.onnx.OnnxFormat;
import dev.asg.tests.FortuneTexts;
import dev.asg.tests.MiniLmFiles;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pieces of model-output fidelity on the real all-MiniLM-L6-v2: its tokenizer, checked against ids that do not
 * come from the tokenizer library itself (tokenizer.json's vocab and the published bert-base-uncased ids), and the
 * in-session initializer override, which must reproduce the model bit for bit when given the model's own table.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelFidelityTest {
  @TempDir
  static Path dir;
  private Path onnx;
  private Path tokenizerJson;
  private TextTokenizer tok;
  private JsonNode vocab;

  @BeforeAll
  void setUp() throws Exception {
    onnx = MiniLmFiles.extract(dir, MiniLmFiles.ONNX);
    tokenizerJson = MiniLmFiles.extract(dir, MiniLmFiles.TOKENIZER);
    tok = TextTokenizer.open(tokenizerJson);
    vocab = new ObjectMapper().readTree(tokenizerJson.toFile()).path("model").path("vocab");
  }

  @AfterAll
  void tearDown() {
    tok.close();
  }

  private long[] ids(String text) {
    return tok.encode(List.of(text)).ids()[0];
  }

  @Test
  void encode_helloWorld_publishedBertUncasedIds() {
    // [CLS] hello world ! [SEP] in bert-base-uncased's vocabulary, which MiniLM shares.
    assertArrayEquals(new long[] {101, 7592, 2088, 999, 102}, ids("Hello world!"));
  }

  @Test
  void encode_accentsAndCase_normalizedAsBertUncased() {
    assertArrayEquals(new String[] {"[CLS]", "the", "cafe", "'", "s", "naive", "resume", "[SEP]"},
        tok.tokens("The CAFÉ's naïve Résumé"));
  }

  @Test
  void encode_rareWord_wordPiecesWithVocabIds() {
    String[] t = tok.tokens("unbelievably");
    assertArrayEquals(new String[] {"[CLS]", "un", "##bel", "##ie", "##va", "##bly", "[SEP]"}, t);
    long[] ids = ids("unbelievably");
    for (int i = 0; i < t.length; i++) {
      assertEquals(vocab.path(t[i]).asLong(-1), ids[i], "id of " + t[i] + " in tokenizer.json's vocab");
    }
  }

  @Test
  void encode_fortunes_everyTokenIsItsVocabEntryAndPaddingDropped() throws Exception {
    List<String> texts = FortuneTexts.sentences(50);
    TokenizedTexts tt = tok.encode(texts);
    for (int i = 0; i < texts.size(); i++) {
      String[] t = tok.tokens(texts.get(i));
      assertEquals(t.length, tt.ids()[i].length, "no padding kept: " + texts.get(i));
      assertEquals(101, tt.ids()[i][0]);
      assertEquals(102, tt.ids()[i][t.length - 1]);
      for (int p = 0; p < t.length; p++) {
        assertEquals(vocab.path(t[p]).asLong(-1), tt.ids()[i][p], t[p]);
      }
    }
  }

  @Test
  void encode_longText_truncatedAtTokenizerJsonMaxLength() {
    String text = String.join(" ", java.util.Collections.nCopies(300, "word"));
    assertEquals(128, ids(text).length, "truncation.max_length of tokenizer.json");
  }

  private float[] originalTable(TableSpec[] specOut) throws Exception {
    try (LocalFileRangeSource src = new LocalFileRangeSource(onnx)) {
      TableSpec spec = OnnxFormat.resolve(src, MiniLmFiles.TENSOR);
      float[] t = new float[spec.rows() * spec.dim()];
      RowReader.readRows(src, spec, 0, spec.rows(), t, 0);
      specOut[0] = spec;
      return t;
    }
  }

  @Test
  void override_originalTable_reproducesModelExactly() throws Exception {
    TableSpec[] spec = new TableSpec[1];
    float[] table = originalTable(spec);
    TokenizedTexts texts = tok.encode(FortuneTexts.sentences(80));
    float[] asIs;
    try (OnnxEncoder e = OnnxEncoder.open(onnx, MiniLmFiles.TENSOR, null, spec[0].rows(), spec[0].dim())) {
      asIs = e.embed(texts);
      assertEquals(384, e.hidden());
    }
    float[] same;
    try (OnnxEncoder e = OnnxEncoder.open(onnx, MiniLmFiles.TENSOR, table, spec[0].rows(), spec[0].dim())) {
      same = e.embed(texts);
    }
    assertArrayEquals(asIs, same, "bit-identical outputs with the model's own table as the override");

    // The override is really applied: one changed row (the id of "the") changes the outputs of texts using it.
    int the = (int) vocab.path("the").asLong();
    for (int d = 0; d < spec[0].dim(); d++) {
      table[the * spec[0].dim() + d] = 0;
    }
    float[] changed;
    try (OnnxEncoder e = OnnxEncoder.open(onnx, MiniLmFiles.TENSOR, table, spec[0].rows(), spec[0].dim())) {
      changed = e.embed(texts);
    }
    assertFalse(Arrays.equals(asIs, changed), "zeroing a row must move the outputs");
    OutputAgreement a = OutputAgreement.of(asIs, changed, texts.size(), 384);
    assertTrue(a.minCosine() < 1 - 1e-4 && a.meanCosine() > 0.5, "one word changed: " + a);
  }
}
