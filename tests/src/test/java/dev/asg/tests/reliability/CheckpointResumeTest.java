package dev.asg.tests.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.InvalidInputException;
import dev.asg.common.artifact.Manifest;
import dev.asg.common.kmeans.CodebookMode;
import dev.asg.common.kmeans.KMeansParams;
import dev.asg.common.synth.PlantedTable;
import dev.asg.common.tensor.DType;
import dev.asg.common.tensor.SafetensorsWriter;
import dev.asg.common.tensor.TensorDecl;
import dev.asg.spark.cli.AsgMain;
import dev.asg.spark.engine.QuantizeEngine;
import dev.asg.spark.engine.QuantizeJob;
import dev.asg.spark.engine.QuantizeListener;
import dev.asg.spark.engine.QuantizeRequest;
import dev.asg.tests.LocalSpark;
import dev.asg.tests.TestTables;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * --checkpoint-every / --resume: a run killed after iteration 5 of 8 and resumed gives exactly the artifact of an
 * uninterrupted run, without redoing the saved iterations; a checkpoint of other parameters is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CheckpointResumeTest {
  private static final int ITERATIONS = 8;
  private static final int KILLED_AFTER = 5;

  /** Static: PER_CLASS lifecycle injects instance @TempDir fields only after @BeforeAll. */
  @TempDir
  static Path dir;
  private SparkSession spark;
  private Path input;

  /** Stands in for a killed driver: thrown from the listener's onCheckpoint, after the checkpoint is on disk. */
  private static final class Killed extends RuntimeException {
    Killed(int iteration) {
      super("killed after iteration " + iteration);
    }
  }

  @BeforeAll
  void start() throws Exception {
    spark = LocalSpark.start("local[2]");
    // Noisy (0.5) so clusters overlap and iterations keep moving the centroids: a resume that restarted from
    // the wrong state, or with the wrong iteration index, would change the digests.
    PlantedTable t = new PlantedTable(1500, 32, 4, 12, 0.5, 5, PlantedTable.Mode.SEPARATE);
    input = TestTables.safetensors(dir, "ckpt.safetensors", t, DType.F32);
  }

  @AfterAll
  void stop() {
    spark.stop();
  }

  /** Throws {@link Killed} from the checkpoint callback whose 1-based iteration {@code kill} accepts. */
  private static QuantizeListener killAt(java.util.function.IntPredicate kill) {
    return new QuantizeListener() {
      @Override
      public void onCheckpoint(String section, int iteration) {
        if (kill.test(iteration)) {
          throw new Killed(iteration);
        }
      }
    };
  }

  private QuantizeRequest.Builder params(String out, CodebookMode mode) {
    return QuantizeRequest.builder().input(input.toString()).output(dir.resolve(out).toString()).m(4).k(12)
        .codebook(mode).iterations(ITERATIONS).maxPointsPerCentroid(64).seed(21).partitions(3);
  }

  private static Path ckptDir(Path out) {
    return out.resolveSibling(out.getFileName() + "._ckpt");
  }

  /** Runs until the listener kills it after iteration {@link #KILLED_AFTER}; returns the output path. */
  private Path killedRun(String out, CodebookMode mode) {
    Killed e = assertThrows(Killed.class, () -> QuantizeJob.run(spark, params(out, mode).checkpointEvery(1).build(),
        killAt(it -> it == KILLED_AFTER)));
    assertTrue(e.getMessage().contains("iteration " + KILLED_AFTER));
    Path outDir = dir.resolve(out);
    assertFalse(Files.exists(outDir), "a killed run commits nothing");
    assertTrue(Files.exists(ckptDir(outDir).resolve("state-000000005.json")), "checkpoint after iteration 5");
    return outDir;
  }

  @ParameterizedTest
  @EnumSource(CodebookMode.class)
  void resume_afterKillAtIteration5_identicalToUninterruptedRun(CodebookMode mode) throws Exception {
    Manifest full = QuantizeJob.run(spark, params("full-" + mode, mode).build());
    assertFalse(Files.exists(ckptDir(dir.resolve("full-" + mode))), "no checkpoint without --checkpoint-every");

    Path out = killedRun("resumed-" + mode, mode);
    AtomicInteger lloydJobs = new AtomicInteger();
    SparkListener listener = new SparkListener() {
      @Override
      public void onJobStart(SparkListenerJobStart start) {
        if (start.properties().getProperty("spark.job.description", "").startsWith(QuantizeEngine.LLOYD_JOB_PREFIX)) {
          lloydJobs.incrementAndGet();
        }
      }
    };
    spark.sparkContext().addSparkListener(listener);
    Manifest resumed;
    try {
      resumed = QuantizeJob.run(spark, params("resumed-" + mode, mode).checkpointEvery(1).resume(true)
          .build());
      spark.sparkContext().listenerBus().waitUntilEmpty();
    } finally {
      spark.sparkContext().removeSparkListener(listener);
    }

    assertEquals(ITERATIONS - KILLED_AFTER, lloydJobs.get(), "iterations 1-5 came from the checkpoint");
    assertEquals(full.digests, resumed.digests);
    assertEquals(full.result.objective, resumed.result.objective);
    assertEquals(full.result.emptySplits, resumed.result.emptySplits);
    assertEquals(ITERATIONS, resumed.result.iterationsRun);
    assertEquals(ITERATIONS, resumed.result.objective.size());
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
    assertFalse(Files.exists(ckptDir(out)), "the checkpoint is removed once the output is committed");
  }

  @Test
  void resume_checkpointOfDifferentK_invalidInputNamingDirAndDifference() {
    Path out = killedRun("otherk", CodebookMode.SEPARATE);
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> QuantizeJob.run(spark,
        params("otherk", CodebookMode.SEPARATE).k(10).resume(true).build()));
    assertTrue(e.getMessage().contains(ckptDir(out).getFileName().toString()), e.getMessage());
    assertTrue(e.getMessage().contains("k 12 in the checkpoint, 10 now"), e.getMessage());
    assertTrue(e.getMessage().contains("drop --resume"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line");
    assertTrue(Files.exists(ckptDir(out)), "a refused checkpoint is left for the user to inspect");
  }

  @Test
  void resume_withoutCheckpoint_runsFromScratch() throws Exception {
    Manifest full = QuantizeJob.run(spark, params("scratch-a", CodebookMode.SEPARATE).build());
    Manifest fresh = QuantizeJob.run(spark, params("scratch-b", CodebookMode.SEPARATE).resume(true)
        .build());
    assertEquals(full.digests, fresh.digests);
    assertEquals(ITERATIONS, fresh.result.iterationsRun);
  }

  @Test
  void checkpointEvery_outOfRange_invalidInput() {
    assertThrows(InvalidInputException.class,
        () -> params("neg", CodebookMode.SEPARATE).checkpointEvery(-1).build());
    assertThrows(InvalidInputException.class,
        () -> params("big", CodebookMode.SEPARATE).checkpointEvery(KMeansParams.MAX_ITERATIONS + 1).build());
    // The limits themselves are allowed.
    params("zero", CodebookMode.SEPARATE).checkpointEvery(0).build();
    params("max", CodebookMode.SEPARATE).checkpointEvery(KMeansParams.MAX_ITERATIONS).build();
  }

  @Test
  void resume_decoderKilledInOutputSection_identicalAndSectionCheckpoints() throws Exception {
    Path model = dir.resolve("decoder.safetensors");
    PlantedTable in = new PlantedTable(800, 32, 4, 12, 0.5, 8, PlantedTable.Mode.SEPARATE);
    PlantedTable outT = new PlantedTable(800, 32, 4, 12, 0.5, 9, PlantedTable.Mode.SEPARATE);
    try (SafetensorsWriter w = SafetensorsWriter.create(model, List.of(
        new TensorDecl("shared.weight", DType.F32, 800, 32), new TensorDecl("lm_head.weight", DType.F32, 800, 32)),
        Map.of("format", "pt"))) {
      float[] rows = new float[800 * 32];
      in.fillRows(0, 800, rows, 0);
      w.writeRows(rows, 0, 800);
      outT.fillRows(0, 800, rows, 0);
      w.writeRows(rows, 0, 800);
    }
    QuantizeRequest.Builder b = params("dec-full", CodebookMode.SEPARATE).input(model.toString())
        .outputTensor("lm_head.weight");
    Manifest full = QuantizeJob.run(spark, b.build());

    Path out = dir.resolve("dec-resumed");
    b.output(out.toString());
    // The input section checkpoints 1..8, then the output section 1..5: kill at the second "5".
    AtomicInteger fives = new AtomicInteger();
    assertThrows(Killed.class, () -> QuantizeJob.run(spark, b.checkpointEvery(1).build(),
        killAt(it -> it == KILLED_AFTER && fives.incrementAndGet() == 2)));
    assertTrue(Files.exists(ckptDir(out).resolve("input/state-000000008.json")));
    assertTrue(Files.exists(ckptDir(out).resolve("output/state-000000005.json")));
    assertFalse(Files.exists(out));

    Manifest resumed = QuantizeJob.run(spark, b.resume(true).build());
    for (String section : List.of("input", "output")) {
      assertEquals(full.sections.get(section).digests, resumed.sections.get(section).digests, section);
    }
    assertFalse(Files.exists(ckptDir(out)), "the whole ._ckpt is removed after the commit");
  }

  @Test
  void cli_checkpointEveryNegative_exit2NamingTheFlag() {
    StringWriter err = new StringWriter();
    int code = AsgMain.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "quantize",
        "--input", input.toString(), "--output", dir.resolve("cli").toString(), "--checkpoint-every", "-1",
        "--resume");
    assertEquals(2, code, err.toString());
    assertTrue(err.toString().contains("--checkpoint-every -1"), err.toString());
    assertFalse(Files.exists(dir.resolve("cli")));
  }
}
