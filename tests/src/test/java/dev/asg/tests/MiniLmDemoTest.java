package dev.asg.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.artifact.Manifest;
import dev.asg.common.fidelity.OutputAgreement;
import dev.asg.spark.cli.EvaluateCommand;
import dev.asg.spark.cli.InspectCommand;
import dev.asg.spark.engine.QuantizeJob;
import dev.asg.spark.engine.QuantizeRequest;
import dev.asg.spark.eval.ConceptGroups;
import dev.asg.spark.eval.Evaluation;
import dev.asg.spark.eval.ModelOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README demo's path (spark-job/bin/asg-demo) on the real all-MiniLM-L6-v2 table from Maven Central, at a
 * reduced configuration (k=64, 3 iterations, 300 kNN queries) so it fits the CI budget: quantize the ONNX
 * initializer with the tokenizer found next to it, evaluate, and inspect one word.
 */
class MiniLmDemoTest {
  @TempDir
  Path dir;

  @Test
  void demo_realMiniLm_quantizeEvaluateInspect() throws Exception {
    Path onnx = MiniLmFiles.extract(dir, MiniLmFiles.ONNX);
    MiniLmFiles.extract(dir, MiniLmFiles.TOKENIZER);
    Path texts = FortuneTexts.write(dir.resolve("texts.txt"), 200);
    Path out = dir.resolve("minilm-asg");
    SparkSession spark = LocalSpark.start("local[2]");
    try {
      Manifest m = QuantizeJob.run(spark, QuantizeRequest.builder().input(onnx.toString())
          .output(out.toString()).m(24).k(64).iterations(3).build());
      assertEquals("embeddings.word_embeddings.weight", m.source.tensor);
      assertEquals("onnx", m.source.format);
      assertTrue(Arrays.equals(new long[] {30522, 384}, m.source.shape));
      // 64 concepts per 16-dim segment keep well under the table's energy but far from all of it.
      assertTrue(m.result.relativeMse > 0.3 && m.result.relativeMse < 0.9, "relative MSE " + m.result.relativeMse);
      assertTrue(m.result.meanCosine > 0.4, "mean cosine " + m.result.meanCosine);

      // The model's own tokenizer is found next to it, as in the demo.
      Evaluation e = EvaluateCommand.evaluate(spark, out.toString(), onnx.toString(), "auto", null, 300, 1234,
          ModelOptions.of(onnx.toString(), null, texts.toString(), 200));
      assertEquals(m.result.relativeMse, e.relativeMse, 1e-9 * m.result.relativeMse);
      assertTrue(e.recall > 0 && e.recall < 1, "recall@10 " + e.recall);
      assertTrue(e.p5Cosine < e.meanCosine);
      assertTrue(Files.readString(out.resolve("report.md")).contains("recall"));
      // Model-output fidelity: a lossy table moves the sentence vectors, but far less than unrelated vectors.
      OutputAgreement f = e.modelOutput.agreement();
      assertEquals(200, f.texts());
      assertTrue(f.meanCosine() > 0.3 && f.meanCosine() < 0.99, "model-output mean cosine " + f.meanCosine());
      assertTrue(f.p5Cosine() < f.meanCosine());
      assertTrue(f.recall() > 0.05 && f.recall() < 1, "retrieval recall@10 " + f.recall());
      Manifest written = Manifest.mapper().readValue(out.resolve("manifest.json").toFile(), Manifest.class);
      Map<?, ?> mo = (Map<?, ?>) written.evaluation.get("model_output");
      assertEquals(f.meanCosine(), ((Number) mo.get("mean_cosine")).doubleValue(), 0.0);
      assertEquals("embeddings.word_embeddings.weight", mo.get("replaced_initializer"));
      assertTrue(Files.readString(out.resolve("report.md")).contains("Model-output fidelity"));

      ConceptGroups g = InspectCommand.inspect(spark, out.toString(), "father", new int[] {0, 7}, null);
      assertEquals(2, g.groups().size());
      for (ConceptGroups.Group group : g.groups()) {
        assertTrue(Arrays.stream(group.tokenIds()).anyMatch(t -> t == g.tokenId()), "the word is in its own group");
        assertTrue(group.tokenIds().length > 1, "a concept shared by several tokens");
      }
    } finally {
      spark.stop();
    }
  }
}
