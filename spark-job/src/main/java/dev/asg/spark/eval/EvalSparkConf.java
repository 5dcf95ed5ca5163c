package dev.asg.spark.eval;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import scala.Tuple2;

/**
 * The SparkConf and pre-Spark Hadoop configuration of the evaluation commands, made the same way as quantize's
 * (that helper is package-private to the CLI): --master, else spark-submit's, else local[*].
 */
final class EvalSparkConf {
  private EvalSparkConf() {}

  static SparkConf conf(String appName, String master) {
    SparkConf conf = new SparkConf(true);
    if (master != null && !master.isBlank()) {
      conf.setMaster(master);
    } else if (!conf.contains("spark.master")) {
      conf.setMaster("local[*]");
    }
    conf.setAppName(appName);
    conf.setIfMissing("spark.ui.showConsoleProgress", "false");
    return conf;
  }

  /** Hadoop defaults plus every spark.hadoop.* entry, so paths are checked before Spark starts. */
  static Configuration hadoopConf(SparkConf conf) {
    Configuration c = new Configuration();
    for (Tuple2<String, String> e : conf.getAll()) {
      if (e._1().startsWith("spark.hadoop.")) {
        c.set(e._1().substring("spark.hadoop.".length()), e._2());
      }
    }
    return c;
  }
}
