package dev.asg.spark.cli;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/**
 * The picocli mixin every Spark-backed command shares: the --master flag and the configuration a run starts from.
 * Declared once so the flag's help, its check and the Spark settings cannot drift between commands.
 */
public final class SparkOptions {
  @Option(names = "--master", paramLabel = "URL",
      description = "Spark master URL; default: spark-submit's, else local[*].")
  String master;

  /**
   * Checks --master and builds the run's SparkConf and Hadoop configuration, before any SparkSession exists so
   * input and output can be checked first.
   */
  public Setup setup(String appName) {
    SparkConf sparkConf = SparkSessions.conf(appName, master);
    return new Setup(sparkConf, SparkSessions.hadoopConf(sparkConf));
  }

  /**
   * @param sparkConf the SparkConf the session is created from
   * @param hadoopConf the Hadoop configuration Spark would build from it, for the checks before Spark starts
   */
  public record Setup(SparkConf sparkConf, Configuration hadoopConf) {
    /** The session for this run; one that already exists in the JVM (a notebook, a test) is returned instead. */
    public SparkSession session() {
      return SparkSessions.create(sparkConf);
    }

    /** As {@link #session()}, without Spark ML's SQL functions (see SparkSessions#createWithoutMlFunctions). */
    public SparkSession sessionWithoutMlFunctions() {
      return SparkSessions.createWithoutMlFunctions(sparkConf);
    }
  }
}
