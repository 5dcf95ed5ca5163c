package dev.asg.spark.cli;

import dev.asg.common.InvalidInputException;
import dev.asg.common.Messages;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/**
 * Creates the SparkSession for a CLI run (quantize, evaluate, inspect): embedded local[*] by default, the
 * cluster's under spark-submit.
 */
public final class SparkSessions {
  private SparkSessions() {}

  /**
   * @param master the --master flag, or null: then spark-submit's master if set, else local[*]
   */
  public static SparkConf conf(String appName, String master) {
    SparkConf conf = new SparkConf(true);
    if (master != null) {
      checkMaster(master);
      conf.setMaster(master);
    } else if (!conf.contains("spark.master")) {
      conf.setMaster("local[*]");
    }
    conf.setAppName(appName);
    // Nightly pipelines read our progress lines, not Spark's console progress bars.
    conf.setIfMissing("spark.ui.showConsoleProgress", "false");
    // Every Lloyd task returns its partial sums: m * k * dsub longs, 3.3 MB at mBERT shape. Above the 1 MiB default
    // Spark parks each result in the block manager and fetches it back (three extra copies per task, every
    // iteration); sent directly they are one RPC message, far below spark.rpc.message.maxSize (128 MiB).
    conf.setIfMissing("spark.task.maxDirectResultSize", "64m");
    // Embedded runs (local, local[N]) start no web UI: its Jetty server and pages took ~0.3 s of the start, and
    // it disappears with the JVM when the run ends. Set spark.ui.enabled=true to watch a long local run
    // (e.g. ASG_JAVA_OPTS=-Dspark.ui.enabled=true); clusters and local-cluster keep Spark's default.
    if (conf.get("spark.master").matches("local(\\[.*])?")) {
      conf.setIfMissing("spark.ui.enabled", "false");
    }
    return conf;
  }

  /** local, local[N|*], local[N|*,F], local-cluster[N,C,MB] (all >= 1), spark://, yarn, k8s://, mesos://. */
  private static final Pattern MASTER = Pattern.compile("local|local\\[([1-9][0-9]*|\\*)(,[1-9][0-9]*)?]"
      + "|local-cluster\\[[1-9][0-9]*,[1-9][0-9]*,[1-9][0-9]*]|spark://[^\\s]+|yarn|k8s://[^\\s]+|mesos://[^\\s]+");

  /**
   * Refuses a --master Spark would reject only after the input was checked (local[0]) or that is a typo, with
   * one line naming what is allowed.
   */
  public static void checkMaster(String master) {
    if (!MASTER.matcher(master).matches()) {
      throw new InvalidInputException("--master " + Messages.quote(master) + " is not a Spark master URL; "
          + "allowed: local, local[N] or local[*] (N >= 1 threads), local-cluster[N,CORES,MB], spark://HOST:PORT, "
          + "yarn, k8s://URL");
    }
  }

  public static SparkSession create(SparkConf conf) {
    return classicBuilder().config(conf).getOrCreate();
  }

  /**
   * The classic (in-process) session's builder, named directly: {@code SparkSession.builder()} first looks the
   * classic and Connect implementations up through Scala runtime reflection, which unpickles SparkSession's Scala
   * signatures and loaded ~1,150 scala.reflect classes: about a quarter of the time from JVM start to the read at
   * the mBERT shape (JFR). A CLI run never uses Spark Connect.
   */
  static org.apache.spark.sql.classic.SparkSession.Builder classicBuilder() {
    return org.apache.spark.sql.classic.SparkSession.builder();
  }

  /**
   * As {@link #create}, without the SQL functions Spark ML registers in every new session (vector_to_array,
   * array_to_vector, aggregate_metrics: a SparkSessionExtensionsProvider in spark-mllib's jar). Building their
   * encoders through Scala reflection was the most expensive step of the session's start (about as long as starting
   * the SparkContext itself, measured with JFR); a quantize run with --engine asg calls none of them. Other
   * extension providers, and spark.sql.extensions, load as usual.
   */
  public static SparkSession createWithoutMlFunctions(SparkConf conf) {
    // Around the whole builder: a SparkContext created first would make the builder warn that it reuses one.
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    ClassLoader parent = previous != null ? previous : SparkSessions.class.getClassLoader();
    thread.setContextClassLoader(new WithoutProvider(parent, ML_FUNCTIONS));
    try {
      return classicBuilder().config(conf).getOrCreate();
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  /** The extension provider {@link #createWithoutMlFunctions} leaves out. */
  static final String ML_FUNCTIONS = "org/apache/spark/sql/ml/InternalFunctionRegistration.class";

  /**
   * Delegates everything to its parent, except that the jar holding {@code providerClass} does not list its
   * SparkSessionExtensionsProvider services (SparkSession finds providers through the context class loader).
   */
  static final class WithoutProvider extends ClassLoader {
    private static final String SERVICES = "META-INF/services/org.apache.spark.sql.SparkSessionExtensionsProvider";
    private final String hiddenJar;

    WithoutProvider(ClassLoader parent, String providerClass) {
      super(parent);
      java.net.URL u = parent.getResource(providerClass);
      String s = u == null ? null : u.toString();
      this.hiddenJar = s == null || !s.contains("!/") ? null : s.substring(0, s.indexOf("!/"));
    }

    @Override
    public java.util.Enumeration<java.net.URL> getResources(String name) throws java.io.IOException {
      java.util.Enumeration<java.net.URL> all = super.getResources(name);
      if (hiddenJar == null || !name.equals(SERVICES)) {
        return all;
      }
      java.util.List<java.net.URL> kept = new java.util.ArrayList<>();
      for (java.net.URL u : java.util.Collections.list(all)) {
        if (!u.toString().startsWith(hiddenJar + "!/")) {
          kept.add(u);
        }
      }
      return java.util.Collections.enumeration(kept);
    }
  }

  /**
   * The Hadoop configuration Spark would build (defaults plus every spark.hadoop.* entry), available before a
   * SparkSession exists so input and output can be checked first.
   */
  public static Configuration hadoopConf(SparkConf conf) {
    Configuration c = new Configuration();
    for (Tuple2<String, String> e : conf.getAll()) {
      if (e._1().startsWith("spark.hadoop.")) {
        c.set(e._1().substring("spark.hadoop.".length()), e._2());
      }
    }
    return c;
  }
}
