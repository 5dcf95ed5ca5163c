package dev.asg.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.artifact.Manifest;
import dev.asg.common.kmeans.CodebookMode;
import dev.asg.common.kmeans.GroupedSeeding;
import dev.asg.common.synth.PlantedTable;
import dev.asg.common.tensor.DType;
import dev.asg.spark.engine.QuantizeJob;
import dev.asg.spark.engine.QuantizeRequest;
import java.nio.file.Path;
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
 * The seeding's sample is taken in the read job (no "asg init sample" job), and gives exactly the rows, hence the
 * artifact, of the sample job that a --resume without a checkpoint still runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SeedingSampleTest {
  private static final String SAMPLE_JOB = "asg init sample";
  private static final int V = 2000;
  private static final int D = 32;
  private static final int M = 4;
  private static final int K = 16;

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

  @ParameterizedTest
  @EnumSource(CodebookMode.class)
  void quantize_sampleInReadJob_noSampleJobAndSameArtifactAsSampleJob(CodebookMode mode) throws Exception {
    PlantedTable table = new PlantedTable(V, D, M, K, 0.2, 5, mode == CodebookMode.SHARED
        ? PlantedTable.Mode.SHARED : PlantedTable.Mode.SEPARATE);
    Path in = TestTables.safetensors(dir, "t-" + mode + ".safetensors", table, DType.F32);
    // 3 partitions: the sample rows come from several blocks and must be joined in token order.
    int[] readSampleJobs = new int[1];
    Manifest inRead = run(in, "read-" + mode, mode, false, readSampleJobs);
    // --resume with no checkpoint yet seeds as usual, but takes the sample in a job of its own.
    int[] ownSampleJobs = new int[1];
    Manifest ownJob = run(in, "own-" + mode, mode, true, ownSampleJobs);
    assertEquals(0, readSampleJobs[0], "the read job takes the seeding sample");
    assertTrue(ownSampleJobs[0] > 0, "a resume without checkpoint runs the sample job");
    assertEquals(ownJob.digests, inRead.digests, "same sample rows, same order, same artifact");
  }

  /**
   * A shared codebook above GroupedSeeding.GROUP_CENTROIDS seeds in independent groups: the artifact is the same
   * whatever the partition count (the groups are a hash of the sample index, the sample is in token order).
   */
  @Test
  void quantize_groupedSeeding_sameArtifactForOneOrFivePartitions() throws Exception {
    int k = GroupedSeeding.GROUP_CENTROIDS + 52; // two groups
    // 2 sample points per centroid keep the table (and the test) small: ~4,200 pooled points of 4,400.
    PlantedTable table = new PlantedTable(1100, 8, 4, 64, 0.2, 7, PlantedTable.Mode.SHARED);
    Path in = TestTables.safetensors(dir, "grouped.safetensors", table, DType.F32);
    Manifest[] got = new Manifest[2];
    int[] partitions = {1, 5};
    for (int i = 0; i < 2; i++) {
      got[i] = QuantizeJob.run(spark, QuantizeRequest.builder().input(in.toString())
          .output(dir.resolve("grouped-" + partitions[i]).toString()).m(4).k(k).codebook(CodebookMode.SHARED)
          .initPointsPerCentroid(2).iterations(1).seed(3).partitions(partitions[i]).build());
    }
    assertEquals(2, GroupedSeeding.groups(k));
    assertEquals(got[0].digests, got[1].digests, "same seeds and artifact for 1 and 5 partitions");
  }

  private Manifest run(Path in, String out, CodebookMode mode, boolean resume, int[] sampleJobs) throws Exception {
    AtomicInteger count = new AtomicInteger();
    SparkListener listener = new SparkListener() {
      @Override
      public void onJobStart(SparkListenerJobStart start) {
        if (SAMPLE_JOB.equals(start.properties().getProperty("spark.job.description", ""))) {
          count.incrementAndGet();
        }
      }
    };
    spark.sparkContext().addSparkListener(listener);
    try {
      QuantizeRequest.Builder b = QuantizeRequest.builder().input(in.toString()).output(dir.resolve(out).toString())
          .m(M).k(K).codebook(mode).iterations(2).seed(3).partitions(3);
      Manifest m = QuantizeJob.run(spark, (resume ? b.resume(true).checkpointEvery(1) : b).build());
      spark.sparkContext().listenerBus().waitUntilEmpty();
      sampleJobs[0] = count.get();
      return m;
    } finally {
      spark.sparkContext().removeSparkListener(listener);
    }
  }
}
