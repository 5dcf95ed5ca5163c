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
