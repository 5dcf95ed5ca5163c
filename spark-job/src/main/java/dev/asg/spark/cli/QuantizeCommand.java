package dev.asg.spark.cli;

import dev.asg.common.tensor.TableSpec;
import dev.asg.spark.engine.QuantizeEngine;
import dev.asg.spark.engine.QuantizeParams;
import dev.asg.spark.engine.QuantizeResult;
import dev.asg.spark.output.ArtifactWriter;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code asg quantize}: train the codebooks and write the artifact directory. */
@Command(name = "quantize", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Train ASG codebooks on an embedding table and write codebook/, mapping/ and manifest.json.")
public final class QuantizeCommand implements Callable<Integer> {
  @Option(names = "--input", required = true, paramLabel = "URI",
      description = "Model file: .safetensors, model.safetensors.index.json, .onnx or .npy (any Hadoop URI).")
  String input;

  @Option(names = "--input-format", paramLabel = "FMT",
      description = "auto, safetensors, onnx, npy, parquet (default: ${DEFAULT-VALUE}).")
  String inputFormat;

  @Option(names = "--tensor", paramLabel = "NAME",
      description = "Tensor to quantize; default: the one 2-D tensor named *word_embeddings.weight, "
          + "*embed_tokens.weight, *shared.weight or *wte.weight.")
  String tensor;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Artifact directory to create.")
  String output;

  @Option(names = "--overwrite", description = "Replace an existing artifact (atomically, after success).")
  boolean overwrite;

  @Option(names = "--m", paramLabel = "M", description = "Segments per row; must divide D (default: ${DEFAULT-VALUE}).")
  int m;

  @Option(names = "--k", paramLabel = "K", description = "Centroids per codebook, >= 2 (default: ${DEFAULT-VALUE}).")
  int k;

  @Option(names = "--codebook", paramLabel = "MODE",
      description = "separate (one codebook per segment) or shared (default: ${DEFAULT-VALUE}).")
  String codebook;

  @Option(names = "--init", paramLabel = "INIT", description = "kmeans++ or random (default: ${DEFAULT-VALUE}).")
  String init;

  @Option(names = "--init-points-per-centroid", paramLabel = "N",
      description = "Sample size per centroid for seeding (default: ${DEFAULT-VALUE}).")
  int initPointsPerCentroid;

  @Option(names = "--iterations", paramLabel = "N", description = "Lloyd iterations (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--tol", paramLabel = "X",
      description = "Stop when the relative objective change is below X; 0 runs all (default: ${DEFAULT-VALUE}).")
  double tol;

  @Option(names = "--max-points-per-centroid", paramLabel = "N",
      description = "Train on a deterministic sample above k*N points per codebook (default: ${DEFAULT-VALUE}).")
  int maxPointsPerCentroid;

  @Option(names = "--seed", paramLabel = "N", description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--partitions", paramLabel = "N",
      description = "Row-range partitions; 0 = from table size (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--partition-mb", paramLabel = "MB",
      description = "Target float32 MB per partition when --partitions is 0 (default: ${DEFAULT-VALUE}).")
  int partitionMb;

  @Option(names = "--kernel", paramLabel = "K", description = "auto, vector or scalar (default: ${DEFAULT-VALUE}).")
  String kernel;

  @Option(names = "--master", paramLabel = "URL",
      description = "Spark master URL; default: spark-submit's, else local[*].")
  String master;

  @Override
  public Integer call() throws Exception {
    QuantizeParams params = QuantizeParams.builder()
        .input(input).inputFormat(inputFormat).tensor(tensor).output(output).overwrite(overwrite)
        .m(m).k(k).codebook(codebook).init(init).initPointsPerCentroid(initPointsPerCentroid)
        .iterations(iterations).tol(tol).maxPointsPerCentroid(maxPointsPerCentroid).seed(seed)
        .partitions(partitions).partitionMb(partitionMb).kernel(kernel)
        .build();
    SparkConf sparkConf = SparkSessions.conf("asg quantize " + input, master);
    // Everything that can be checked from headers and the output location is checked before Spark starts.
    Configuration conf = SparkSessions.hadoopConf(sparkConf);
    TableSpec spec = QuantizeEngine.resolve(params, conf);
    ArtifactWriter writer = ArtifactWriter.preflight(params.output(), params.overwrite(), conf, params.input());
    SparkSession spark = SparkSessions.create(sparkConf);
    try {
      return run(spark, params, spec, writer);
    } finally {
      spark.stop();
    }
  }

  /**
   * The whole quantize run inside an existing SparkSession (tests, notebooks, the Spark ML wrapper): checks the
   * input and output, trains, writes atomically. Returns the manifest that was written.
   */
  public static dev.asg.common.artifact.Manifest quantize(SparkSession spark, QuantizeParams params)
      throws Exception {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    TableSpec spec = QuantizeEngine.resolve(params, conf);
    ArtifactWriter writer = ArtifactWriter.preflight(params.output(), params.overwrite(), conf, params.input());
    QuantizeResult result = new QuantizeEngine(spark).run(params, spec);
    try {
      writer.write(result);
    } finally {
      result.release();
    }
    return result.manifest();
  }

  /** Trains and writes; the input and output were already checked. */
  static int run(SparkSession spark, QuantizeParams params, TableSpec spec, ArtifactWriter writer)
      throws Exception {
    QuantizeResult result = new QuantizeEngine(spark).run(params, spec);
    try {
      writer.write(result);
    } finally {
      result.release();
    }
    return AsgMain.EXIT_OK;
  }
}
