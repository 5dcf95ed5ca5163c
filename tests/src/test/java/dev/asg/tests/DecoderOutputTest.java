package dev.asg.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asg.common.artifact.Digests;
import dev.asg.common.artifact.Manifest;
import dev.asg.common.synth.PlantedTable;
import dev.asg.common.tensor.DType;
import dev.asg.common.tensor.SafetensorsWriter;
import dev.asg.common.tensor.TensorDecl;
import dev.asg.spark.engine.QuantizeJob;
import dev.asg.spark.engine.QuantizeRequest;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A decoder with an untied output projection (paper section 2.4): --output-tensor trains a second, independent
 * structure, and each of input/ and output/ must describe and reproduce its own tensor.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DecoderOutputTest {
  private static final int V = 400;
  private static final int D = 32;
  private static final int M = 4;
  private static final int K = 8;

  @TempDir
  Path dir;
  private SparkSession spark;

  @BeforeAll
  void start() {
    spark = LocalSpark.start("local[2]");
  }

  @AfterAll
  void stop() {
    spark.stop();
  }

  private static float[] rows(PlantedTable t) {
    float[] out = new float[t.rows() * t.dim()];
    t.fillRows(0, t.rows(), out, 0);
    return out;
  }

  /** sha256 of a tensor's stored bytes, located by parsing the safetensors header here (not with our reader). */
  private static String storedSha(Path file, String tensor) throws Exception {
    byte[] all = Files.readAllBytes(file);
    long headerLen = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    JsonNode header = new ObjectMapper().readTree(new String(all, 8, (int) headerLen, StandardCharsets.UTF_8));
    JsonNode offsets = header.get(tensor).get("data_offsets");
    int begin = (int) (8 + headerLen + offsets.get(0).asLong());
    int end = (int) (8 + headerLen + offsets.get(1).asLong());
    MessageDigest md = Digests.sha256();
    md.update(all, begin, end - begin);
    return Digests.hex(md);
  }

  private static double relativeMse(Artifacts a, float[] table) {
    double err = 0;
    double energy = 0;
    for (int t = 0; t < V; t++) {
      float[] h = a.decode(t);
      for (int d = 0; d < D; d++) {
        double x = table[t * D + d];
        err += (x - h[d]) * (x - h[d]);
        energy += x * x;
      }
    }
    return err / energy;
  }

  @Test
  void quantize_outputTensor_twoCompleteSetsEachMatchingItsOwnTensor() throws Exception {
    Path model = dir.resolve("mt5-tiny.safetensors");
    try (SafetensorsWriter w = SafetensorsWriter.create(model, List.of(
        new TensorDecl("shared.weight", DType.F16, V, D), new TensorDecl("lm_head.weight", DType.F16, V, D)),
        Map.of("format", "pt"))) {
      w.writeRows(rows(new PlantedTable(V, D, M, K, 0.1, 1, PlantedTable.Mode.SEPARATE)), 0, V);
      w.writeRows(rows(new PlantedTable(V, D, M, K, 0.3, 2, PlantedTable.Mode.SEPARATE)), 0, V);
    }
    Path out = dir.resolve("out");
    Manifest top = QuantizeJob.run(spark, QuantizeRequest.builder().input(model.toString())
        .output(out.toString()).outputTensor("lm_head.weight").m(M).k(K).iterations(5).seed(9).build());

    assertTrue(Files.exists(out.resolve("_SUCCESS")), "one top-level _SUCCESS");
    assertFalse(Files.exists(out.resolve("codebook")), "no single-layout codebook/ at the top");
    Manifest onDisk;
    try (InputStream in = Files.newInputStream(out.resolve("manifest.json"))) {
      onDisk = Manifest.read(in);
    }
    assertEquals(List.of("input", "output"), List.copyOf(onDisk.sections.keySet()));
    assertEquals("lm_head.weight", onDisk.params.get("output-tensor"));
    assertNull(onDisk.source, "the top level describes no single table");
    assertEquals(top.sections.keySet(), onDisk.sections.keySet());

    String[] names = {"input", "output"};
    String[] tensors = {"shared.weight", "lm_head.weight"};
    String[] codebookDigests = new String[2];
    for (int s = 0; s < 2; s++) {
      Path set = out.resolve(names[s]);
      assertFalse(Files.exists(set.resolve("_SUCCESS")), "sections have no _SUCCESS of their own");
      Artifacts a = Artifacts.readSet(spark, set);
      a.assertWellFormed(V, M, K, false);
      Manifest m = a.manifest;
      assertEquals(tensors[s], m.source.tensor);
      assertEquals("F16", m.source.dtype);
      assertEquals(V, m.source.shape[0]);
      assertEquals(D, m.source.shape[1]);
      assertEquals(storedSha(model, tensors[s]), m.source.sha256);
      assertEquals(a.codebookDigest(), m.digests.get("codebook"));
      assertEquals(a.mappingDigest(), m.digests.get("mapping"));
      double mse = relativeMse(a, TestTables.readAll(model, tensors[s]));
      assertEquals(mse, m.result.relativeMse, 1e-9 + 1e-6 * mse);
      Manifest.Section summary = onDisk.sections.get(names[s]);
      assertEquals(names[s] + "/manifest.json", summary.manifest);
      assertEquals(tensors[s], summary.tensor);
      assertEquals(m.digests, summary.digests);
      assertEquals(m.source.sha256, summary.sha256);
      assertEquals(m.result.relativeMse, summary.relativeMse);
      codebookDigests[s] = m.digests.get("codebook");
    }
    assertNotEquals(codebookDigests[0], codebookDigests[1], "independent structures for different tables");
  }
}
