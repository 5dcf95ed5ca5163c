package dev.asg.tests.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.JavaSparkStatusTracker;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Smoke test of the real standalone cluster: tasks run in separate executor JVMs, a job survives the kill -9 of
 * an executor, and close() leaves no process behind.
 *
 * <p>All tests share one SparkSession: every new application costs two fresh executor JVMs (5-20 s on 2 busy
 * cores), and the class must stay well under a minute. Each test still works when run alone. The last test
 * closes the shared cluster, hence the fixed order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneSparkClusterTest {

  @RegisterExtension
  static final SparkClusterExtension CLUSTER = new SparkClusterExtension(2, 1, "1g");

  /** Replacement executors registered ~3 s after a kill in earlier measurements; 30 s absorbs a loaded machine. */
  private static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(30);

  private static SparkSession spark;
  private static String appId;

  @BeforeAll
  static void startSession(StandaloneSparkCluster cluster) {
    spark = newSession(cluster, "cluster-smoke");
    appId = spark.sparkContext().applicationId();
  }

  @AfterAll
  static void stopSession() {
    // Runs before the extension closes the cluster; after test 3 it stops a session whose cluster is gone.
    if (spark != null) {
      spark.stop();
    }
  }

  @Test
  @Order(1)
  void job_onTwoWorkers_runsTasksInTwoExecutorJvmsOtherThanTheTestJvm(StandaloneSparkCluster cluster) {
    List<Long> taskPids = javaContext(spark).parallelize(range(8), 8).map(new PidAfterSleep(200)).collect();

    Set<Long> distinct = new TreeSet<>(taskPids);
    assertEquals(8, taskPids.size());
    assertEquals(2, distinct.size(), "tasks ran in JVMs " + distinct);
    assertFalse(distinct.contains(ProcessHandle.current().pid()), "a task ran in the test JVM");
    assertEquals(new TreeSet<>(cluster.executorPids(appId)), distinct,
        "tasks must run exactly in the executor JVMs the cluster reports for " + appId);
  }

  @Test
  @Order(2)
  void job_whenOneExecutorIsKilledMidJob_returnsCorrectResultAndGetsAReplacementExecutor(
      StandaloneSparkCluster cluster) throws Exception {
    ExecutorService killer = Executors.newSingleThreadExecutor();
    try {
      List<Long> before = cluster.awaitExecutorPids(appId, 2, RECOVERY_TIMEOUT);
      AtomicLong killedAtNanos = new AtomicLong(Long.MAX_VALUE);
      // 16 one-second tasks on 2 single-core executors run >= 8 s; counting the 3 s from the first running task
      // (not from submission) lands the kill mid-job however long the executors took to come up.
      Future<Long> kill = killer.submit(() -> {
        awaitTrue(() -> runningTasks(spark) > 0, "no task of the job started");
        Thread.sleep(3000);
        long victim = cluster.executorPids(appId).get(0);
        cluster.killExecutor(victim);
        killedAtNanos.set(System.nanoTime());
        return victim;
      });

      List<long[]> rows = javaContext(spark).parallelize(range(16), 16).map(new SquareSlowly(1000)).collect();
      long jobEndNanos = System.nanoTime();
      long killed = kill.get(RECOVERY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);

      assertTrue(killedAtNanos.get() < jobEndNanos, "the executor was killed only after the job had finished");
      assertTrue(before.contains(killed), "killed pid " + killed + " was not one of this app's executors " + before);
      assertEquals(16, rows.size());
      Set<Long> inputs = new HashSet<>();
      for (long[] row : rows) {
        assertEquals(row[0] * row[0], row[1], "wrong square for input " + row[0]);
        inputs.add(row[0]);
      }
      assertEquals(new HashSet<>(range(16).stream().map(Integer::longValue).toList()), inputs,
          "every input must come back exactly once");

      List<Long> after = awaitReplacement(cluster, appId, killed);
      assertNotEquals(before, after);
      assertFalse(after.contains(killed));
      // Driver's view: the replacement registered (2 executors plus the driver's own entry) ...
      awaitTrue(() -> spark.sparkContext().statusTracker().getExecutorInfos().length == 3,
          "the driver did not see a replacement executor register");
      // ... and runs tasks: a follow-up job uses exactly the post-kill executors.
      List<Long> laterPids = javaContext(spark).parallelize(range(8), 8).map(new PidAfterSleep(200)).collect();
      assertEquals(new TreeSet<>(after), new TreeSet<>(laterPids));
    } finally {
      killer.shutdownNow();
    }
  }

  @Test
  @Order(3)
  void close_withRunningExecutors_leavesNoLiveChildProcessAndIsIdempotent(StandaloneSparkCluster cluster) {
    // The session is still up, so its executors are alive: the case of a test that dies mid-job.
    List<Long> executors = cluster.awaitExecutorPids(appId, 2, RECOVERY_TIMEOUT);
    List<ProcessHandle> started = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
    // Master + 2 Workers + 2 executors at least; fewer means the snapshot misses what must die.
    assertTrue(started.size() >= 5, "expected master, 2 workers and 2 executors among " + pids(started));
    assertTrue(pids(started).containsAll(executors), "executors " + executors + " not among " + pids(started));

    cluster.close();
    cluster.close();

    assertEquals(List.of(), pids(started.stream().filter(ProcessHandle::isAlive).toList()),
        "processes still alive after close()");
    assertEquals(List.of(), pids(ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList()),
        "child processes of the test JVM still alive after close()");
    assertEquals(List.of(), cluster.executorPids());
  }

  /** A session on the cluster; fails if another session in this JVM would be returned instead. */
  private static SparkSession newSession(StandaloneSparkCluster cluster, String appName) {
    assertTrue(SparkSession.getDefaultSession().isEmpty() && SparkSession.getActiveSession().isEmpty(),
        "another SparkSession is alive in this JVM; getOrCreate() would return it instead of a cluster session");
    SparkSession.Builder builder = SparkSession.builder().appName(appName);
    cluster.clientConf().forEach(builder::config);
    // The tasks here only sleep and report pids: trade JIT quality for faster executor (re)starts.
    builder.config("spark.executor.extraJavaOptions", StandaloneSparkCluster.FAST_START_EXECUTOR_JAVA_OPTIONS);
    SparkSession spark = builder.getOrCreate();
    assertEquals(cluster.masterUrl(), spark.sparkContext().master());
    return spark;
  }

  private static JavaSparkContext javaContext(SparkSession spark) {
    return JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  private static int runningTasks(SparkSession session) {
    JavaSparkStatusTracker tracker = javaContext(session).statusTracker();
    return Arrays.stream(tracker.getActiveStageIds()).mapToObj(tracker::getStageInfo).filter(Objects::nonNull)
        .mapToInt(SparkStageInfo::numActiveTasks).sum();
  }

  private static List<Integer> range(int n) {
    return IntStream.range(0, n).boxed().toList();
  }

  private static List<Long> pids(List<ProcessHandle> handles) {
    return handles.stream().map(ProcessHandle::pid).sorted().toList();
  }

  private static List<Long> awaitReplacement(StandaloneSparkCluster cluster, String appId, long killed) {
    List<Long> seen = new ArrayList<>();
    awaitTrue(() -> {
      seen.clear();
      seen.addAll(cluster.executorPids(appId));
      return seen.size() == 2 && !seen.contains(killed);
    }, "no replacement for killed executor " + killed);
    return List.copyOf(seen);
  }

  private static void awaitTrue(BooleanSupplier condition, String failure) {
    long deadline = System.nanoTime() + RECOVERY_TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(deadline - System.nanoTime() > 0, failure + " within " + RECOVERY_TIMEOUT.toSeconds() + " s");
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  /**
   * Task body: sleeps, then reports the pid of the JVM it ran in. A named class, not a lambda, so that executors
   * deserialize it without initializing this test class (and its extension field).
   */
  private static final class PidAfterSleep implements Function<Integer, Long> {
    private final long sleepMillis;

    PidAfterSleep(long sleepMillis) {
      this.sleepMillis = sleepMillis;
    }

    @Override
    public Long call(Integer ignored) throws InterruptedException {
      Thread.sleep(sleepMillis);
      return ProcessHandle.current().pid();
    }
  }

  /** Task body: sleeps, then returns {input, input squared, pid}. */
  private static final class SquareSlowly implements Function<Integer, long[]> {
    private final long sleepMillis;

    SquareSlowly(long sleepMillis) {
      this.sleepMillis = sleepMillis;
    }

    @Override
    public long[] call(Integer i) throws InterruptedException {
      Thread.sleep(sleepMillis);
      return new long[] {i, (long) i * i, ProcessHandle.current().pid()};
    }
  }
}
