package dev.asg.spark.cli;

import dev.asg.common.InvalidInputException;
import dev.asg.common.Messages;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/** Creates the SparkSession for a CLI run (quantize, evaluate, inspect): embedded local[*] by default, the cluster's under spark-submit. */
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
    return SparkSession.builder().config(conf).getOrCreate();
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
