package dev.asg.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.synth.PlantedTable;
import dev.asg.common.tensor.DType;
import dev.asg.common.tensor.SafetensorsWriter;
import dev.asg.common.tensor.TensorDecl;
import dev.asg.spark.cli.AsgMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every validation exits 2 with a one-line message naming the flag or file and the value, writing nothing. */
class BadInputCliTest {
  @TempDir
  Path dir;
  private Path table;
  private Path out;

  @BeforeEach
  void setUp() throws Exception {
    table = TestTables.safetensors(dir, "t.safetensors", new PlantedTable(200, 32, 4, 8, 0.1, 1,
        PlantedTable.Mode.SHARED), DType.F32);
    out = dir.resolve("out");
  }

  private static final class Run {
    int code;
    String err;
  }

  private static Run asg(String... args) {
    StringWriter err = new StringWriter();
    Run r = new Run();
    r.code = AsgMain.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), args);
    r.err = err.toString();
    return r;
  }

  private String[] quantize(String... extra) {
    List<String> a = new ArrayList<>(List.of("quantize", "--input", table.toString(), "--output", out.toString(),
        "--master", "local[1]"));
    a.addAll(List.of(extra));
    return a.toArray(new String[0]);
  }

  private void assertUsageError(Run r, String... fragments) throws Exception {
    assertEquals(2, r.code, r.err);
    String first = r.err.lines().findFirst().orElse("");
    assertTrue(first.startsWith("asg: error: "), first);
    for (String f : fragments) {
      assertTrue(first.contains(f), "'" + first + "' lacks '" + f + "'");
    }
    assertFalse(Files.exists(out), "nothing written");
    try (Stream<Path> s = Files.list(dir)) {
      assertFalse(s.anyMatch(p -> p.getFileName().toString().startsWith("out.")), "no temporary output");
    }
  }

  @Test
  void quantize_mNotDividingD_exit2() throws Exception {
    assertUsageError(asg(quantize("--m", "5", "--k", "4")), "--m 5", "D=32");
  }

  @Test
  void quantize_mZero_exit2() throws Exception {
    assertUsageError(asg(quantize("--m", "0")), "--m 0", "[1, ");
  }

  @Test
  void quantize_kOne_exit2() throws Exception {
    assertUsageError(asg(quantize("--m", "4", "--k", "1")), "--k 1", "[2, ");
  }

  @Test
  void quantize_kAboveTrainingPoints_exit2() throws Exception {
    assertUsageError(asg(quantize("--m", "4", "--k", "201")), "--k 201", "200 training points");
  }

  @Test
  void quantize_unknownTensor_listsCandidates() throws Exception {
    assertUsageError(asg(quantize("--m", "4", "--k", "4", "--tensor", "lm_head.weight")), "lm_head.weight",
        PlantedTable.DEFAULT_TENSOR);
  }

  @Test
  void quantize_missingInput_exit2() throws Exception {
    table = dir.resolve("nope.safetensors");
    assertUsageError(asg(quantize("--m", "4", "--k", "4")), "nope.safetensors", "does not exist");
  }

  @Test
  void quantize_unknownFlag_exit2() throws Exception {
    Run r = asg(quantize("--colour", "blue"));
    assertEquals(2, r.code, r.err);
    assertTrue(r.err.contains("--colour"), r.err);
  }

  @Test
  void quantize_existingOutput_exit3AndUntouched() throws Exception {
    Files.createDirectories(out);
    Files.writeString(out.resolve("manifest.json"), "old");
    Run r = asg(quantize("--m", "4", "--k", "4"));
    assertEquals(3, r.code, r.err);
    assertTrue(r.err.contains("already exists") && r.err.contains("--overwrite"), r.err);
    assertEquals("old", Files.readString(out.resolve("manifest.json")));
  }

  @Test
  void quantize_nanInRow7_exit2NamingTheRow() throws Exception {
    table = dir.resolve("nan.safetensors");
    float[] rows = new float[20 * 8];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = (i % 13) * 0.1f;
    }
    rows[7 * 8 + 3] = Float.NaN;
    try (SafetensorsWriter w = SafetensorsWriter.create(table,
        List.of(new TensorDecl("wte.weight", DType.F32, 20, 8)), Map.of())) {
      w.writeRows(rows, 0, 20);
    }
    assertUsageError(asg(quantize("--m", "2", "--k", "4")), "row 7", "NaN");
  }
}
