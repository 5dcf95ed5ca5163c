package dev.asg.spark.engine;

import dev.asg.common.artifact.Manifest;
import dev.asg.spark.output.ArtifactWriter;
import dev.asg.spark.output.WriterWarmUp;
import dev.asg.spark.source.TableSource;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * The library entry point of a quantize run: checks the input and output, trains every section, writes the
 * artifact atomically and removes the checkpoint. The CLI, notebooks and tests all call
 * {@link #run(SparkSession, QuantizeRequest)}; the Spark ML estimator calls {@link #train}.
 */
public final class QuantizeJob {
  private QuantizeJob() {}

  /** What is known before Spark starts: the plan (headers, vocabulary) and the checked output location. */
  public record Preflight(QuantizePlan plan, ArtifactWriter writer) {}

  /**
   * Everything that can be checked from headers and the output location, without a SparkSession, so bad input
   * fails in well under a second.
   */
  public static Preflight preflight(QuantizeRequest request, Configuration conf) {
    QuantizePlan plan = QuantizePlan.preflight(request, conf);
    ArtifactWriter writer = ArtifactWriter.preflight(request.run().output(), request.run().overwrite(), conf,
        plan.readPaths());
    return new Preflight(plan, writer);
  }

  /** Runs {@code request} inside an existing SparkSession; returns the manifest that was written. */
  public static Manifest run(SparkSession spark, QuantizeRequest request) throws Exception {
    return run(spark, request, QuantizeListener.NONE);
  }

  /** As {@link #run(SparkSession, QuantizeRequest)}, reporting progress to {@code listener}. */
  public static Manifest run(SparkSession spark, QuantizeRequest request, QuantizeListener listener)
      throws Exception {
    return run(spark, preflight(request, spark.sparkContext().hadoopConfiguration()), listener);
  }

  /**
   * Opens the plan (checks a Parquet table), trains each section and writes: the single layout, or input/ and
   * output/ under one top-level manifest for a decoder. Returns the manifest written at the top level.
   */
  public static Manifest run(SparkSession spark, Preflight preflight, QuantizeListener progress) throws Exception {
    QuantizePlan plan = preflight.plan();
    ArtifactWriter writer = preflight.writer();
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    QuantizeListener listener = WriterWarmUp.around(progress, conf);
    plan.open(spark);
    QuantizeEngine engine = new QuantizeEngine(spark, listener);
    Manifest written;
    if (!plan.decoder()) {
      QuantizePlan.Section s = plan.sections().get(0);
      QuantizeResult result = engine.run(s.params(), s.table(), s.vocab(), null);
      WarmStart.recordChanges(spark, s.params(), result);
      written = write(writer, result, listener);
    } else {
      written = plan.topManifest(spark);
      List<String> names = plan.sections().stream().map(QuantizePlan.Section::name).collect(Collectors.toList());
      writer.writeSections(written, names, name -> {
        QuantizePlan.Section s = plan.sections().get(names.indexOf(name));
        return engine.run(s.params(), s.table(), s.vocab(), name);
      });
    }
    LloydCheckpoint.deleteAfterCommit(plan.params().run().output(), conf);
    return written;
  }

  /**
   * Trains {@code request} on a table already open in Spark (the Spark ML estimator's DataFrame) through the same
   * plan and engine as {@link #run}, without writing anything: the caller owns the result and must
   * {@link QuantizeResult#release()} it.
   */
  public static QuantizeResult train(SparkSession spark, QuantizeRequest request, TableSource table,
      QuantizeListener listener) {
    QuantizePlan.Section s = QuantizePlan.ofTable(request, table).sections().get(0);
    return new QuantizeEngine(spark, listener).run(s.params(), s.table(), s.vocab(), null);
  }

  /** Writes a single-section result and releases its cached data; returns its manifest. */
  public static Manifest write(ArtifactWriter writer, QuantizeResult result, QuantizeListener listener)
      throws Exception {
    listener.onPhase(null, QuantizeListener.WRITE);
    try {
      writer.write(result);
    } finally {
      result.release();
    }
    return result.manifest();
  }
}
