package dev.asg.spark.cli;

import dev.asg.common.InvalidInputException;
import dev.asg.spark.baseline.MllibBaseline;
import dev.asg.spark.engine.QuantizeJob;
import dev.asg.spark.engine.QuantizeListener;
import dev.asg.spark.engine.QuantizeRequest;
import dev.asg.spark.status.StatusFile;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code asg quantize}: parses the flags into a {@link QuantizeRequest} and runs {@link QuantizeJob}. */
@Command(name = "quantize", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Train ASG codebooks on an embedding table and write codebook/, mapping/ and manifest.json.")
public final class QuantizeCommand implements Callable<Integer> {
  @Option(names = "--input", required = true, paramLabel = "URI",
      description = "Model file: .safetensors, model.safetensors.index.json, .onnx, .npy, or a Parquet table "
          + "(file or directory; any Hadoop URI).")
  String input;

  @Option(names = "--input-format", paramLabel = "FMT",
      description = "auto, safetensors, onnx, npy, parquet (default: ${DEFAULT-VALUE}).")
  String inputFormat;

  @Option(names = "--tensor", paramLabel = "NAME",
      description = "Tensor to quantize; default: the one 2-D tensor named *word_embeddings.weight, "
          + "*embed_tokens.weight, *shared.weight or *wte.weight.")
  String tensor;

  @Option(names = "--output-tensor", paramLabel = "NAME",
      description = "Decoder output projection (e.g. lm_head.weight) to quantize as a second, independent structure;"
          + " artifacts then go to <output>/input/ and <output>/output/.")
  String outputTensor;

  @Option(names = "--id-col", paramLabel = "COL",
      description = "Parquet input: the token id column, ids exactly 0..V-1 (default: ${DEFAULT-VALUE}).")
  String idCol;

  @Option(names = "--vector-col", paramLabel = "COL",
      description = "Parquet input: the array<float> or array<double> column (default: ${DEFAULT-VALUE}).")
  String vectorCol;

  @Option(names = "--vocab", paramLabel = "FILE",
      description = "tokenizer.json, vocab.txt or token list for mapping/'s token column; auto = one found next to "
          + "the model, none = no token column (default: ${DEFAULT-VALUE}).")
  String vocab;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Artifact directory to create.")
  String output;

  @Option(names = "--overwrite", description = "Replace an existing asg artifact (atomically, after success); a "
      + "directory that is not a committed artifact of asg (manifest.json and _SUCCESS) is refused.")
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

  @Option(names = "--kernel", paramLabel = "K",
      description = "auto, vector, vector-256, vector-512 or scalar; all give the same bits (default: "
          + "${DEFAULT-VALUE}).")
  String kernel;

  @Option(names = "--pruning", paramLabel = "P",
      description = "exact: skip distances that bounds prove cannot change an assignment (bit-identical to off); "
          + "off: brute force (default: ${DEFAULT-VALUE}).")
  String pruning;

  @Option(names = "--checkpoint-every", paramLabel = "N",
      description = "Save the codebooks and iteration state under <output>._ckpt after every N-th Lloyd "
          + "iteration; 0 = never (default: ${DEFAULT-VALUE}).")
  int checkpointEvery;

  @Option(names = "--resume", description = "Continue from the checkpoint under <output>._ckpt if one exists "
      + "(it must belong to the same parameters and input); results equal an uninterrupted run's.")
  boolean resume;

  @Option(names = "--init-from", paramLabel = "DIR",
      description = "Start Lloyd from this artifact's centroids instead of seeding (same m, k, D and codebook "
          + "mode), so a retrain keeps its ConceptIDs; the manifest counts the tokens that changed.")
  String initFrom;

  @CommandLine.Mixin
  SparkOptions sparkOptions = new SparkOptions();

  @Option(names = "--engine", paramLabel = "E",
      description = "asg, or mllib: the naive Spark ML KMeans-per-segment baseline, for benchmarks only "
          + "(default: ${DEFAULT-VALUE}).")
  String engine = MllibBaseline.ENGINE_DEFAULT;

  @Option(names = "--mllib-segments", paramLabel = "N",
      description = "With --engine mllib: train only the first N codebooks (0 = all), recorded in the manifest "
          + "(default: ${DEFAULT-VALUE}).")
  int mllibSegments = MllibBaseline.MLLIB_SEGMENTS_DEFAULT;

  @CommandLine.Mixin
  SchedulerOptions scheduler = new SchedulerOptions();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    SparkOptions.Setup setup = sparkOptions.setup("asg quantize " + input);
    Configuration conf = setup.hadoopConf();
    // First, so that every later refusal (a bad flag value, an unknown spark.asg key) ends the document as failed
    // instead of leaving the previous run's state in it.
    StatusFile status = scheduler.startStatus(conf, "quantize", output);
    try {
      SparkConfFlags.checkAndLog(spec);
      SchedulerOptions.IfExists ifExists = scheduler.ifExists(overwrite);
      QuantizeRequest params = QuantizeRequest.builder()
          .input(input).inputFormat(inputFormat).tensor(tensor).outputTensor(outputTensor).idCol(idCol)
          .vectorCol(vectorCol).vocab(vocab).output(output).overwrite(ifExists != SchedulerOptions.IfExists.FAIL)
          .m(m).k(k).codebook(codebook).init(init).initPointsPerCentroid(initPointsPerCentroid)
          .iterations(iterations).tol(tol).maxPointsPerCentroid(maxPointsPerCentroid).seed(seed)
          .partitions(partitions).partitionMb(partitionMb).kernel(kernel).pruning(pruning)
          .checkpointEvery(checkpointEvery).resume(resume).initFrom(initFrom)
          .build();
      int code = run(params, setup, ifExists, status);
      if (status != null) {
        status.succeeded();
      }
      return code;
    } catch (Exception | Error e) {
      if (status != null) {
        status.failed(Failures.exitCode(e), Failures.errorLine(e));
      }
      throw e;
    }
  }

  private int run(QuantizeRequest params, SparkOptions.Setup setup, SchedulerOptions.IfExists ifExists,
      StatusFile status) throws Exception {
    // Everything that can be checked from headers and the output location is checked before Spark starts.
    QuantizeJob.Preflight preflight = QuantizeJob.preflight(params, setup.hadoopConf());
    int mllibCodebooks = MllibBaseline.codebooksToTrain(engine, mllibSegments, params);
    if (initFrom != null && engine.equals(MllibBaseline.ENGINE_MLLIB)) {
      throw new InvalidInputException("--init-from applies to --engine asg only; the mllib "
          + "baseline always seeds its own centroids");
    }
    if (ifExists == SchedulerOptions.IfExists.SKIP_IF_CURRENT
        && CurrentCheck.skip(preflight.plan(), preflight.writer(), engine, mllibCodebooks, setup, status)) {
      return AsgMain.EXIT_OK;
    }
    // The asg engine uses no Spark ML SQL function; the mllib baseline's KMeans may.
    SparkSession spark = engine.equals(MllibBaseline.ENGINE_MLLIB) ? setup.session()
        : setup.sessionWithoutMlFunctions();
    if (status != null) {
      status.applicationId(spark.sparkContext().applicationId());
    }
    try {
      if (engine.equals(MllibBaseline.ENGINE_MLLIB)) {
        MllibBaseline.run(spark, preflight, mllibCodebooks);
      } else {
        QuantizeJob.run(spark, preflight, status == null ? QuantizeListener.NONE : status);
      }
      return AsgMain.EXIT_OK;
    } finally {
      spark.stop();
    }
  }
}
