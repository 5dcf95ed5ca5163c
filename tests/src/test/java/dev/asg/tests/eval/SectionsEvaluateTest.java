package dev.asg.tests.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asg.common.synth.PlantedTable;
import dev.asg.common.tensor.DType;
import dev.asg.common.tensor.SafetensorsWriter;
import dev.asg.common.tensor.TensorDecl;
import dev.asg.spark.cli.AsgMain;
import dev.asg.tests.LocalSpark;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * evaluate and inspect on the decoder layout's top-level directory (quantize --output-tensor): each section against
 * its own tensor, reported side by side at the top, each section's own report and manifest as for one artifact.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SectionsEvaluateTest {
  private static final int V = 300;
  private static final int D = 16;

  @TempDir
  static Path dir;
  private Path model;
  private Path out;
  private Path vocab;
  /** One session for every command here: AsgMain uses a running session instead of starting its own. */
  private SparkSession spark;

  @AfterAll
  void stop() {
    spark.stop();
  }

  private static String[] asg(String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int code = AsgMain.run(new PrintWriter(o, true), new PrintWriter(e, true), args);
    return new String[] {Integer.toString(code), o.toString(), e.toString()};
  }

  private static float[] rows(PlantedTable t) {
    float[] r = new float[t.rows() * t.dim()];
    t.fillRows(0, t.rows(), r, 0);
    return r;
  }

  @BeforeAll
  void setUp() throws Exception {
    spark = LocalSpark.start("local[2]");
    model = dir.resolve("decoder.safetensors");
    try (SafetensorsWriter w = SafetensorsWriter.create(model, List.of(
        new TensorDecl("shared.weight", DType.F32, V, D), new TensorDecl("lm_head.weight", DType.F32, V, D)),
        Map.of("format", "pt"))) {
      // The output table is noisier, so its section must come out with the larger error.
      w.writeRows(rows(new PlantedTable(V, D, 4, 8, 0.05, 1, PlantedTable.Mode.SEPARATE)), 0, V);
      w.writeRows(rows(new PlantedTable(V, D, 4, 8, 0.5, 2, PlantedTable.Mode.SEPARATE)), 0, V);
    }
    vocab = Files.write(dir.resolve("vocab.txt"),
        IntStream.range(0, V).mapToObj(i -> "tok" + i).collect(Collectors.toList()));
    out = dir.resolve("out");
    String[] q = asg("quantize", "--input", model.toString(), "--output-tensor", "lm_head.weight", "--m", "4",
        "--k", "8", "--iterations", "3", "--vocab", "none", "--output", out.toString(), "--master", "local[1]");
    assertEquals("0", q[0], q[2]);
  }

  @Test
  void evaluate_decoderTopLevel_bothSectionsSideBySide() throws Exception {
    String[] r = asg("evaluate", "--artifacts", out.toString(), "--sample", "100", "--master", "local[1]");
    assertEquals("0", r[0], r[2]);
    assertTrue(r[1].contains("asg evaluate [input]: relative MSE"), r[1]);
    assertTrue(r[1].contains("asg evaluate [output]: relative MSE"), r[1]);

    ObjectMapper json = new ObjectMapper();
    JsonNode top = json.readTree(out.resolve("manifest.json").toFile());
    double[] mse = new double[2];
    String[] names = {"input", "output"};
    for (int s = 0; s < 2; s++) {
      JsonNode own = json.readTree(out.resolve(names[s]).resolve("manifest.json").toFile()).path("evaluation");
      JsonNode atTop = top.path("evaluation").path("sections").path(names[s]);
      mse[s] = own.path("relative_mse").asDouble(-1);
      assertTrue(mse[s] >= 0, names[s] + " section has its own evaluation");
      assertEquals(mse[s], atTop.path("relative_mse").asDouble(-2), 0.0, "top level repeats " + names[s]);
      assertTrue(Files.readString(out.resolve(names[s]).resolve("report.md")).contains("# ASG evaluation"));
    }
    assertTrue(mse[1] > mse[0], "the noisier lm_head has the larger error: " + mse[0] + " vs " + mse[1]);
    String report = Files.readString(out.resolve("report.md"));
    assertTrue(report.contains("| metric | input (`shared.weight`) | output (`lm_head.weight`) |"), report);
    assertTrue(report.contains("| relative MSE | " + String.format(java.util.Locale.ROOT, "%.6g", mse[0])),
        report);
  }

  @Test
  void evaluate_decoderTopLevelWithTensor_exit2() {
    String[] r = asg("evaluate", "--artifacts", out.toString(), "--tensor", "lm_head.weight");
    assertEquals("2", r[0], r[2]);
    assertEquals(1, r[2].lines().count(), r[2]);
    assertTrue(r[2].contains("--tensor lm_head.weight does not apply"), r[2]);
  }

  @Test
  void inspect_decoderTopLevel_groupsOfEachSection() throws Exception {
    String[] r = asg("inspect", "--artifacts", out.toString(), "--token", "tok7", "--vocab", vocab.toString(),
        "--segments", "0,3", "--json", "--master", "local[1]");
    assertEquals("0", r[0], r[2]);
    JsonNode sections = new ObjectMapper().readTree(r[1]).path("sections");
    for (String s : List.of("input", "output")) {
      JsonNode g = sections.path(s);
      assertEquals(7, g.path("token_id").asInt(-1), s + ": " + g);
      assertEquals(2, g.path("segments").size(), s + ": " + g);
    }
    String text = asg("inspect", "--artifacts", out.toString(), "--token", "tok7", "--vocab", vocab.toString(),
        "--master", "local[1]")[1];
    assertTrue(text.contains("== section input (shared.weight) ==") && text.contains("== section output "
        + "(lm_head.weight) =="), text);
  }
}
