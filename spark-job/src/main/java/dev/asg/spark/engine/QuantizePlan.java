package dev.asg.spark.engine;

import dev.asg.common.InvalidInputException;
import dev.asg.common.artifact.Manifest;
import dev.asg.common.tensor.TableSpec;
import dev.asg.spark.io.TableResolver;
import dev.asg.spark.source.ByteRangeTableSource;
import dev.asg.spark.source.ParquetTableSource;
import dev.asg.spark.source.TableSource;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

/**
 * What a quantize run will train: one section ("input") normally, two ("input" and "output") for a decoder whose
 * output projection is not tied to its input embedding ({@code --output-tensor}, paper section 2.4). Built in two
 * steps so bad input fails as early as it can: {@link #preflight} reads only headers and the vocabulary, before
 * Spark starts; {@link #open} does what needs Spark (checking a Parquet table), still before any training.
 */
public final class QuantizePlan {
  public static final String INPUT = "input";
  public static final String OUTPUT = "output";

  /** One table to train an ASG structure on. */
  public static final class Section {
    private final String name;
    private final QuantizeRequest params;
    private TableSource table;
    private RunVocabulary vocab;

    Section(String name, QuantizeRequest params, TableSource table, RunVocabulary vocab) {
      this.name = name;
      this.params = params;
      this.table = table;
      this.vocab = vocab;
    }

    /** "input" or "output": also the sub-directory of a decoder run. */
    public String name() {
      return name;
    }

    /** The run's parameters with {@code tensor} set to this section's tensor. */
    public QuantizeRequest params() {
      return params;
    }

    /** Null for a Parquet table until {@link QuantizePlan#open}. */
    public TableSource table() {
      return table;
    }

    /** Null when mapping/ gets no token column. */
    public RunVocabulary vocab() {
      return vocab;
    }
  }

  private final QuantizeRequest params;
  private final String format;
  private final RunVocabulary vocabFile;
  private final List<Section> sections;
  /** Every shard of a sharded checkpoint's index; empty otherwise. */
  private final List<String> shards;

  private QuantizePlan(QuantizeRequest params, String format, RunVocabulary vocabFile, List<Section> sections,
      List<String> shards) {
    this.params = params;
    this.shards = shards;
    this.format = format;
    this.vocabFile = vocabFile;
    this.sections = sections;
  }

  /**
   * Resolves the input (and output) tensor from headers, checks the parameters against their shapes and loads the
   * vocabulary. Needs no SparkSession.
   */
  public static QuantizePlan preflight(QuantizeRequest p, Configuration conf) {
    String fmt = p.input().format() == InputSpec.InputFormat.AUTO ? TableResolver.detect(p.input().uri(), conf)
        : p.input().format().flagValue();
    RunVocabulary vocab = RunVocabulary.load(p.input(), conf);
    List<Section> sections = new ArrayList<>();
    if (fmt.equals("parquet")) {
      if (p.input().tensor() != null) {
        throw new InvalidInputException("--" + InputSpec.TENSOR + " " + p.input().tensor() + " does not apply to the "
            + "Parquet table " + p.input().uri() + "; name its columns with --" + InputSpec.ID_COL + " and --"
            + InputSpec.VECTOR_COL);
      }
      if (p.input().outputTensor() != null) {
        throw new InvalidInputException("--" + InputSpec.OUTPUT_TENSOR + " " + p.input().outputTensor()
            + " does not apply to the Parquet table " + p.input().uri()
            + "; it needs a safetensors or ONNX model file");
      }
      sections.add(new Section(INPUT, p, null, vocab));
      return new QuantizePlan(p, fmt, vocab, sections, List.of());
    }
    TableSpec in = resolve(p, conf);
    sections.add(new Section(INPUT, p, new ByteRangeTableSource(in), vocab == null ? null
        : vocab.forRows(in.rows())));
    if (p.input().outputTensor() != null) {
      QuantizeRequest po = p.withTensor(p.input().outputTensor());
      TableSpec out;
      try {
        out = resolve(po, conf);
      } catch (InvalidInputException e) {
        // The resolver speaks of --tensor, the flag of the table it resolves; here that table is --output-tensor.
        throw new InvalidInputException(e.getMessage().replaceAll("(?<![\\w-])--" + InputSpec.TENSOR + "\\b",
            "--" + InputSpec.OUTPUT_TENSOR), e);
      }
      if (out.tensor().equals(in.tensor()) && out.uri().equals(in.uri())) {
        throw new InvalidInputException("--" + InputSpec.OUTPUT_TENSOR + " " + p.input().outputTensor()
            + " is the input embedding itself; omit --" + InputSpec.OUTPUT_TENSOR + " when the output "
            + "projection is tied to it, or pass --" + InputSpec.TENSOR + " for the input embedding");
      }
      sections.add(new Section(OUTPUT, po, new ByteRangeTableSource(out), vocab == null ? null
          : vocab.forRows(out.rows())));
    }
    return new QuantizePlan(p, fmt, vocab, Collections.unmodifiableList(sections),
        TableResolver.shardPaths(p.input().uri(), conf));
  }

  /**
   * Resolves a model file's table from its header only and checks the parameters against its shape. Needs no
   * SparkSession, so bad input fails in well under a second, before Spark starts.
   */
  static TableSpec resolve(QuantizeRequest p, Configuration conf) {
    TableSpec spec = TableResolver.resolve(p.input().uri(), p.input().format().flagValue(), p.input().tensor(),
        conf);
    p.algorithm().validateAgainst(spec.rows(), spec.dim(), spec.uri() + " tensor '" + spec.tensor() + "'");
    return spec;
  }

  /** Reads and checks what needs Spark (a Parquet table); a no-op for model files. */
  public void open(SparkSession spark) {
    for (Section s : sections) {
      if (s.table == null) {
        InputSpec in = params.input();
        ParquetTableSource t = ParquetTableSource.open(spark, in.uri(), in.idCol(), in.vectorCol());
        params.algorithm().validateAgainst(t.rows(), t.dim(), in.uri() + " column '" + in.vectorCol() + "'");
        s.table = t;
        s.vocab = vocabFile == null ? null : vocabFile.forRows(t.rows());
      }
    }
  }

  public QuantizeRequest params() {
    return params;
  }

  /**
   * Every file the run reads: the input, the files holding its tensors (a sharded model's shards) and the
   * vocabulary. The output must replace none of them.
   */
  public List<String> readPaths() {
    List<String> out = new ArrayList<>();
    out.add(params.input().uri());
    out.addAll(shards);
    for (Section s : sections) {
      if (s.table instanceof ByteRangeTableSource) {
        out.add(((ByteRangeTableSource) s.table).spec().uri());
      }
    }
    if (vocabFile != null) {
      out.add(vocabFile.uri());
    }
    return out;
  }

  /** The detected or given input format. */
  public String format() {
    return format;
  }

  public List<Section> sections() {
    return sections;
  }

  /** True when there are separate input and output structures (artifacts in input/ and output/). */
  public boolean decoder() {
    return sections.size() > 1;
  }

  /** The top-level manifest of a decoder run; the writer adds one summary per section. */
  public Manifest topManifest(SparkSession spark) {
    Manifest m = new Manifest();
    m.created = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    m.sparkVersion = spark.version();
    m.toolVersion = ToolVersion.get();
    m.params.putAll(params.asMap());
    m.digests = null; // each section has its own; the top level identifies nothing by itself
    m.sections = new java.util.LinkedHashMap<>();
    return m;
  }
}
