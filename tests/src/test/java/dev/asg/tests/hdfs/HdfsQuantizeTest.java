package dev.asg.tests.hdfs;

import static dev.asg.tests.hdfs.HdfsRuns.asgOk;
import static dev.asg.tests.hdfs.HdfsRuns.quantize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.artifact.Manifest;
import dev.asg.common.synth.PlantedTable;
import dev.asg.common.tensor.DType;
import dev.asg.common.tensor.onnx.OnnxWriter;
import dev.asg.tests.LocalSpark;
import dev.asg.tests.ParquetTables;
import dev.asg.tests.TestTables;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * quantize against a real HDFS: every input format read from hdfs://, the artifact written there, with the same
 * digests as the run on local files (the engine reads through the Hadoop API either way; this proves it).
 */
@Tag("slow")
class HdfsQuantizeTest {
  @RegisterExtension
  static final MiniHdfs HDFS = new MiniHdfs();

  private static final PlantedTable TABLE = new PlantedTable(800, 16, 4, 8, 0.05, 11, PlantedTable.Mode.SEPARATE);

  @TempDir
  Path dir;

  static Manifest localManifest(Path artifact) throws Exception {
    try (InputStream in = Files.newInputStream(artifact.resolve("manifest.json"))) {
      return Manifest.read(in);
    }
  }

  private void assertSameAsLocal(String localIn, String hdfsIn, String name) throws Exception {
    Path localOut = dir.resolve("local-" + name);
    asgOk(quantize(localIn, localOut.toString()));
    asgOk(quantize(hdfsIn, HDFS.uri("a/" + name)));
    Manifest l = localManifest(localOut);
    Manifest h = HDFS.manifest("a/" + name);
    assertEquals(l.digests, h.digests, name + ": codebook and mapping digests");
    assertEquals(l.source.sha256, h.source.sha256, name + ": source digest");
    assertEquals(l.result.objective, h.result.objective);
    assertTrue(h.source.uri.startsWith("hdfs://"), h.source.uri);
  }

  @Test
  void quantize_shardedSafetensorsOnHdfs_sameDigestsAsLocal() throws Exception {
    Path index = TestTables.sharded(dir.resolve("sharded"), TABLE);
    HDFS.put(dir.resolve("sharded"), "m/sharded");
    assertSameAsLocal(index.toString(), HDFS.uri("m/sharded/" + index.getFileName()), "sharded");
  }

  @Test
  void quantize_onnxOnHdfs_sameDigestsAsLocal() throws Exception {
    float[] data = new float[TABLE.rows() * TABLE.dim()];
    TABLE.fillRows(0, TABLE.rows(), data, 0);
    Path onnx = dir.resolve("t.onnx");
    OnnxWriter.write(onnx, List.of(OnnxWriter.Initializer.floats(PlantedTable.DEFAULT_TENSOR, data,
        OnnxWriter.Encoding.RAW_DATA, TABLE.rows(), TABLE.dim())));
    assertSameAsLocal(onnx.toString(), HDFS.put(onnx, "m/t.onnx"), "onnx");
  }

  @Test
  void quantize_parquetOnHdfs_sameDigestsAsLocal() throws Exception {
    float[] data = new float[TABLE.rows() * TABLE.dim()];
    TABLE.fillRows(0, TABLE.rows(), data, 0);
    Path table = dir.resolve("table");
    SparkSession spark = LocalSpark.start("local[1]");
    try {
      ParquetTables.write(spark, table, data, TABLE.rows(), TABLE.dim(), false, 3);
    } finally {
      spark.stop();
    }
    assertSameAsLocal(table.toString(), HDFS.put(table, "m/table"), "parquet");
  }
}
