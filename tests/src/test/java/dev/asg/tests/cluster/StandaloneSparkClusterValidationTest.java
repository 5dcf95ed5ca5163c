package dev.asg.tests.cluster;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The parts of the test cluster that need no processes: argument limits, parsing, log tails. Milliseconds. */
class StandaloneSparkClusterValidationTest {

  @Test
  void start_withWorkersBelowOrAboveLimits_throwsBeforeStartingAnything() {
    IllegalArgumentException tooFew =
        assertThrows(IllegalArgumentException.class, () -> StandaloneSparkCluster.start(0, 1, "1g"));
    assertTrue(tooFew.getMessage().contains("workers=0"), tooFew.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> StandaloneSparkCluster.start(StandaloneSparkCluster.MAX_WORKERS + 1, 1, "1g"));
    assertDoesNotThrow(() -> StandaloneSparkCluster.validate(1, 1, "1g"));
    assertDoesNotThrow(() -> StandaloneSparkCluster.validate(StandaloneSparkCluster.MAX_WORKERS, 1, "1g"));
  }

  @Test
  void validate_withCoresBelowOrAboveLimits_throws() {
    assertThrows(IllegalArgumentException.class, () -> StandaloneSparkCluster.validate(2, 0, "1g"));
    assertThrows(IllegalArgumentException.class,
        () -> StandaloneSparkCluster.validate(2, StandaloneSparkCluster.MAX_CORES_PER_WORKER + 1, "1g"));
    assertDoesNotThrow(
        () -> StandaloneSparkCluster.validate(2, StandaloneSparkCluster.MAX_CORES_PER_WORKER, "1g"));
  }

  @Test
  void validate_withMemoryTooSmallOrTooLarge_throwsAndAcceptsTheBounds() {
    assertThrows(IllegalArgumentException.class, () -> StandaloneSparkCluster.validate(2, 1, "511m"));
    assertThrows(IllegalArgumentException.class, () -> StandaloneSparkCluster.validate(2, 1, "17g"));
    assertDoesNotThrow(() -> StandaloneSparkCluster.validate(2, 1, "512m"));
    assertDoesNotThrow(() -> StandaloneSparkCluster.validate(2, 1, "16g"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1024", "1gb", "1.5g", "g", "-1g", "1t"})
  void memoryMb_withoutDigitsAndUnitMOrG_throwsNamingTheValue(String memory) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> StandaloneSparkCluster.memoryMb(memory));
    assertTrue(e.getMessage().contains("'" + memory + "'"), e.getMessage());
  }

  @Test
  void memoryMb_withNull_throws() {
    assertThrows(IllegalArgumentException.class, () -> StandaloneSparkCluster.memoryMb(null));
  }

  @Test
  void memoryMb_withMegabytesOrGigabytesInEitherCase_returnsMegabytes() {
    assertEquals(768, StandaloneSparkCluster.memoryMb("768m"));
    assertEquals(768, StandaloneSparkCluster.memoryMb("768M"));
    assertEquals(2 * 1024, StandaloneSparkCluster.memoryMb("2g"));
    assertEquals(3 * 1024, StandaloneSparkCluster.memoryMb("3G"));
  }

  @Test
  void extensionConstructor_withBadShape_throwsAtConstruction() {
    assertThrows(IllegalArgumentException.class, () -> new SparkClusterExtension(0, 1, "1g"));
    assertThrows(IllegalArgumentException.class, () -> new SparkClusterExtension(2, 1, "100m"));
  }

  @Test
  void isExecutorOf_matchesExecutorMainAndOnlyTheGivenAppId() {
    List<String> executor = List.of("/usr/bin/java", "-cp", "a.jar:b.jar", StandaloneSparkCluster.EXECUTOR_MAIN,
        "--driver-url", "spark://CoarseGrainedScheduler@127.0.0.1:1", "--executor-id", "0",
        "--app-id", "app-1", "--worker-url", "spark://Worker@127.0.0.1:2");
    assertTrue(StandaloneSparkCluster.isExecutorOf(executor, null));
    assertTrue(StandaloneSparkCluster.isExecutorOf(executor, "app-1"));
    assertFalse(StandaloneSparkCluster.isExecutorOf(executor, "app-2"));
    List<String> worker = List.of("/usr/bin/java", "-cp", "a.jar", ParentWatchdogMain.class.getName(),
        "org.apache.spark.deploy.worker.Worker", "--app-id", "app-1");
    assertFalse(StandaloneSparkCluster.isExecutorOf(worker, null));
    assertFalse(StandaloneSparkCluster.isExecutorOf(
        List.of(StandaloneSparkCluster.EXECUTOR_MAIN, "--app-id"), "app-1"), "--app-id without a value");
  }

  @Test
  void masterStatusParse_withMixedWorkerStates_keepsOnlyAliveWorkers() throws IOException {
    String json = "{\"url\":\"spark://127.0.0.1:7077\",\"status\":\"ALIVE\",\"aliveworkers\":2,\"workers\":["
        + "{\"id\":\"w-1\",\"state\":\"ALIVE\",\"cores\":1},"
        + "{\"id\":\"w-2\",\"state\":\"DEAD\",\"cores\":1},"
        + "{\"id\":\"w-3\",\"state\":\"ALIVE\",\"cores\":1}],\"activeapps\":[]}";

    MasterStatus status = MasterStatus.parse(json);

    assertEquals("spark://127.0.0.1:7077", status.url());
    assertEquals("ALIVE", status.status());
    assertEquals(List.of("w-1", "w-3"), status.aliveWorkerIds());
  }

  @Test
  void masterStatusParse_withoutWorkers_returnsEmptyList() throws IOException {
    MasterStatus status = MasterStatus.parse("{\"url\":\"spark://127.0.0.1:1\",\"status\":\"STANDBY\"}");
    assertEquals(List.of(), status.aliveWorkerIds());
    assertEquals("STANDBY", status.status());
  }

  @Test
  void tail_withLongerFile_returnsLastLinesInOrder(@TempDir Path dir) throws IOException {
    Path log = dir.resolve("x.log");
    Files.write(log, IntStream.range(0, 100).mapToObj(i -> "line " + i).toList());

    assertEquals(List.of("line 97", "line 98", "line 99"), ClusterLogs.tail(log, 3));
  }

  @Test
  void tail_withShorterFile_returnsAllLines(@TempDir Path dir) throws IOException {
    Path log = dir.resolve("x.log");
    Files.writeString(log, "a\nb");

    assertEquals(List.of("a", "b"), ClusterLogs.tail(log, 10));
  }

  @Test
  void tail_withZeroLines_throws(@TempDir Path dir) throws IOException {
    Path log = Files.writeString(dir.resolve("x.log"), "a\n");
    assertThrows(IllegalArgumentException.class, () -> ClusterLogs.tail(log, 0));
  }

  @Test
  void freePort_returnsAPortThatCanBeBoundOnLoopback() throws IOException {
    int port = StandaloneSparkCluster.freePort();

    assertTrue(port > 0 && port < 65536, "port " + port);
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
      assertEquals(port, socket.getLocalPort());
    }
  }
}
