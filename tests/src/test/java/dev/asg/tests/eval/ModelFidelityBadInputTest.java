package dev.asg.tests.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.tensor.onnx.OnnxWriter;
import dev.asg.spark.cli.AsgMain;
import dev.asg.tests.MiniLmFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code asg evaluate --model --texts} with bad input: exit 2, one line naming the flag and the file, and the
 * artifact directory untouched (no report.md, manifest.json byte for byte as quantize wrote it). The artifact is a
 * small ONNX initializer quantized here; every check runs before Spark starts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelFidelityBadInputTest {
  private static final int V = 200;
  private static final int D = 16;
  private static final String TENSOR = "encoder.word_embeddings.weight";

  @TempDir
  static Path dir;
  private Path model;
  private Path artifact;
  private Path tokenizer;
  private Path texts;
  private byte[] manifest;

  private static String[] run(String... args) {
    StringWriter err = new StringWriter();
    int code = AsgMain.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), args);
    return new String[] {Integer.toString(code), err.toString()};
  }

  private static float[] table(int rows, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] t = new float[rows * D];
    for (int i = 0; i < t.length; i++) {
      t[i] = (float) r.nextGaussian();
    }
    return t;
  }

  private Path onnx(String name, String tensor, int rows) throws Exception {
    Path p = dir.resolve(name);
    OnnxWriter.write(p, List.of(OnnxWriter.Initializer.floats(tensor, table(rows, rows),
        OnnxWriter.Encoding.RAW_DATA, rows, D)));
    return p;
  }

  @BeforeAll
  void setUp() throws Exception {
    model = onnx("model.onnx", TENSOR, V);
    artifact = dir.resolve("asg");
    String[] q = run("quantize", "--input", model.toString(), "--m", "4", "--k", "4", "--iterations", "2",
        "--output", artifact.toString(), "--master", "local[1]");
    assertEquals("0", q[0], q[1]);
    manifest = Files.readAllBytes(artifact.resolve("manifest.json"));
    tokenizer = MiniLmFiles.extract(dir, MiniLmFiles.TOKENIZER);
    texts = Files.writeString(dir.resolve("texts.txt"), "A day for firm decisions.\nGive him an evasive answer.\n");
  }

  private void assertBadInput(List<String> extra, String... fragments) throws Exception {
    List<String> a = new ArrayList<>(List.of("evaluate", "--artifacts", artifact.toString(), "--input",
        model.toString(), "--master", "local[1]"));
    a.addAll(extra);
    String[] r = run(a.toArray(new String[0]));
    assertEquals("2", r[0], r[1]);
    assertEquals(1, r[1].lines().count(), "one line: " + r[1]);
    assertTrue(r[1].startsWith("asg: error: "), r[1]);
    for (String f : fragments) {
      assertTrue(r[1].contains(f), "'" + r[1].strip() + "' lacks '" + f + "'");
    }
    assertFalse(Files.exists(artifact.resolve("report.md")), "no report written");
    assertArrayEquals(manifest, Files.readAllBytes(artifact.resolve("manifest.json")), "manifest untouched");
  }

  @Test
  void evaluate_modelWithoutTheTensor_exit2() throws Exception {
    Path other = onnx("other.onnx", "decoder.weight", V);
    assertBadInput(List.of("--model", other.toString(), "--tokenizer", tokenizer.toString(), "--texts",
        texts.toString()), "--model " + other, "no initializer '" + TENSOR + "'");
  }

  @Test
  void evaluate_tensorOfAnotherShape_exit2() throws Exception {
    Path small = onnx("small.onnx", TENSOR, V / 2);
    assertBadInput(List.of("--model", small.toString(), "--tokenizer", tokenizer.toString(), "--texts",
        texts.toString()), "--model " + small, "100 x 16", "200 x 16");
  }

  @Test
  void evaluate_emptyTextsFile_exit2() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.txt"), "\n  \n");
    assertBadInput(List.of("--model", model.toString(), "--tokenizer", tokenizer.toString(), "--texts",
        empty.toString()), "--texts " + empty, "no non-blank line");
  }

  @Test
  void evaluate_tokenizerOfAnotherModel_exit2AfterEvaluatingNothingWritten() throws Exception {
    // MiniLM's ids reach 30521; this model's table has 200 rows. Found when the texts are tokenized, after the
    // table's evaluation, and still nothing may be written.
    assertBadInput(List.of("--model", model.toString(), "--tokenizer", tokenizer.toString(), "--texts",
        texts.toString(), "--sample", "20"), "--tokenizer " + tokenizer, "has only 200 rows");
  }

  @Test
  void evaluate_modelOnnxRuntimeCannotRun_exit2AfterEvaluatingNothingWritten() throws Exception {
    // Right initializer name and shape and a tokenizer whose ids fit, but no graph nodes: found only when
    // ONNX Runtime loads the model.
    Path small = Files.writeString(dir.resolve("small-tokenizer.json"), SMALL_TOKENIZER);
    assertBadInput(List.of("--model", model.toString(), "--tokenizer", small.toString(), "--texts",
        texts.toString(), "--sample", "20"), "--model " + model);
  }

  /** A 10-token WordPiece tokenizer.json in the Hugging Face format, so every id is a row of the 200-row table. */
  private static final String SMALL_TOKENIZER = """
      {"version": "1.0", "truncation": null, "padding": null,
       "added_tokens": [
         {"id": 0, "content": "[UNK]", "single_word": false, "lstrip": false, "rstrip": false,
          "normalized": false, "special": true},
         {"id": 1, "content": "[CLS]", "single_word": false, "lstrip": false, "rstrip": false,
          "normalized": false, "special": true},
         {"id": 2, "content": "[SEP]", "single_word": false, "lstrip": false, "rstrip": false,
          "normalized": false, "special": true}],
       "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
                      "strip_accents": null, "lowercase": true},
       "pre_tokenizer": {"type": "BertPreTokenizer"},
       "post_processor": {"type": "TemplateProcessing",
         "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                    {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
         "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                  {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                  {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
         "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [1], "tokens": ["[CLS]"]},
                            "[SEP]": {"id": "[SEP]", "ids": [2], "tokens": ["[SEP]"]}}},
       "decoder": null,
       "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                 "max_input_chars_per_word": 100,
                 "vocab": {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "a": 3, "day": 4, "for": 5, "give": 6, "him": 7,
                           "an": 8, ".": 9}}}
      """;

  @Test
  void evaluate_otherModelOfTheSameShape_exit2() throws Exception {
    // Same initializer name and shape, other weights: another checkpoint of the architecture is not the source.
    Path other = dir.resolve("same-shape.onnx");
    OnnxWriter.write(other, List.of(OnnxWriter.Initializer.floats(TENSOR, table(V, 99), OnnxWriter.Encoding.RAW_DATA,
        V, D)));
    assertBadInput(List.of("--model", other.toString(), "--tokenizer", tokenizer.toString(), "--texts",
        texts.toString()), "--model " + other, "SHA-256", "--allow-different-source");
  }

  @Test
  void evaluate_oneText_exit2() throws Exception {
    Path one = Files.writeString(dir.resolve("one.txt"), "Give him an evasive answer.\n");
    assertBadInput(List.of("--model", model.toString(), "--tokenizer", tokenizer.toString(), "--texts",
        one.toString()), "--texts " + one, "at least 2");
  }

  @Test
  void evaluate_modelWithoutTexts_exit2() throws Exception {
    assertBadInput(List.of("--model", model.toString()), "--model", "needs --texts");
  }

  @Test
  void evaluate_noTokenizerNextToModel_exit2() throws Exception {
    assertBadInput(List.of("--model", model.toString(), "--texts", texts.toString()), "--model " + model,
        "--tokenizer");
  }

  @Test
  void evaluate_tokenizerNotJson_exit2() throws Exception {
    assertBadInput(List.of("--model", model.toString(), "--tokenizer", texts.toString(), "--texts",
        texts.toString()), "--tokenizer " + texts);
  }
}
