package dev.asg.tests.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real Spark standalone cluster for tests: one Master and N Workers, each a separate child JVM on 127.0.0.1,
 * started from the test classpath (no Spark distribution needed). Executors are launched by the Workers as
 * further JVMs, so a test can observe and kill them like on a real cluster.
 *
 * <p>Usable from JUnit through {@link SparkClusterExtension} or directly (try-with-resources). Every process
 * lives only as long as this object: {@link #close()}, a JVM shutdown hook, and {@link ParentWatchdogMain}
 * (for a parent killed with -9) all tear it down.
 *
 * <p>Only loopback is ever used: every daemon, executor and the driver bind to 127.0.0.1.
 */
public final class StandaloneSparkCluster implements AutoCloseable {

  /** The only address anything binds to or connects to. */
  public static final String LOOPBACK = "127.0.0.1";

  /** Observed start-up is ~6 s on 2 busy cores; 60 s leaves room for a loaded CI machine yet fails in minutes. */
  static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  /** Each Worker is a JVM plus its executor JVM; more than 8 on one test machine is a mistake, not a test. */
  static final int MAX_WORKERS = 8;

  /** A Worker advertises cores it does not own; beyond 16 the scheduling no longer resembles the machine. */
  static final int MAX_CORES_PER_WORKER = 16;

  /**
   * Spark refuses to start an executor whose heap is below 1.5 x its 300 MB reserved memory (450 MB); 512m is
   * the smallest round size above it. The executor heap equals the worker memory (one executor per worker).
   */
  static final long MIN_MEMORY_MB = 512;

  /** Executors of a test cluster get this much heap each; 16g is far beyond any test and catches unit slips. */
  static final long MAX_MEMORY_MB = 16 * 1024;

  /** Main class of an executor JVM, as it appears on its command line. */
  static final String EXECUTOR_MAIN = "org.apache.spark.executor.CoarseGrainedExecutorBackend";

  private static final String MASTER_MAIN = "org.apache.spark.deploy.master.Master";
  private static final String WORKER_MAIN = "org.apache.spark.deploy.worker.Worker";

  /** A port picked free can be taken by another process before the Master binds it; retry with new ports. */
  private static final int MASTER_START_ATTEMPTS = 3;

  /** Graceful stop first (Spark's shutdown hooks clean up), then kill -9 whatever is left. */
  private static final Duration GRACEFUL_STOP = Duration.ofSeconds(5);

  /** A SIGKILLed process is gone within milliseconds; still alive after 10 s means something is badly wrong. */
  private static final Duration KILL_WAIT = Duration.ofSeconds(10);

  private static final Duration POLL_INTERVAL = Duration.ofMillis(100);

  private static final Pattern MEMORY = Pattern.compile("(\\d{1,6})([mMgG])");

  /**
   * JVM options of the Master and Worker daemons. They do little work, so: a small heap (Spark's own daemon
   * default is 1g), the serial collector and C1 only, which keep them from competing with the driver and the
   * executors for the 2 cores of a CI machine. They need no --add-opens; executors get the module flags from
   * Spark itself (SparkContext adds them to spark.executor.defaultJavaOptions).
   */
  /**
   * Optional {@code spark.executor.extraJavaOptions} for tests whose tasks are trivial (sleeps, pids): C1 only
   * and the serial collector roughly halve an executor's start-up CPU, which dominates such tests on 2 cores.
   * Not in {@link #clientConf()}: without C2 the Vector API is not intrinsified and hot loops run many times
   * slower, so a test running the real k-means job must not use it.
   */
  public static final String FAST_START_EXECUTOR_JAVA_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";

  private static final List<String> DAEMON_JVM_OPTIONS =
      List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  private final int workers;
  private final int coresPerWorker;
  private final String memoryPerWorker;
  private final ClusterLogs logs;
  private final String classPath;
  private final String scalaBinaryVersion;
  private final Path javaHome;
  /** Written by the starting thread, read by close() and the shutdown hook: a copy-on-write list. */
  private final List<Process> workerProcesses = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread shutdownHook;
  private volatile Process master;
  private volatile int masterPort;
  private volatile int masterWebUiPort;

  private StandaloneSparkCluster(int workers, int coresPerWorker, String memoryPerWorker) {
    this.workers = workers;
    this.coresPerWorker = coresPerWorker;
    this.memoryPerWorker = memoryPerWorker;
    this.classPath = testClassPath();
    this.scalaBinaryVersion = scalaBinaryVersion();
    this.javaHome = Paths.get(System.getProperty("java.home"));
    this.logs = ClusterLogs.createUnderTarget();
    this.shutdownHook = new Thread(this::tearDown, "spark-cluster-teardown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Starts a Master and {@code workers} Workers and waits until the Master reports every Worker ALIVE.
   *
   * @param workers number of Worker JVMs, 1 to {@value #MAX_WORKERS}
   * @param coresPerWorker cores each Worker offers, 1 to {@value #MAX_CORES_PER_WORKER}
   * @param memoryPerWorker memory each Worker offers, e.g. "1g" or "768m", 512m to 16g; executors get all of it
   * @throws IllegalArgumentException for a value out of range
   * @throws IllegalStateException when the cluster is not up within {@link #START_TIMEOUT}; the message holds
   *     the tails of the logs. No process is left running in that case.
   */
  public static StandaloneSparkCluster start(int workers, int coresPerWorker, String memoryPerWorker) {
    validate(workers, coresPerWorker, memoryPerWorker);
    StandaloneSparkCluster cluster = new StandaloneSparkCluster(workers, coresPerWorker, memoryPerWorker);
    try {
      cluster.launch();
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  static void validate(int workers, int coresPerWorker, String memoryPerWorker) {
    if (workers < 1 || workers > MAX_WORKERS) {
      throw new IllegalArgumentException("workers=" + workers + " for the test Spark cluster; allowed 1.."
          + MAX_WORKERS);
    }
    if (coresPerWorker < 1 || coresPerWorker > MAX_CORES_PER_WORKER) {
      throw new IllegalArgumentException("coresPerWorker=" + coresPerWorker + " for the test Spark cluster;"
          + " allowed 1.." + MAX_CORES_PER_WORKER);
    }
    long mb = memoryMb(memoryPerWorker);
    if (mb < MIN_MEMORY_MB || mb > MAX_MEMORY_MB) {
      throw new IllegalArgumentException("memoryPerWorker='" + memoryPerWorker + "' for the test Spark cluster;"
          + " allowed " + MIN_MEMORY_MB + "m.." + MAX_MEMORY_MB / 1024 + "g, e.g. \"1g\"");
    }
  }

  /** Parses "768m" / "1g" into MB; a unit is required because Spark reads a bare number as MB in some places. */
  static long memoryMb(String memory) {
    Matcher m = MEMORY.matcher(memory == null ? "" : memory);
    if (!m.matches()) {
      throw new IllegalArgumentException("memoryPerWorker='" + memory + "' for the test Spark cluster; use digits"
          + " followed by m or g, e.g. \"1g\" or \"768m\"");
    }
    long value = Long.parseLong(m.group(1));
    return Character.toLowerCase(m.group(2).charAt(0)) == 'g' ? value * 1024 : value;
  }

  /** The {@code spark://127.0.0.1:port} URL drivers connect to. */
  public String masterUrl() {
    return "spark://" + LOOPBACK + ":" + masterPort;
  }

  /** The Master's web UI; {@code masterWebUiUrl() + "json/"} gives its state as JSON. */
  public String masterWebUiUrl() {
    return "http://" + LOOPBACK + ":" + masterWebUiPort + "/";
  }

  /**
   * The classpath every executor needs as {@code spark.executor.extraClassPath}: the full test classpath (Spark,
   * the project's modules, test classes), because the stand-in SPARK_HOME has no jars of its own.
   */
  public String executorClassPath() {
    return classPath;
  }

  /** Directory holding master.log, worker-N.log and each Worker's work dir with executor stdout/stderr. */
  public Path logDir() {
    return logs.dir();
  }

  /**
   * The Spark settings a driver (SparkSession builder or SparkConf) needs to run on this cluster. A fresh mutable
   * map each call, so a caller can add or override entries. Beyond what the cluster requires it sets:
   * <ul>
   *   <li>one executor per Worker holding all its cores and memory, so executor JVMs map 1:1 to Workers;</li>
   *   <li>{@code minRegisteredResourcesRatio=1.0}: the first job waits until every executor has registered,
   *       otherwise it would start on whichever executor came up first and tests would see one JVM;</li>
   *   <li>no driver web UI: it costs start-up time and a port on a machine shared with other builds;</li>
   *   <li>the driver's spark.local.dir inside {@link #logDir()}.</li>
   * </ul>
   */
  public Map<String, String> clientConf() {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.master", masterUrl());
    conf.put("spark.executor.extraClassPath", classPath);
    conf.put("spark.executorEnv.SPARK_SCALA_VERSION", scalaBinaryVersion);
    conf.put("spark.driver.host", LOOPBACK);
    conf.put("spark.driver.bindAddress", LOOPBACK);
    conf.put("spark.executor.memory", memoryMb(memoryPerWorker) + "m");
    conf.put("spark.executor.cores", Integer.toString(coresPerWorker));
    conf.put("spark.cores.max", Integer.toString(workers * coresPerWorker));
    conf.put("spark.scheduler.minRegisteredResourcesRatio", "1.0");
    conf.put("spark.scheduler.maxRegisteredResourcesWaitingTime", START_TIMEOUT.toSeconds() + "s");
    conf.put("spark.ui.enabled", "false");
    // The driver's scratch space next to the cluster's logs instead of /tmp, removed by mvn clean.
    conf.put("spark.local.dir", logs.dir().resolve("driver-local").toString());
    return conf;
  }

  /** Number of Workers, cores and memory as started. */
  public int workers() {
    return workers;
  }

  public int coresPerWorker() {
    return coresPerWorker;
  }

  public String memoryPerWorker() {
    return memoryPerWorker;
  }

  /** Pids of all live executor JVMs (children of the Workers), ascending. */
  public List<Long> executorPids() {
    return executorHandles(null).map(ProcessHandle::pid).sorted().toList();
  }

  /** Pids of the live executor JVMs of one application ({@code SparkContext.applicationId()}), ascending. */
  public List<Long> executorPids(String appId) {
    return executorHandles(appId).map(ProcessHandle::pid).sorted().toList();
  }

  /**
   * Waits until exactly {@code count} executor JVMs of {@code appId} are alive and returns their pids. A live
   * JVM is not yet registered with the driver; callers that need that should also check the driver's view.
   *
   * @throws IllegalStateException on timeout, naming the pids seen last
   */
  public List<Long> awaitExecutorPids(String appId, int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Long> pids = executorPids(appId);
    while (pids.size() != count) {
      if (deadline - System.nanoTime() <= 0) {
        throw new IllegalStateException("expected " + count + " live executors of " + appId + " within "
            + timeout.toSeconds() + " s but saw " + pids + "; logs in " + logDir());
      }
      sleep(POLL_INTERVAL);
      pids = executorPids(appId);
    }
    return pids;
  }

  /**
   * Kills one executor JVM like {@code kill -9} and returns once it is dead. Only pids from
   * {@link #executorPids()} are accepted, so a wrong number can never kill an unrelated process.
   */
  public void killExecutor(long pid) {
    ProcessHandle executor = executorHandles(null).filter(h -> h.pid() == pid).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("pid " + pid + " is not a live executor of this cluster"
            + " (live executors: " + executorPids() + "); pass a pid from executorPids()"));
    executor.destroyForcibly();
    try {
      executor.onExit().get(KILL_WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("executor pid " + pid + " still alive " + KILL_WAIT.toSeconds()
          + " s after kill -9; check `ps -p " + pid + "` (a process stuck in the kernel cannot be killed)", e);
    }
  }

  /** The last {@code lines} lines of every daemon and executor log; for failure reports. */
  public String logTails(int lines) {
    return logs.tails(lines);
  }

  /**
   * Stops every process of the cluster (Master first, so no replacement executor can be launched meanwhile,
   * then Workers and their executors): SIGTERM, up to 5 s grace, then kill -9. Idempotent.
   */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // The hook is running or about to run tearDown itself.
    }
    tearDown();
  }

  @Override
  public String toString() {
    return "StandaloneSparkCluster[" + masterUrl() + ", UI " + masterWebUiUrl() + ", " + workers + " workers x "
        + coresPerWorker + " cores x " + memoryPerWorker + ", logs " + logDir() + "]";
  }

  private void tearDown() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    // Not synchronized with launch(): a Ctrl-C during start-up must not wait for it. startDaemon() re-checks
    // `closed` after publishing each process, so every process is either seen here or killed there.
    Process currentMaster = master;
    if (currentMaster != null) {
      stop(List.of(currentMaster.toHandle()));
    }
    // Snapshot the executors before their Worker dies: afterwards they are re-parented and unreachable here.
    List<ProcessHandle> rest = new ArrayList<>();
    for (Process worker : workerProcesses) {
      rest.add(worker.toHandle());
      worker.toHandle().descendants().forEach(rest::add);
    }
    stop(rest);
    Stream.concat(Stream.ofNullable(currentMaster), workerProcesses.stream())
        .forEach(StandaloneSparkCluster::closeStreams);
  }

  private static void stop(List<ProcessHandle> processes) {
    processes.forEach(ProcessHandle::destroy);
    if (!awaitExit(processes, GRACEFUL_STOP)) {
      processes.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
      awaitExit(processes, GRACEFUL_STOP);
    }
  }

  private static boolean awaitExit(List<ProcessHandle> processes, Duration timeout) {
    CompletableFuture<?>[] exits = processes.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(exits).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException e) {
      return false;
    }
  }

  private static void closeStreams(Process process) {
    try {
      process.getOutputStream().close();
    } catch (IOException ignored) {
      // The process is gone; nothing left to release.
    }
  }

  private void launch() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    startMaster(deadline);
    for (int i = 1; i <= workers; i++) {
      startDaemon("worker-" + i, workerProcesses::add, List.of(), WORKER_MAIN, List.of(
          "--host", LOOPBACK,
          "--port", "0",
          "--webui-port", "0",
          "--cores", Integer.toString(coresPerWorker),
          "--memory", memoryMb(memoryPerWorker) + "m",
          "--work-dir", logs.workerWorkDir(i).toString(),
          masterUrl()), Map.of("SPARK_LOCAL_DIRS", logs.workerLocalDir(i).toString()));
    }
    awaitWorkers(deadline);
  }

  /** Starts the Master on fresh ports, retrying when another process took a port between pick and bind. */
  private void startMaster(long deadline) {
    for (int attempt = 1; ; attempt++) {
      masterPort = freePort();
      do {
        masterWebUiPort = freePort();
      } while (masterWebUiPort == masterPort);
      startDaemon("master", p -> master = p, List.of(
          // With retries Spark would silently move to port+1 and the Workers would knock on the wrong door;
          // failing instead lets this loop pick new ports.
          "-Dspark.port.maxRetries=0",
          // Off by default in Spark 4; pinned so no extra listening port appears if that default changes.
          "-Dspark.master.rest.enabled=false"),
          MASTER_MAIN, List.of("--host", LOOPBACK, "--port", Integer.toString(masterPort),
              "--webui-port", Integer.toString(masterWebUiPort)), Map.of());
      MasterStart result = awaitMaster(deadline);
      if (result.failure() == null) {
        return;
      }
      boolean retry = result.portTaken() || logMentionsBindFailure();
      stop(List.of(master.toHandle()));
      closeStreams(master);
      if (!retry || attempt == MASTER_START_ATTEMPTS || deadline - System.nanoTime() <= 0) {
        throw startFailure(result.failure());
      }
    }
  }

  /**
   * Outcome of waiting for the Master.
   *
   * @param failure null once our Master answers as ALIVE, otherwise why it did not
   * @param portTaken whether another process answered on the web UI port (a race worth retrying)
   */
  private record MasterStart(String failure, boolean portTaken) {
  }

  private MasterStart awaitMaster(long deadline) {
    URI json = URI.create(masterWebUiUrl() + "json/");
    while (deadline - System.nanoTime() > 0) {
      if (!master.isAlive()) {
        return new MasterStart("the Master exited with code " + master.exitValue(), false);
      }
      try {
        MasterStatus status = MasterStatus.fetch(json);
        if (!status.url().equals(masterUrl())) {
          return new MasterStart("web UI port " + masterWebUiPort + " answered for '" + status.url()
              + "', not for our Master " + masterUrl(), true);
        }
        if ("ALIVE".equals(status.status())) {
          return new MasterStart(null, false);
        }
      } catch (IOException notUpYet) {
        // The UI is not listening yet.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new MasterStart("interrupted while waiting for the Master", false);
      }
      sleep(POLL_INTERVAL);
    }
    return new MasterStart("the Master did not answer as ALIVE on " + json, false);
  }

  private boolean logMentionsBindFailure() {
    return ClusterLogs.tail(logs.processLog("master"), 200).stream()
        .anyMatch(l -> l.contains("BindException") || l.contains("Address already in use"));
  }

  private void awaitWorkers(long deadline) {
    URI json = URI.create(masterWebUiUrl() + "json/");
    int alive = 0;
    while (deadline - System.nanoTime() > 0) {
      for (int i = 0; i < workerProcesses.size(); i++) {
        if (!workerProcesses.get(i).isAlive()) {
          throw startFailure("worker-" + (i + 1) + " exited with code " + workerProcesses.get(i).exitValue());
        }
      }
      if (!master.isAlive()) {
        throw startFailure("the Master exited with code " + master.exitValue());
      }
      try {
        alive = MasterStatus.fetch(json).aliveWorkerIds().size();
        if (alive >= workers) {
          return;
        }
      } catch (IOException transientError) {
        // Keep polling until the deadline.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw startFailure("interrupted while waiting for the Workers");
      }
      sleep(POLL_INTERVAL);
    }
    throw startFailure("only " + alive + " of " + workers + " Workers registered ALIVE with the Master");
  }

  private IllegalStateException startFailure(String reason) {
    return new IllegalStateException("Spark standalone cluster did not start within " + START_TIMEOUT.toSeconds()
        + " s: " + reason + "; logs in " + logDir() + " (tails below)\n" + logs.tails(ClusterLogs.DEFAULT_TAIL_LINES));
  }

  /**
   * Launches {@code java <options> -cp <test classpath> ParentWatchdogMain <mainClass> <args>} with stdout and
   * stderr appended to {@code <name>.log}, and hands the process to {@code publish} before anything else can fail.
   */
  private void startDaemon(String name, Consumer<Process> publish, List<String> extraJvmOptions, String mainClass,
      List<String> args, Map<String, String> extraEnv) {
    List<String> command = new ArrayList<>();
    command.add(javaHome.resolve("bin").resolve("java").toString());
    command.addAll(DAEMON_JVM_OPTIONS);
    command.addAll(extraJvmOptions);
    command.add("-cp");
    command.add(classPath);
    command.add(ParentWatchdogMain.class.getName());
    command.add(mainClass);
    command.addAll(args);

    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(logs.dir().toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.processLog(name).toFile()));
    Map<String, String> env = builder.environment();
    // A developer's own Spark/Hadoop settings (SPARK_CONF_DIR, SPARK_MASTER_HOST, HADOOP_CONF_DIR, ...) must not
    // leak into the test cluster: it is configured here and only here.
    env.keySet().removeIf(k -> k.startsWith("SPARK_") || k.startsWith("PYSPARK_")
        || k.equals("HADOOP_CONF_DIR") || k.equals("YARN_CONF_DIR"));
    Path sparkHome = logs.sparkHome();
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_CONF_DIR", sparkHome.resolve("conf").toString());
    env.put("SPARK_SCALA_VERSION", scalaBinaryVersion);
    env.put("SPARK_LOCAL_IP", LOOPBACK);
    // Executors are started by the Worker with JAVA_HOME's java: the same JDK as this JVM.
    env.put("JAVA_HOME", javaHome.toString());
    env.putAll(extraEnv);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + " with " + command.get(0)
          + "; check that the JDK at java.home is complete", e);
    }
    publish.accept(process);
    if (closed.get()) {
      // close() ran while this process was starting and may have missed it.
      process.destroyForcibly();
      throw new IllegalStateException("the Spark test cluster was closed while starting " + name);
    }
  }

  private Stream<ProcessHandle> executorHandles(String appId) {
    return workerProcesses.stream()
        .flatMap(w -> w.toHandle().children())
        .filter(ProcessHandle::isAlive)
        .filter(h -> isExecutorOf(commandLine(h), appId));
  }

  /** True for an executor command line, and for appId != null only if it carries {@code --app-id appId}. */
  static boolean isExecutorOf(List<String> args, String appId) {
    if (!args.contains(EXECUTOR_MAIN)) {
      return false;
    }
    if (appId == null) {
      return true;
    }
    int flag = args.indexOf("--app-id");
    return flag >= 0 && flag + 1 < args.size() && args.get(flag + 1).equals(appId);
  }

  /**
   * A process's full argument list. On Linux read from /proc, which is never truncated (the executor command
   * line holds the whole classpath before its main class); elsewhere from ProcessHandle.Info.
   */
  private static List<String> commandLine(ProcessHandle process) {
    Path proc = Paths.get("/proc", Long.toString(process.pid()), "cmdline");
    try {
      if (Files.isReadable(proc)) {
        return Arrays.asList(new String(Files.readAllBytes(proc), StandardCharsets.UTF_8).split("\0"));
      }
    } catch (IOException processJustExited) {
      return List.of();
    }
    ProcessHandle.Info info = process.info();
    List<String> args = new ArrayList<>();
    info.command().ifPresent(args::add);
    info.arguments().ifPresent(a -> args.addAll(Arrays.asList(a)));
    return args;
  }

  /**
   * Surefire runs tests through a manifest-only jar, so java.class.path holds one jar; the real classpath is in
   * surefire.test.class.path. Outside surefire (IDE, plain java) java.class.path is the real one.
   */
  private static String testClassPath() {
    String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
  }

  /** "2.13" from the Scala library on the classpath, so the value follows the Spark build in use. */
  private static String scalaBinaryVersion() {
    String full = scala.util.Properties.versionNumberString();
    String[] parts = full.split("\\.");
    return parts.length >= 2 ? parts[0] + "." + parts[1] : full;
  }

  /** Picks a currently free TCP port on 127.0.0.1 (the kernel's choice, so it is unlikely to be reused soon). */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind any port on 127.0.0.1; is the loopback interface up?", e);
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting on the Spark test cluster", e);
    }
  }
}
