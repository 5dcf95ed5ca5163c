package dev.asg.tests;

import java.util.Map;
import org.apache.spark.sql.SparkSession;

/** Embedded Spark sessions for tests: no UI, few shuffle partitions, quiet. */
public final class LocalSpark {
  private LocalSpark() {}

  public static SparkSession start(String master) {
    return start(master, Map.of());
  }

  /** As {@link #start(String)}, plus the given Spark settings (e.g. a serializer). */
  public static SparkSession start(String master, Map<String, String> conf) {
    SparkSession.clearActiveSession();
    SparkSession.clearDefaultSession();
    SparkSession.Builder b = SparkSession.builder()
        .master(master)
        .appName("asg-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1");
    conf.forEach(b::config);
    return b.getOrCreate();
  }
}
