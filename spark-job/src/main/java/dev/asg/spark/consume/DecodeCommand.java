package dev.asg.spark.consume;

import dev.asg.common.InvalidInputException;
import dev.asg.common.tensor.DType;
import dev.asg.common.tensor.SafetensorsWriter;
import dev.asg.common.tensor.SafetensorsWriter.HeaderEntry;
import dev.asg.spark.artifact.ArtifactSections;
import dev.asg.spark.artifact.LoadedArtifact;
import dev.asg.spark.cli.SparkOptions;
import dev.asg.spark.cli.SynthCommand;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code asg decode}: the ASG reconstruction as a dense table, or patched into a copy of the source checkpoint so
 * that an existing evaluation harness runs on the ASG model with no code change.
 */
@Command(name = "decode", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Write the dense V x D reconstruction (each row = its m concept vectors), or with --model a copy "
        + "of the checkpoint whose embedding (and a decoder's output) tensor is replaced by it.")
public final class DecodeCommand implements Callable<Integer> {
  @Option(names = "--artifacts", required = true, paramLabel = "DIR",
      description = "Artifact directory of 'asg quantize' (any Hadoop URI).")
  String artifacts;

  @Option(names = "--model", paramLabel = "FILE",
      description = "The source checkpoint: model.safetensors or model.safetensors.index.json. Without it the "
          + "output holds only the reconstructed table(s).")
  String model;

  @Option(names = "--output", required = true, paramLabel = "PATH",
      description = "The .safetensors file to write; with a sharded --model, the directory for the index and "
          + "shards.")
  String output;

  @Option(names = "--dtype", paramLabel = "T",
      description = "Table-only output: f32, f16 or bf16 (default f32). With --model each tensor keeps its dtype.")
  String dtype;

  @Option(names = "--overwrite", description = "Replace an existing --output (only once the new one is complete).")
  boolean overwrite;

  @CommandLine.Mixin
  SparkOptions sparkOptions = new SparkOptions();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    DType tableType = tableDtype(dtype, model);
    SparkOptions.Setup setup = sparkOptions.setup("asg decode " + artifacts);
    Configuration conf = setup.hadoopConf();
    List<ArtifactSections.Section> sections = ArtifactSections.committed(artifacts, conf);
    List<String> inputs = new ArrayList<>(List.of(artifacts));
    ModelPatch patch = null;
    if (model != null) {
      inputs.add(model);
      patch = ModelPatch.plan(model, sections, conf);
      if (patch.sharded() && output.toLowerCase(Locale.ROOT).endsWith(".safetensors")) {
        throw new InvalidInputException("--output " + output + ": --model " + model + " is sharded, so the output "
            + "is a directory for its index and shards; pass a directory path");
      }
    }
    OutputTarget target = OutputTarget.preflight(output, overwrite, conf, inputs);
    Map<String, LoadedArtifact> loaded = new LinkedHashMap<>();
    boolean owned = SparkSession.getDefaultSession().isEmpty();
    SparkSession spark = setup.session();
    try {
      for (ArtifactSections.Section s : sections) {
        loaded.put(s.dir().path().toString(), LoadedArtifact.load(spark, s));
      }
    } finally {
      if (owned) {
        spark.stop();
      }
    }
    try {
      if (patch != null) {
        patch.write(target, loaded);
      } else {
        writeTable(target, new ArrayList<>(loaded.values()), tableType);
      }
      target.commit();
    } catch (IOException | RuntimeException e) {
      target.abort();
      throw e;
    }
    spec.commandLine().getOut().printf("asg decode: wrote %s in %.1f s%n", output, (System.nanoTime() - t0) / 1e9);
    return 0;
  }

  static DType tableDtype(String flag, String model) {
    if (flag == null) {
      return DType.F32;
    }
    if (model != null) {
      throw new InvalidInputException("--dtype " + flag + " does not apply with --model: each replaced tensor keeps "
          + "the checkpoint's dtype; drop --dtype");
    }
    return SynthCommand.parseDtype(flag);
  }

  /** One tensor per section, named as the source tensor it reconstructs. */
  private static void writeTable(OutputTarget target, List<LoadedArtifact> sections, DType dtype) throws IOException {
    List<HeaderEntry> entries = new ArrayList<>();
    Map<String, String> md = new LinkedHashMap<>();
    md.put("format", "asg-decoded");
    for (LoadedArtifact s : sections) {
      var d = s.dir();
      entries.add(new HeaderEntry(d.manifest().source.tensor, dtype.safetensorsName(),
          new long[] {d.rows(), d.dim()}, (long) d.rows() * d.dim() * dtype.bytes()));
      md.put(s.prefix() + "digests.codebook", d.manifest().digests.get("codebook"));
      md.put(s.prefix() + "digests.mapping", d.manifest().digests.get("mapping"));
    }
    try (OutputStream os = target.fs().create(target.tmp(), false)) {
      TensorBytes.header(os, SafetensorsWriter.headerOf(entries, md));
      for (LoadedArtifact s : sections) {
        TensorBytes.reconstruction(os, s, dtype);
      }
    }
  }
}
