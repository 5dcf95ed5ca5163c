package dev.asg.spark.cli;

import dev.asg.spark.baseline.MllibBaseline;
import dev.asg.spark.engine.QuantizePlan;
import dev.asg.spark.engine.ToolVersion;
import dev.asg.spark.output.ArtifactWriter;
import dev.asg.spark.output.UpToDate;
import dev.asg.spark.source.ByteRangeTableSource;
import dev.asg.spark.source.ParquetTableSource;
import dev.asg.spark.source.TableSource;
import dev.asg.spark.status.StatusFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --if-exists skip-if-current} for quantize: builds what {@link UpToDate} compares from the run's plan. The
 * source digest of a model file is one sequential read of the tensor on the driver (no Spark); a Parquet table's
 * is defined on the decoded rows, so it needs Spark: one distributed read streamed to the driver in id order.
 */
final class CurrentCheck {
  private static final Logger LOG = LoggerFactory.getLogger("dev.asg.progress");

  private CurrentCheck() {}

  /**
   * True when the committed artifact at the output is current: the run is skipped (status "skipped", any session
   * this check started is stopped). False: the caller trains and replaces it.
   */
  static boolean skip(QuantizePlan plan, ArtifactWriter writer, String engine, int mllibCodebooks,
      SparkOptions.Setup setup, StatusFile status) throws Exception {
    Configuration conf = setup.hadoopConf();
    Map<String, Object> params = plan.params().asMap();
    if (!engine.equals(MllibBaseline.ENGINE_DEFAULT)) {
      params.put(MllibBaseline.ENGINE, engine);
      params.put(MllibBaseline.MLLIB_SEGMENTS, mllibCodebooks);
    }
    boolean parquet = plan.sections().stream().anyMatch(s -> s.table() == null);
    SparkSession[] started = new SparkSession[1];
    List<UpToDate.Source> sources = new ArrayList<>();
    for (QuantizePlan.Section s : plan.sections()) {
      String section = plan.decoder() ? s.name() : null;
      String sha256Of = parquet ? ParquetTableSource.SHA256_OF : ByteRangeTableSource.SHA256_OF;
      sources.add(new UpToDate.Source(section, sha256Of, () -> {
        TableSource t = s.table();
        if (t == null) {
          started[0] = setup.session();
          plan.open(started[0]);
          t = s.table();
          JavaSparkContext jsc = JavaSparkContext.fromSparkContext(started[0].sparkContext());
          return t.sha256(t.blocks(jsc, Math.max(1, jsc.defaultParallelism())), conf).join();
        }
        return t.sha256(null, conf).join();
      }));
    }
    long t0 = System.nanoTime();
    String stale = UpToDate.whyStale(writer.fileSystem(), writer.output(), params, ToolVersion.get(), sources);
    double secs = (System.nanoTime() - t0) / 1e9;
    if (stale == null) {
      String why = writer.output() + " is up to date (same source SHA-256, parameters and tool version)";
      LOG.info("{}; nothing to do ({} s to check)", why, String.format(Locale.ROOT, "%.1f", secs));
      if (status != null) {
        status.skipped(why);
      }
      if (started[0] != null) {
        started[0].stop();
      }
      return true;
    }
    LOG.info("--if-exists skip-if-current: training, {}", stale);
    if (status != null) {
      status.detail("retrained: " + stale);
    }
    return false;
  }
}
