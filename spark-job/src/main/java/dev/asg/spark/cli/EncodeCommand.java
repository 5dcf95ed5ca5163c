package dev.asg.spark.cli;

import dev.asg.spark.engine.EncodeJob;
import dev.asg.spark.engine.InputSpec;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code asg encode}: another table's rows against an artifact's frozen codebooks; see {@link EncodeJob}. */
@Command(name = "encode", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Assign every row of a table (e.g. tokens added to a vocabulary) to an artifact's frozen "
        + "codebooks, as training's final pass does; writes mapping/, a copy of codebook/, manifest.json and "
        + "_SUCCESS to --output.")
public final class EncodeCommand implements Callable<Integer> {
  @Option(names = "--artifacts", required = true, paramLabel = "DIR",
      description = "Artifact directory of 'asg quantize' whose codebooks to use (any Hadoop URI).")
  String artifacts;

  @Option(names = "--input", required = true, paramLabel = "URI",
      description = "The table to encode: a model file or Parquet table, as quantize's --input; its D must be the "
          + "artifact's.")
  String input;

  @Option(names = "--input-format", paramLabel = "FMT", defaultValue = "auto",
      description = "auto, safetensors, onnx, npy, parquet (default: ${DEFAULT-VALUE}).")
  String inputFormat;

  @Option(names = "--tensor", paramLabel = "NAME",
      description = "Tensor in --input; default: auto-detection as in quantize.")
  String tensor;

  @Option(names = "--id-col", paramLabel = "COL", defaultValue = InputSpec.ID_COL_DEFAULT,
      description = "Parquet --input: the token id column, ids exactly 0..V-1 (default: ${DEFAULT-VALUE}).")
  String idCol;

  @Option(names = "--vector-col", paramLabel = "COL", defaultValue = InputSpec.VECTOR_COL_DEFAULT,
      description = "Parquet --input: the array<float> or array<double> column (default: ${DEFAULT-VALUE}).")
  String vectorCol;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Artifact directory to create.")
  String output;

  @Option(names = "--overwrite", description = "Replace an existing asg artifact (atomically, after success).")
  boolean overwrite;

  @CommandLine.Mixin
  SparkOptions sparkOptions = new SparkOptions();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    InputSpec in = new InputSpec(input, InputSpec.InputFormat.parse(inputFormat), tensor, null, idCol, vectorCol,
        InputSpec.VOCAB_NONE);
    SparkOptions.Setup setup = sparkOptions.setup("asg encode " + input);
    // The artifact, a model file's header and the output location are checked before Spark starts.
    EncodeJob.Preflight preflight = EncodeJob.preflight(artifacts, in, output, overwrite, setup.hadoopConf());
    boolean owned = SparkSession.getDefaultSession().isEmpty();
    SparkSession spark = setup.session();
    try {
      EncodeJob.run(spark, preflight);
    } finally {
      if (owned) {
        spark.stop();
      }
    }
    spec.commandLine().getOut().printf("asg encode: wrote %s in %.1f s%n", output, (System.nanoTime() - t0) / 1e9);
    return AsgMain.EXIT_OK;
  }
}
