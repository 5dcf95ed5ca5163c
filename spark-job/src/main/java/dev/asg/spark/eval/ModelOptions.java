package dev.asg.spark.eval;

import dev.asg.common.InvalidInputException;
import dev.asg.common.fidelity.FidelityParams;
import dev.asg.common.fidelity.ModelFidelity;
import dev.asg.common.fidelity.TextTokenizer;
import dev.asg.common.fidelity.Texts;
import dev.asg.common.io.LocalFileRangeSource;
import dev.asg.common.io.RangeSource;
import dev.asg.common.tensor.TableSpec;
import dev.asg.common.tensor.onnx.OnnxFormat;
import dev.asg.common.vocab.VocabularyLoader;
import dev.asg.spark.artifact.ArtifactDir;
import dev.asg.spark.artifact.LoadedArtifact;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/**
 * {@code asg evaluate}'s model-output fidelity flags: run the artifact's source model on real texts, as it is and
 * with its embedding replaced by the artifact's reconstruction. Everything is checked by {@link #check} before
 * Spark starts, so bad input writes nothing.
 */
public final class ModelOptions {
  private static final Logger LOG = LoggerFactory.getLogger("dev.asg.progress");
  /** 1000 texts give the mean cosine a standard error well under 0.01 and take ~1 min for MiniLM on 2 cores. */
  static final int DEFAULT_MAX_TEXTS = 1000;

  @Option(names = "--model", paramLabel = "MODEL.onnx", description = "Also measure model-output fidelity: the "
      + "ONNX model (local file) whose initializer the artifact compresses (manifest source.tensor). Needs --texts.")
  String model;

  @Option(names = "--texts", paramLabel = "FILE", description = "UTF-8 file, one real text per line (blank lines "
      + "skipped), for --model.")
  String texts;

  @Option(names = "--max-texts", paramLabel = "N", defaultValue = "" + DEFAULT_MAX_TEXTS,
      description = "Use the first N texts; 2..100000 (default: ${DEFAULT-VALUE}).")
  int maxTexts = DEFAULT_MAX_TEXTS;

  @Option(names = "--tokenizer", paramLabel = "FILE", description = "The model's Hugging Face tokenizer.json; "
      + "default: tokenizer.json or <model>-tokenizer.json next to --model.")
  String tokenizer;

  /** Options for a programmatic run (tests, notebooks); nulls mean "no fidelity run" / "next to the model". */
  public static ModelOptions of(String model, String tokenizer, String texts, int maxTexts) {
    ModelOptions o = new ModelOptions();
    o.model = model;
    o.tokenizer = tokenizer;
    o.texts = texts;
    o.maxTexts = maxTexts;
    return o;
  }

  boolean requested() {
    return model != null || texts != null;
  }

  /** Checks every flag against the artifact without starting Spark; null if no fidelity run was asked for. */
  public FidelityParams check(ArtifactDir dir, boolean allowDifferentSource) {
    if (!requested()) {
      return null;
    }
    if (model == null || texts == null) {
      throw new InvalidInputException((model == null ? "--texts " + texts + " needs --model" : "--model " + model
          + " needs --texts") + ": model-output fidelity runs the model on real texts; pass both");
    }
    if (maxTexts < 2 || maxTexts > 100_000) {
      throw new InvalidInputException("--max-texts " + maxTexts + " is out of range; allowed: 2..100000");
    }
    requireRuntime();
    Path modelPath = local("--model", model);
    String tensor = dir.manifest().source.tensor;
    if (tensor == null) {
      throw dir.bad("manifest.json has no source.tensor, so it is unknown which initializer of --model to replace");
    }
    TableSpec spec = modelTable(modelPath, tensor, dir);
    if (!allowDifferentSource) {
      // Same name and shape is not enough: another checkpoint of the architecture has both.
      SourceDigest.require("--model", dir.manifest().source, spec, dir.path().toString(),
          new org.apache.hadoop.conf.Configuration());
    }
    Path tok = tokenizer != null ? local("--tokenizer", tokenizer) : findTokenizer(modelPath);
    // Loading it here (a fraction of a second) turns a broken tokenizer.json into exit 2 before Spark starts.
    TextTokenizer.open(tok).close();
    Path textsFile = local("--texts", texts);
    List<String> lines = Texts.read(textsFile, maxTexts);
    if (lines.size() < 2) {
      throw new InvalidInputException("--texts " + texts + " has 1 non-blank line; retrieval agreement needs at "
          + "least 2 texts (1000 give a stable mean)");
    }
    return new FidelityParams(modelPath, tok, tensor, spec.rows(), spec.dim(), textsFile, lines);
  }

  /** Runs both models; the reconstruction is built from the artifact's mapping and codebook, digests checked. */
  public ModelFidelity run(SparkSession spark, ArtifactDir dir, FidelityParams p) throws Exception {
    float[] table = new float[Math.multiplyExact(dir.rows(), dir.dim())];
    LoadedArtifact.load(spark, dir).reconstruct(0, dir.rows(), table);
    LOG.info("evaluate: running " + p.model().getFileName() + " on " + p.texts().size() + " texts, as it is and "
        + "with the ASG table");
    ModelFidelity f = ModelFidelity.run(p, table);
    LOG.info("evaluate: " + f.summary());
    return f;
  }

  private static void requireRuntime() {
    try {
      Class.forName("ai.onnxruntime.OrtEnvironment", false, ModelOptions.class.getClassLoader());
      Class.forName("ai.djl.huggingface.tokenizers.HuggingFaceTokenizer", false,
          ModelOptions.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new InvalidInputException("--model needs ONNX Runtime and DJL's Hugging Face tokenizers on the driver's "
          + "classpath (" + e.getMessage() + " is missing); use bin/asg, or spark-submit --packages "
          + "com.microsoft.onnxruntime:onnxruntime:1.20.0,ai.djl.huggingface:tokenizers:0.36.0", e);
    }
  }

  /** ONNX Runtime and the tokenizer read local files: a plain path or a file: URI. */
  private static Path local(String flag, String value) {
    Path p;
    try {
      p = value.startsWith("file:") ? Path.of(URI.create(value)) : Path.of(value);
    } catch (RuntimeException e) {
      throw new InvalidInputException(flag + " " + value + " is not a local path; ONNX Runtime and the tokenizer "
          + "read local files only, so copy it to the driver first", e);
    }
    if (!Files.isRegularFile(p)) {
      throw new InvalidInputException(flag + " " + value + " does not exist or is not a file; pass a local file");
    }
    return p;
  }

  /** The model's initializer {@code tensor}, which must have the artifact's source shape. */
  private static TableSpec modelTable(Path model, String tensor, ArtifactDir dir) {
    try (RangeSource src = new LocalFileRangeSource(model)) {
      if (!OnnxFormat.initializerNames(src).contains(tensor)) {
        throw new InvalidInputException("--model " + model + " has no initializer '" + tensor + "', the tensor the "
            + "artifact in " + dir.path() + " was quantized from; pass that model (" + dir.manifest().source.uri
            + ")");
      }
      TableSpec spec = OnnxFormat.resolve(src, tensor);
      if (spec.rows() != dir.rows() || spec.dim() != dir.dim()) {
        throw new InvalidInputException("--model " + model + " initializer '" + tensor + "' is " + spec.rows()
            + " x " + spec.dim() + " but the artifact in " + dir.path() + " has a " + dir.rows() + " x "
            + dir.dim() + " table; pass the model it was quantized from (" + dir.manifest().source.uri + ")");
      }
      return spec;
    } catch (IOException e) {
      throw new InvalidInputException("--model " + model + ": cannot read (" + e.getMessage() + ")", e);
    }
  }

  private static Path findTokenizer(Path model) {
    Path parent = model.toAbsolutePath().getParent();
    List<String> found = VocabularyLoader.findNextTo(model.getFileName().toString(),
        name -> name.endsWith(".json") && Files.isRegularFile(parent.resolve(name)));
    if (found.isEmpty()) {
      throw new InvalidInputException("--model " + model + " has no tokenizer.json or "
          + "<model>-tokenizer.json next to it; pass --tokenizer FILE");
    }
    return parent.resolve(found.get(0));
  }
}
