package dev.asg.tests.hdfs;

import static dev.asg.tests.hdfs.HdfsRuns.asgOk;
import static dev.asg.tests.hdfs.HdfsRuns.quantize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asg.common.artifact.Manifest;
import dev.asg.common.synth.PlantedTable;
import dev.asg.common.tensor.DType;
import dev.asg.spark.cli.AsgMain;
import dev.asg.spark.ml.ProductQuantizerModel;
import dev.asg.spark.output.ArtifactWriter;
import dev.asg.tests.LocalSpark;
import dev.asg.tests.TestTables;
import dev.asg.tests.reliability.AsgLauncher;
import dev.asg.tests.scheduler.CancelLloydJob;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.FileStatus;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What happens to artifacts on a real HDFS: evaluate and export read (and write) there, a killed run resumes from
 * its HDFS checkpoint to the uninterrupted result, a driver killed -9 mid-write leaves the old artifact whole and
 * the rerun cleans up, the status file is rewritten there, and encode and the Spark ML model's save and load
 * work there.
 */
@Tag("slow")
class HdfsArtifactsTest {
  @RegisterExtension
  static final MiniHdfs HDFS = new MiniHdfs();

  private static final PlantedTable TABLE = new PlantedTable(1200, 16, 4, 8, 0.1, 17, PlantedTable.Mode.SEPARATE);

  @TempDir
  static Path dir;

  /** The table on HDFS, shared by every test. */
  private static String table;

  @BeforeAll
  static void putTable() throws Exception {
    table = HDFS.put(TestTables.safetensors(dir, "t.safetensors", TABLE, DType.F32), "m/t.safetensors");
  }

  private static int asg(StringWriter err, String... args) {
    return AsgMain.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), args);
  }

  @Test
  void evaluateAndExport_artifactOnHdfs_readAndWriteThere() throws Exception {
    asgOk(quantize(table, HDFS.uri("a/eval")));
    asgOk("evaluate", "--artifacts", HDFS.uri("a/eval"), "--master", "local[2]");
    assertTrue(HDFS.exists("a/eval/report.md"), "report.md on HDFS");
    Manifest m = HDFS.manifest("a/eval");
    assertNotNull(m.evaluation, "manifest.json rewritten on HDFS with the evaluation");
    asgOk("export", "--artifacts", HDFS.uri("a/eval"), "--output", HDFS.uri("x/eval.safetensors"));
    FileStatus st = HDFS.fs().getFileStatus(new org.apache.hadoop.fs.Path(HDFS.uri("x/eval.safetensors")));
    // codebook (m*k*dsub floats) and mapping (V*m ints) at least, plus header and metadata.
    assertTrue(st.getLen() > 4L * (4 * 8 * 4 + 1200 * 4), "exported file of " + st.getLen() + " bytes");
  }

  @Test
  void resume_runKilledWithCheckpointsOnHdfs_sameDigestsAsUninterrupted() throws Exception {
    asgOk(quantize(table, HDFS.uri("a/full"), "--iterations", "4"));
    // The job of iteration 3 is cancelled: the run fails with the checkpoint of iteration 2 on HDFS.
    CancelLloydJob.arm(3);
    StringWriter err = new StringWriter();
    try {
      assertEquals(AsgMain.EXIT_FAILURE, asg(err, quantize(table, HDFS.uri("a/ck"), "--iterations", "4",
          "--checkpoint-every", "1")), err.toString());
    } finally {
      CancelLloydJob.disarm();
    }
    assertFalse(HDFS.exists("a/ck"), "a killed run commits nothing");
    assertTrue(HDFS.exists("a/ck._ckpt/state-000000002.json"), "checkpoint on HDFS");
    asgOk(quantize(table, HDFS.uri("a/ck"), "--iterations", "4", "--checkpoint-every", "1", "--resume"));
    Manifest full = HDFS.manifest("a/full");
    Manifest resumed = HDFS.manifest("a/ck");
    assertEquals(full.digests, resumed.digests);
    assertEquals(full.result.objective, resumed.result.objective);
    assertFalse(HDFS.exists("a/ck._ckpt"), "checkpoint removed after the commit");
  }

  @Test
  void statusFile_onHdfs_rewrittenToTheFinalState() throws Exception {
    asgOk(quantize(table, HDFS.uri("a/st"), "--status-file", HDFS.uri("status/run.json")));
    JsonNode s;
    try (InputStream in = HDFS.open("status/run.json")) {
      s = Manifest.mapper().readTree(in);
    }
    assertEquals("succeeded", s.get("state").asText(), s.toString());
    assertEquals(0, s.get("exit_code").asInt());
    assertEquals(3, s.get("iteration").asInt(), s.toString());
    assertEquals(1, HDFS.fs().listStatus(new org.apache.hadoop.fs.Path(HDFS.uri("status"))).length,
        "no temporary files left next to it");
    StringWriter err = new StringWriter();
    assertEquals(AsgMain.EXIT_OUTPUT_EXISTS, asg(err, quantize(table, HDFS.uri("a/st"), "--status-file",
        HDFS.uri("status/run.json"))), err.toString());
    try (InputStream in = HDFS.open("status/run.json")) {
      s = Manifest.mapper().readTree(in);
    }
    assertEquals("failed", s.get("state").asText());
    assertEquals(3, s.get("exit_code").asInt());
  }

  @Test
  void quantize_driverKilledDuringWriteOnHdfs_oldArtifactIntactAndRerunCleansUp() throws Exception {
    asgOk(quantize(table, HDFS.uri("a/atomic"), "--seed", "1"));
    Map<String, String> old = HDFS.manifest("a/atomic").digests;
    Path log = dir.resolve("killed.log");
    List<String> args = Arrays.asList(quantize(table, HDFS.uri("a/atomic"), "--seed", "2", "--overwrite",
        "--master", "local[1]"));
    Process child = AsgLauncher.start(log, args);
    org.apache.hadoop.fs.Path tmp = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    try {
      while (tmp == null) {
        if (!child.isAlive() || System.nanoTime() > deadline) {
          fail("the run never reached its write phase; log:\n" + AsgLauncher.tail(log, 40));
        }
        for (FileStatus st : HDFS.fs().listStatus(new org.apache.hadoop.fs.Path(HDFS.uri("a")))) {
          if (st.getPath().getName().startsWith("atomic._tmp-")
              && HDFS.fs().exists(new org.apache.hadoop.fs.Path(st.getPath(), ArtifactWriter.MARKER))) {
            tmp = st.getPath();
          }
        }
        Thread.sleep(20);
      }
    } finally {
      child.destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the killed driver did not exit");
    }
    assertEquals(old, HDFS.manifest("a/atomic").digests, "the old artifact is whole");
    asgOk(quantize(table, HDFS.uri("a/atomic"), "--seed", "2", "--overwrite"));
    assertNotEquals(old, HDFS.manifest("a/atomic").digests, "the rerun committed seed 2");
    assertFalse(HDFS.fs().exists(tmp), "the dead run's temporary directory was removed by the rerun");
  }

  @Test
  void encodeAndModelSaveLoad_onHdfs_sameIdsAndDigestsAsTheArtifact() throws Exception {
    asgOk(quantize(table, HDFS.uri("a/enc")));
    Manifest trained = HDFS.manifest("a/enc");
    // Encoding the training table against its own codebooks reproduces the mapping, read and written on HDFS.
    asgOk("encode", "--artifacts", HDFS.uri("a/enc"), "--input", table, "--output", HDFS.uri("a/encoded"),
        "--master", "local[2]");
    assertEquals(trained.digests, HDFS.manifest("a/encoded").digests);
    assertTrue(HDFS.exists("a/encoded/_SUCCESS"), "encode committed on HDFS");

    SparkSession spark = LocalSpark.start("local[2]");
    try {
      ProductQuantizerModel model = ProductQuantizerModel.load(HDFS.uri("a/enc"));
      assertEquals(trained.digests, model.manifest().digests);
      model.write().save(HDFS.uri("a/model"));
      for (String part : new String[] {"_SUCCESS", "manifest.json", "codebook", "mapping", "metadata"}) {
        assertTrue(HDFS.exists("a/model/" + part), part + " of the saved model on HDFS");
      }
      assertEquals(trained.digests, HDFS.manifest("a/model").digests);
      ProductQuantizerModel back = ProductQuantizerModel.load(HDFS.uri("a/model"));
      assertEquals(model.uid(), back.uid());
      assertEquals(4, back.getM());
      assertEquals(8, back.getK());
      assertEquals(model.mapping().orderBy("token_id").collectAsList(),
          back.mapping().orderBy("token_id").collectAsList());
    } finally {
      spark.stop();
    }
  }
}
