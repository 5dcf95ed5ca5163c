package dev.asg.spark.consume;

import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.asg.common.artifact.Manifest;
import dev.asg.common.tensor.SafetensorsWriter;
import dev.asg.common.tensor.SafetensorsWriter.HeaderEntry;
import dev.asg.spark.artifact.ArtifactDir;
import dev.asg.spark.artifact.ArtifactSections;
import dev.asg.spark.artifact.LoadedArtifact;
import dev.asg.spark.cli.SparkOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code asg export}: an artifact as ONE safetensors file that PyTorch (or the {@code safetensors} package, or
 * notebooks/asg_torch.py) loads without Parquet: {@code codebook} F32 [codebooks*k, D/m] (row = ConceptID) and
 * {@code concept_ids} I32 [V, m], prefixed {@code input.}/{@code output.} for a decoder artifact. Their bytes are
 * exactly what manifest digests cover, so sha256(codebook bytes) == digests.codebook.
 */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Write an artifact as one safetensors file (codebook F32, concept_ids I32, manifest and tokens "
        + "in __metadata__) for PyTorch consumers.")
public final class ExportCommand implements Callable<Integer> {
  /** The "format" metadata value; readers check it and {@value #FORMAT_VERSION}. */
  public static final String FORMAT = "asg-export";
  public static final String FORMAT_VERSION = "1";
  /** Metadata values are one-line JSON: the header is read whole by every loader. */
  private static final ObjectWriter COMPACT = Manifest.mapper().writer().without(SerializationFeature.INDENT_OUTPUT);

  @Option(names = "--artifacts", required = true, paramLabel = "DIR",
      description = "Artifact directory of 'asg quantize' (any Hadoop URI).")
  String artifacts;

  @Option(names = "--output", required = true, paramLabel = "FILE",
      description = "The .safetensors file to write (any Hadoop URI).")
  String output;

  @Option(names = "--overwrite", description = "Replace an existing --output (only once the new file is complete).")
  boolean overwrite;

  @CommandLine.Mixin
  SparkOptions sparkOptions = new SparkOptions();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    SparkOptions.Setup setup = sparkOptions.setup("asg export " + artifacts);
    Configuration conf = setup.hadoopConf();
    List<ArtifactSections.Section> sections = ArtifactSections.committed(artifacts, conf);
    OutputTarget target = OutputTarget.preflight(output, overwrite, conf, List.of(artifacts));
    List<LoadedArtifact> loaded = new ArrayList<>();
    boolean owned = SparkSession.getDefaultSession().isEmpty();
    SparkSession spark = setup.session();
    try {
      for (ArtifactSections.Section s : sections) {
        loaded.add(LoadedArtifact.load(spark, s));
      }
    } finally {
      if (owned) {
        spark.stop();
      }
    }
    write(target, loaded);
    spec.commandLine().getOut().printf("asg export: wrote %s (%d section%s) in %.1f s%n", output, loaded.size(),
        loaded.size() == 1 ? "" : "s", (System.nanoTime() - t0) / 1e9);
    return 0;
  }

  static void write(OutputTarget target, List<LoadedArtifact> sections) throws IOException {
    List<HeaderEntry> entries = new ArrayList<>();
    for (LoadedArtifact s : sections) {
      ArtifactDir d = s.dir();
      entries.add(new HeaderEntry(s.prefix() + "codebook", "F32", new long[] {d.codebooks() * (long) d.k(),
          d.dsub()}, (long) s.codebook().length * Float.BYTES));
      entries.add(new HeaderEntry(s.prefix() + "concept_ids", "I32", new long[] {d.rows(), d.m()},
          (long) s.mapping().length * Integer.BYTES));
    }
    byte[] header = SafetensorsWriter.headerOf(entries, metadata(sections));
    try (OutputStream os = target.fs().create(target.tmp(), false)) {
      TensorBytes.header(os, header);
      for (LoadedArtifact s : sections) {
        TensorBytes.floats(os, s.codebook());
        TensorBytes.ints(os, s.mapping());
      }
      os.close();
      target.commit();
    } catch (IOException | RuntimeException e) {
      target.abort();
      throw e;
    }
  }

  /**
   * The {@code __metadata__} strings. Per section (keys prefixed like its tensors): m, k, mode, V, D, the digests,
   * the source's sha256 and tensor, and the whole manifest as JSON. The token strings, when the artifact has them,
   * go in once as a JSON array under "tokens" (id = index): JSON escapes any byte a token may hold, and the file
   * stays a single file.
   */
  static Map<String, String> metadata(List<LoadedArtifact> sections) throws IOException {
    Map<String, String> md = new LinkedHashMap<>();
    md.put("format", FORMAT);
    md.put("format_version", FORMAT_VERSION);
    StringJoiner names = new StringJoiner(",");
    String[] tokens = null;
    for (LoadedArtifact s : sections) {
      if (s.name() != null) {
        names.add(s.name());
      }
      ArtifactDir d = s.dir();
      Manifest mf = d.manifest();
      String p = s.prefix();
      md.put(p + "m", Integer.toString(d.m()));
      md.put(p + "k", Integer.toString(d.k()));
      md.put(p + "mode", d.shared() ? "shared" : "separate");
      md.put(p + "V", Integer.toString(d.rows()));
      md.put(p + "D", Integer.toString(d.dim()));
      md.put(p + "digests.codebook", mf.digests.get("codebook"));
      md.put(p + "digests.mapping", mf.digests.get("mapping"));
      md.put(p + "source.sha256", String.valueOf(mf.source.sha256));
      md.put(p + "source.tensor", String.valueOf(mf.source.tensor));
      md.put(p + "manifest", COMPACT.writeValueAsString(mf));
      if (tokens == null) {
        tokens = s.tokens();
      }
    }
    md.put("sections", names.toString());
    if (tokens != null) {
      md.put("tokens", COMPACT.writeValueAsString(tokens));
    }
    return md;
  }
}
