package dev.asg.spark.cli;

import dev.asg.common.InvalidInputException;
import dev.asg.common.fidelity.FidelityParams;
import dev.asg.spark.artifact.ArtifactDir;
import dev.asg.spark.artifact.ArtifactSections;
import dev.asg.spark.engine.InputSpec;
import dev.asg.spark.eval.EvalInput;
import dev.asg.spark.eval.Evaluation;
import dev.asg.spark.eval.Evaluator;
import dev.asg.spark.eval.ModelOptions;
import dev.asg.spark.eval.SectionsReport;
import dev.asg.spark.eval.SourceDigest;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code asg evaluate}: the paper-style quality report of an artifact against its original table. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Measure an artifact against the original table: relative MSE (overall and per segment), mean "
        + "and 5th-percentile cosine, kNN recall@10, cluster sizes, compression. Writes manifest.json's "
        + "'evaluation' and report.md into the artifact directory. With --model and --texts, also how far the "
        + "model's outputs move when its embedding is replaced by the artifact's reconstruction.")
public final class EvaluateCommand implements Callable<Integer> {
  /**
   * 2000 queries give recall@10 a standard error of about 0.005 (binomial-ish, 20000 neighbour slots), enough to
   * compare settings, and keep the brute-force scan at ~47 GFLOP for a 30k x 384 table.
   */
  static final int DEFAULT_SAMPLE = 2000;
  /** More queries than this makes the broadcast and per-task top-10 lists, not the answer, the cost. */
  static final int MAX_SAMPLE = 100_000;

  @Option(names = "--artifacts", required = true, paramLabel = "DIR", description = "Artifact directory of "
      + "'asg quantize'; the decoder layout's top level evaluates every section.")
  String artifacts;

  @Option(names = "--input", paramLabel = "URI",
      description = "The original table; default: manifest.json source.uri.")
  String input;

  @Option(names = "--input-format", paramLabel = "FMT",
      description = "auto, safetensors, onnx, npy, parquet (default: ${DEFAULT-VALUE}).")
  String inputFormat = "auto";

  @Option(names = "--tensor", paramLabel = "NAME",
      description = "Tensor in --input; default: the manifest's source tensor when --input is omitted, else "
          + "auto-detection as in quantize.")
  String tensor;

  @Option(names = "--id-col", paramLabel = "COL", description = "Parquet --input: the token id column; default: "
      + "the manifest's when it was made from Parquet, else " + InputSpec.ID_COL_DEFAULT + ".")
  String idCol;

  @Option(names = "--vector-col", paramLabel = "COL", description = "Parquet --input: the vector column; default: "
      + "the manifest's when it was made from Parquet, else " + InputSpec.VECTOR_COL_DEFAULT + ".")
  String vectorCol;

  @Option(names = "--sample", paramLabel = "N", defaultValue = "" + DEFAULT_SAMPLE,
      description = "kNN query tokens, chosen by hash of (seed, token id); 1.." + MAX_SAMPLE
          + " (default: ${DEFAULT-VALUE}).")
  int sample;

  @Option(names = "--seed", paramLabel = "N", description = "Seed of the query sample (default: ${DEFAULT-VALUE}).")
  long seed = 1234;

  @Option(names = SourceDigest.OVERRIDE_FLAG,
      description = "Evaluate even if --input's SHA-256 differs from the manifest's source.sha256 (a re-export "
          + "of the same table, say); the report then measures the artifact against that table.")
  boolean allowDifferentSource;

  @CommandLine.Mixin
  SparkOptions sparkOptions = new SparkOptions();

  @CommandLine.Mixin
  ModelOptions modelOptions = new ModelOptions();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** One artifact directory to evaluate: the whole artifact, or one section of the decoder layout. */
  private record Target(String section, ArtifactDir dir, EvalInput table, FidelityParams fidelity) {}

  @Override
  public Integer call() throws Exception {
    checkSample(sample);
    SparkOptions.Setup setup = sparkOptions.setup("asg evaluate " + artifacts);
    Configuration conf = setup.hadoopConf();
    // Everything checkable from headers is checked before Spark starts, for every section.
    ArtifactSections top = ArtifactSections.find(artifacts, conf);
    List<Target> targets = targets(top, conf);
    // A session that already exists (a notebook, a test) is used and left running; one we start, we stop.
    boolean owned = SparkSession.getDefaultSession().isEmpty();
    SparkSession spark = setup.session();
    Map<String, Evaluation> evs = new LinkedHashMap<>();
    try {
      for (Target t : targets) {
        Evaluation ev = new Evaluator(spark).run(t.dir(), t.table().open(spark, t.dir()), sample, seed);
        if (t.fidelity() != null) {
          ev.modelOutput = modelOptions.run(spark, t.dir(), t.fidelity());
        }
        evs.put(t.section(), ev);
      }
    } finally {
      if (owned) {
        spark.stop();
      }
    }
    // Written only once every section is evaluated: a failure leaves no section half-reported.
    PrintWriter out = spec.commandLine().getOut();
    for (Target t : targets) {
      Evaluation ev = evs.get(t.section());
      write(t.dir(), ev, t.table().uri());
      String tag = top == null ? "" : " [" + t.section() + "]";
      out.println("asg evaluate" + tag + ": " + ev.summary());
      if (ev.modelOutput != null) {
        out.println("asg evaluate" + tag + ": " + ev.modelOutput.summary());
      }
      out.println("wrote " + t.dir().path() + "/report.md and manifest.json 'evaluation'");
    }
    if (top != null) {
      Map<String, String> tensors = new LinkedHashMap<>();
      targets.forEach(t -> tensors.put(t.section(), t.dir().manifest().source.tensor));
      top.writeAtomically("report.md", SectionsReport.markdown(top.path().toString(), evs, tensors));
      top.writeEvaluation(SectionsReport.toMap(evs));
      out.println("wrote " + top.path() + "/report.md (sections side by side) and manifest.json 'evaluation'");
    }
    out.flush();
    return 0;
  }

  /** The single artifact, or each section of the decoder layout against its own source tensor. */
  private List<Target> targets(ArtifactSections top, Configuration conf) {
    List<Target> out = new ArrayList<>();
    if (top == null) {
      ArtifactDir dir = ArtifactDir.open(artifacts, conf);
      out.add(new Target(null, dir, checked(dir, artifacts,
          EvalInput.resolve(dir, input, inputFormat, tensor, idCol, vectorCol, conf), conf),
          modelOptions.check(dir, allowDifferentSource)));
      return out;
    }
    if (tensor != null) {
      throw new InvalidInputException("--tensor " + tensor + " does not apply to " + artifacts + ", a decoder "
          + "layout: each section is evaluated against its own source tensor; drop --tensor, or pass --artifacts "
          + artifacts + "/<section> to evaluate one");
    }
    for (Map.Entry<String, String> s : top.sectionDirs().entrySet()) {
      ArtifactDir dir = ArtifactDir.open(s.getValue(), conf);
      // With --input the file holds every section's tensor; without, each section's manifest names its own.
      EvalInput table = EvalInput.resolve(dir, input, inputFormat, input == null ? null
          : dir.manifest().source.tensor, idCol, vectorCol, conf);
      out.add(new Target(s.getKey(), dir, checked(dir, s.getValue(), table, conf),
          modelOptions.check(dir, allowDifferentSource)));
    }
    return out;
  }

  /** The table, once it is known to be the artifact's source (unless --allow-different-source). */
  private EvalInput checked(ArtifactDir dir, String label, EvalInput table, Configuration conf) {
    if (!allowDifferentSource) {
      table.requireSource(dir, label, conf);
    }
    return table;
  }

  static void checkSample(int sample) {
    if (sample < 1 || sample > MAX_SAMPLE) {
      throw new InvalidInputException("--sample " + sample + " is out of range; allowed: 1.." + MAX_SAMPLE
          + " kNN query tokens");
    }
  }

  private static void write(ArtifactDir dir, Evaluation ev, String input) throws java.io.IOException {
    dir.writeAtomically("report.md", ev.markdown(dir.path().toString(), input));
    dir.writeEvaluation(ev.toMap());
  }

  /**
   * The whole evaluation inside an existing SparkSession (tests, notebooks): checks the inputs, evaluates,
   * writes report.md and the manifest's "evaluation". {@code input} null means the manifest's source.
   */
  public static Evaluation evaluate(SparkSession spark, String artifacts, String input, String inputFormat,
      String tensor, int sample, long seed) throws Exception {
    return evaluate(spark, artifacts, input, inputFormat, tensor, sample, seed, new ModelOptions());
  }

  /** As above, plus model-output fidelity when {@code model} asks for it ({@link ModelOptions#of}). */
  public static Evaluation evaluate(SparkSession spark, String artifacts, String input, String inputFormat,
      String tensor, int sample, long seed, ModelOptions model) throws Exception {
    checkSample(sample);
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    ArtifactDir dir = ArtifactDir.open(artifacts, conf);
    EvalInput table = EvalInput.resolve(dir, input, inputFormat, tensor, null, null, conf);
    table.requireSource(dir, artifacts, conf);
    FidelityParams fidelity = model.check(dir, false);
    Evaluation ev = new Evaluator(spark).run(dir, table.open(spark, dir), sample, seed);
    if (fidelity != null) {
      ev.modelOutput = model.run(spark, dir, fidelity);
    }
    write(dir, ev, table.uri());
    return ev;
  }
}
