package dev.asg.tests.cluster;

import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * JUnit 5 extension that runs one {@link StandaloneSparkCluster} per test class: started before all tests,
 * closed after all, injected into any parameter of type {@link StandaloneSparkCluster} (test methods,
 * constructors, {@code @BeforeAll}/{@code @BeforeEach} methods).
 *
 * <p>Usage: {@code @ExtendWith(SparkClusterExtension.class)} for the default shape, or
 * {@code @RegisterExtension static SparkClusterExtension cluster = new SparkClusterExtension(2, 1, "1g");}.
 * When a test or a lifecycle method fails, the log directory and the tail of every log are printed to stderr so
 * the reason shows up in CI output, not only in files that may never be archived.
 */
public final class SparkClusterExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver,
    TestWatcher, LifecycleMethodExecutionExceptionHandler {

  /**
   * Default shape: 2 Workers so that "two executor JVMs" and "lose one, keep going" can both be tested; 1 core
   * each because CI machines have 2; 1g, enough for an executor running small test jobs.
   */
  static final int DEFAULT_WORKERS = 2;
  static final int DEFAULT_CORES_PER_WORKER = 1;
  static final String DEFAULT_MEMORY_PER_WORKER = "1g";

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(SparkClusterExtension.class);
  private static final String KEY = "cluster";

  private final int workers;
  private final int coresPerWorker;
  private final String memoryPerWorker;
  private volatile StandaloneSparkCluster cluster;

  /** The default shape; used by {@code @ExtendWith}. */
  public SparkClusterExtension() {
    this(DEFAULT_WORKERS, DEFAULT_CORES_PER_WORKER, DEFAULT_MEMORY_PER_WORKER);
  }

  /** Checks the arguments now, so a bad shape fails at class load instead of inside beforeAll. */
  public SparkClusterExtension(int workers, int coresPerWorker, String memoryPerWorker) {
    StandaloneSparkCluster.validate(workers, coresPerWorker, memoryPerWorker);
    this.workers = workers;
    this.coresPerWorker = coresPerWorker;
    this.memoryPerWorker = memoryPerWorker;
  }

  /**
   * The running cluster, for {@code @RegisterExtension} users.
   *
   * @throws IllegalStateException outside the test class's lifetime
   */
  public StandaloneSparkCluster cluster() {
    StandaloneSparkCluster current = cluster;
    if (current == null) {
      throw new IllegalStateException("no Spark test cluster is running: cluster() works only between beforeAll"
          + " and afterAll; register the extension on a static field");
    }
    return current;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (context.getStore(NAMESPACE).get(KEY, StandaloneSparkCluster.class) != null) {
      // A @Nested class: the enclosing class's cluster (found through the parent store) serves it too.
      return;
    }
    long t0 = System.nanoTime();
    StandaloneSparkCluster started = StandaloneSparkCluster.start(workers, coresPerWorker, memoryPerWorker);
    cluster = started;
    context.getStore(NAMESPACE).put(KEY, started);
    System.out.printf("[SparkClusterExtension] %s: cluster up in %.1f s: %s; logs in %s%n",
        context.getDisplayName(), (System.nanoTime() - t0) / 1e9, started.masterUrl(), started.logDir());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    // remove() looks at this context only, so a @Nested class never closes its enclosing class's cluster.
    StandaloneSparkCluster owned = context.getStore(NAMESPACE).remove(KEY, StandaloneSparkCluster.class);
    if (owned != null) {
      cluster = null;
      owned.close();
      System.out.println("[SparkClusterExtension] " + context.getDisplayName() + ": cluster stopped; logs kept in "
          + owned.logDir());
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == StandaloneSparkCluster.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    // Store lookups fall back to enclosing contexts, so a method-level context finds the class's cluster.
    StandaloneSparkCluster current = extensionContext.getStore(NAMESPACE).get(KEY, StandaloneSparkCluster.class);
    if (current == null) {
      throw new ParameterResolutionException("no Spark test cluster for " + parameterContext.getParameter()
          + ": SparkClusterExtension starts it in beforeAll; register it on the test class, not on a method");
    }
    return current;
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    printLogs(context, "test failed");
  }

  @Override
  public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable throwable)
      throws Throwable {
    printLogs(context, "@BeforeAll failed");
    throw throwable;
  }

  @Override
  public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable throwable)
      throws Throwable {
    printLogs(context, "@BeforeEach failed");
    throw throwable;
  }

  @Override
  public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable throwable)
      throws Throwable {
    printLogs(context, "@AfterEach failed");
    throw throwable;
  }

  @Override
  public void handleAfterAllMethodExecutionException(ExtensionContext context, Throwable throwable)
      throws Throwable {
    printLogs(context, "@AfterAll failed");
    throw throwable;
  }

  private void printLogs(ExtensionContext context, String why) {
    StandaloneSparkCluster current = Optional.ofNullable(cluster)
        .orElseGet(() -> context.getStore(NAMESPACE).get(KEY, StandaloneSparkCluster.class));
    if (current == null) {
      // Start-up itself failed: its exception message already carries the log tails.
      return;
    }
    System.err.println("[SparkClusterExtension] " + context.getDisplayName() + ": " + why
        + "; Spark cluster logs in " + current.logDir() + "\n"
        + current.logTails(ClusterLogs.DEFAULT_TAIL_LINES));
  }
}
