package dev.asg.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.InvalidInputException;
import dev.asg.common.artifact.Manifest;
import dev.asg.common.synth.PlantedTable;
import dev.asg.common.tensor.DType;
import dev.asg.spark.engine.QuantizeJob;
import dev.asg.spark.engine.QuantizeRequest;
import dev.asg.spark.output.ArtifactSchemas;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** --vocab and the automatic vocabulary next to the model: mapping/'s token column and its size checks. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VocabularyColumnTest {
  private static final int V = 300;
  private static final int D = 16;
  private static final int M = 4;
  private static final int K = 8;

  @TempDir
  static Path dir;
  private SparkSession spark;
  private Path model;

  @BeforeAll
  void start() throws Exception {
    spark = LocalSpark.start("local[2]");
    model = TestTables.safetensors(dir, "model.safetensors",
        new PlantedTable(V, D, M, K, 0.1, 4, PlantedTable.Mode.SEPARATE), DType.F32);
  }

  @AfterAll
  void stop() {
    spark.stop();
  }

  /** Distinct, id-dependent tokens, including characters that need care in JSON and Parquet. */
  private static String token(int id) {
    return id == 0 ? "[PAD]" : id % 50 == 7 ? "\u00e9t\u00e9_" + id : "##w" + (id * 37 % 1000) + "_" + id;
  }

  private static List<String> tokens(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(token(i));
    }
    return out;
  }

  private QuantizeRequest.Builder params(Path input, String out) {
    return QuantizeRequest.builder().input(input.toString()).output(dir.resolve(out).toString())
        .m(M).k(K).iterations(3).seed(2);
  }

  private List<String> tokenColumn(String out) {
    return spark.read().parquet(dir.resolve(out).resolve("mapping").toString()).orderBy("token_id")
        .select("token").collectAsList().stream().map(r -> r.getString(0)).collect(Collectors.toList());
  }

  private void assertTokenSchema(String out) {
    assertEquals(ArtifactSchemas.MAPPING_WITH_TOKEN.asNullable(),
        spark.read().parquet(dir.resolve(out).resolve("mapping").toString()).schema().asNullable());
  }

  @Test
  void quantize_tokenizerJsonNextToModel_foundAndWrittenAsTokenColumn() throws Exception {
    // HF tokenizer.json layout under the <model>-tokenizer.json name several models can share one folder with.
    Path sub = Files.createDirectories(dir.resolve("auto"));
    Path m = Files.copy(model, sub.resolve("model.safetensors"));
    StringBuilder json = new StringBuilder("{\"model\": {\"type\": \"WordPiece\", \"vocab\": {");
    for (int i = V - 1; i >= 0; i--) { // reverse order: ids, not file order, must decide the rows
      json.append(i == V - 1 ? "" : ", ").append('"').append(token(i)).append("\": ").append(i);
    }
    json.append("}}}");
    Files.writeString(sub.resolve("model-tokenizer.json"), json.toString());

    Manifest auto = QuantizeJob.run(spark, params(m, "o-auto").build());
    assertTokenSchema("o-auto");
    assertEquals(tokens(V), tokenColumn("o-auto"));
    assertTrue(auto.source.vocab.uri.endsWith("model-tokenizer.json"), auto.source.vocab.uri);
    assertEquals("auto", auto.source.vocab.foundBy);
    assertEquals(V, auto.source.vocab.size);

    Manifest none = QuantizeJob.run(spark, params(m, "o-none").vocab("none").build());
    assertNull(none.source.vocab);
    assertEquals(ArtifactSchemas.MAPPING.asNullable(),
        spark.read().parquet(dir.resolve("o-none/mapping").toString()).schema().asNullable());
    assertEquals(none.digests, auto.digests, "the token column does not change the concept ids");
    // Rows still line up: token t's concept ids are the same with and without the token column.
    List<Row> withTokens = spark.read().parquet(dir.resolve("o-auto/mapping").toString()).orderBy("token_id")
        .collectAsList();
    assertEquals(Artifacts.read(spark, dir.resolve("o-none")).conceptIds[123].length,
        withTokens.get(123).getList(1).size());
    assertEquals(123, withTokens.get(123).getInt(0));
  }

  @Test
  void quantize_vocabSmallerThanTable_rejectedWritingNothing() throws Exception {
    Path small = dir.resolve("small-vocab.txt");
    Files.write(small, tokens(V - 1));
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> QuantizeJob.run(spark, params(model, "o-small").vocab(small.toString()).build()));
    assertTrue(e.getMessage().contains((V - 1) + " tokens") && e.getMessage().contains(V + " rows"),
        e.getMessage());
    assertFalse(Files.exists(dir.resolve("o-small")));
  }

  @Test
  void quantize_vocabLargerThanTable_warnsAndUsesFirstVTokens() throws Exception {
    Path big = dir.resolve("big-vocab.txt");
    Files.write(big, tokens(V + 5));
    List<String> warnings = new ArrayList<>();
    LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
    AbstractAppender capture = new AbstractAppender("vocab-test", null, null, true, Property.EMPTY_ARRAY) {
      @Override
      public void append(LogEvent event) {
        if (event.getLevel().isMoreSpecificThan(Level.WARN)) {
          warnings.add(event.getMessage().getFormattedMessage());
        }
      }
    };
    capture.start();
    LoggerConfig cfg = ctx.getConfiguration().getLoggerConfig("dev.asg.progress");
    cfg.addAppender(capture, Level.WARN, null);
    ctx.updateLoggers();
    Manifest m;
    try {
      m = QuantizeJob.run(spark, params(model, "o-big").vocab(big.toString()).build());
    } finally {
      cfg.removeAppender("vocab-test");
      ctx.updateLoggers();
    }
    assertTrue(warnings.stream().anyMatch(w -> w.contains((V + 5) + " tokens") && w.contains("ignoring the other 5")),
        warnings.toString());
    assertEquals(tokens(V), tokenColumn("o-big"));
    assertEquals(V + 5, m.source.vocab.size);
    assertEquals(V, m.source.vocab.used);
    assertEquals("flag", m.source.vocab.foundBy);
  }
}
