package dev.asg.tests.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asg.common.synth.PlantedTable;
import dev.asg.common.tensor.DType;
import dev.asg.spark.cli.AsgMain;
import dev.asg.spark.engine.QuantizeJob;
import dev.asg.spark.engine.QuantizeRequest;
import dev.asg.tests.Artifacts;
import dev.asg.tests.LocalSpark;
import dev.asg.tests.TestTables;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code asg inspect}: groups checked against the mapping read back independently. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InspectCommandTest {
  private static final int V = 400;
  private static final int M = 4;
  private static final int K = 8;

  @TempDir
  static Path dir;
  private SparkSession spark;
  private Path out;
  private Path vocab;
  private Artifacts artifacts;

  @BeforeAll
  void start() throws Exception {
    spark = LocalSpark.start("local[2]");
    PlantedTable t = new PlantedTable(V, 16, M, K, 0.05, 3, PlantedTable.Mode.SEPARATE);
    Path input = TestTables.safetensors(dir, "t.safetensors", t, DType.F32);
    out = dir.resolve("asg");
    QuantizeJob.run(spark, QuantizeRequest.builder().input(input.toString()).output(out.toString())
        .m(M).k(K).iterations(3).seed(7).build());
    // Not next to the model: the automatic lookup must find nothing unless a test puts a file there.
    Files.createDirectories(dir.resolve("v"));
    vocab = dir.resolve("v").resolve("vocab.txt");
    Files.writeString(vocab, IntStream.range(0, V).mapToObj(i -> "w" + i).collect(Collectors.joining("\n")));
    artifacts = Artifacts.read(spark, out);
  }

  @AfterAll
  void stop() {
    spark.stop();
  }

  /** The token names sharing token t's concept in segment i, from the mapping, in id order. */
  private List<String> expectedGroup(int t, int i) {
    List<String> g = new ArrayList<>();
    for (int u = 0; u < V; u++) {
      if (artifacts.conceptIds[u][i] == artifacts.conceptIds[t][i]) {
        g.add("w" + u);
      }
    }
    return g;
  }

  private int cli(StringWriter o, StringWriter e, String... args) {
    return AsgMain.run(new PrintWriter(o), new PrintWriter(e), args);
  }

  @Test
  void inspect_text_groupsEqualSameConceptTokens() {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    assertEquals(0, cli(o, e, "inspect", "--artifacts", out.toString(), "--token", "w17", "--vocab",
        vocab.toString(), "--segments", "0,2,3", "--limit", "0"), e.toString());
    List<String> lines = o.toString().lines().filter(l -> l.startsWith("segment")).collect(Collectors.toList());
    int[] segs = {0, 2, 3};
    assertEquals(segs.length, lines.size(), o.toString());
    for (int j = 0; j < segs.length; j++) {
      String line = lines.get(j);
      List<String> expected = expectedGroup(17, segs[j]);
      assertTrue(line.matches("segment +" + segs[j] + " .*"), line);
      assertTrue(line.contains(" " + expected.size() + " tokens:"), line);
      List<String> printed = List.of(line.substring(line.indexOf("tokens: ") + 8).split(", "));
      assertEquals(expected, printed);
    }
  }

  @Test
  void inspect_limit_cutsListAndSaysHowManyMore() {
    StringWriter o = new StringWriter();
    assertEquals(0, cli(o, new StringWriter(), "inspect", "--artifacts", out.toString(), "--token", "w3",
        "--vocab", vocab.toString(), "--segments", "1", "--limit", "2"));
    int size = expectedGroup(3, 1).size();
    String line = o.toString().lines().filter(l -> l.startsWith("segment")).findFirst().orElseThrow();
    if (size > 2) {
      assertTrue(line.contains("(+" + (size - 2) + " more)"), line);
    }
  }

  @Test
  void inspect_json_parsesAndMatchesMapping() throws Exception {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    assertEquals(0, cli(o, e, "inspect", "--artifacts", out.toString(), "--token", "w250", "--vocab",
        vocab.toString(), "--json", "--limit", "0"), e.toString());
    JsonNode root = new ObjectMapper().readTree(o.toString());
    assertEquals(250, root.path("token_id").asInt());
    assertEquals(M, root.path("segments").size(), "all segments by default");
    for (JsonNode s : root.path("segments")) {
      int i = s.path("segment").asInt();
      List<String> toks = new ArrayList<>();
      s.path("tokens").forEach(n -> toks.add(n.asText()));
      assertEquals(expectedGroup(250, i), toks);
      assertEquals(toks.size(), s.path("size").asInt());
      assertEquals(artifacts.conceptIds[250][i], s.path("concept_id").asInt());
    }
  }

  @Test
  void inspect_unknownToken_exit2NamingItWithSuggestion() {
    StringWriter e = new StringWriter();
    assertEquals(2, cli(new StringWriter(), e, "inspect", "--artifacts", out.toString(), "--token", "W17x",
        "--vocab", vocab.toString()));
    assertTrue(e.toString().contains("--token 'W17x'"), e.toString());
    assertTrue(e.toString().contains("'w17'"), "suggests the close match: " + e);
  }

  @Test
  void inspect_badSegmentsAndLimit_exit2() {
    StringWriter e = new StringWriter();
    assertEquals(2, cli(new StringWriter(), e, "inspect", "--artifacts", out.toString(), "--token", "w1",
        "--vocab", vocab.toString(), "--segments", "0," + M));
    assertTrue(e.toString().contains("--segments contains " + M), e.toString());
    assertEquals(2, cli(new StringWriter(), new StringWriter(), "inspect", "--artifacts", out.toString(),
        "--token", "w1", "--vocab", vocab.toString(), "--limit", "-1"));
  }

  @Test
  void inspect_missingVocabFile_exit2NamingIt() {
    StringWriter e = new StringWriter();
    String missing = dir.resolve("nope.txt").toString();
    assertEquals(2, cli(new StringWriter(), e, "inspect", "--artifacts", out.toString(), "--token", "w1",
        "--vocab", missing));
    assertTrue(e.toString().contains("--vocab " + missing), e.toString());
  }

  @Test
  void inspect_noVocabAnywhere_exit2AskingForVocab() {
    StringWriter e = new StringWriter();
    assertEquals(2, cli(new StringWriter(), e, "inspect", "--artifacts", out.toString(), "--token", "w1"));
    assertTrue(e.toString().contains("--vocab"), e.toString());
  }

  @Test
  void inspect_vocabNextToModel_foundAutomatically() throws Exception {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    // "<model>-tokenizer.json"-style lookup: vocab.txt in the model's folder is found without --vocab.
    Path sibling = dir.resolve("vocab.txt");
    Files.copy(vocab, sibling);
    try {
      assertEquals(0, cli(o, e, "inspect", "--artifacts", out.toString(), "--token", "w5", "--segments", "0"),
          e.toString());
    } finally {
      Files.delete(sibling);
    }
    assertTrue(o.toString().contains("'w5' (token 5)"), o.toString());
  }
}
