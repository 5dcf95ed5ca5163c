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
    private final QuantizeParams params;
    private TableSource table;
    private RunVocabulary vocab;

    Section(String name, QuantizeParams params, TableSource table, RunVocabulary vocab) {
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
    public QuantizeParams params() {
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

  private final QuantizeParams params;
  private final String format;
  private final RunVocabulary vocabFile;
  private final List<Section> sections;
  /** Every shard of a sharded checkpoint's index; empty otherwise. */
  private final List<String> shards;

  private QuantizePlan(QuantizeParams params, String format, RunVocabulary vocabFile, List<Section> sections,
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
  public static QuantizePlan preflight(QuantizeParams p, Configuration conf) {
    String fmt = p.inputFormat().equals("auto") ? TableResolver.detect(p.input(), conf) : p.inputFormat();
    RunVocabulary vocab = RunVocabulary.load(p, conf);
    List<Section> sections = new ArrayList<>();
    if (fmt.equals("parquet")) {
      if (p.tensor() != null) {
        throw new InvalidInputException("--" + QuantizeParams.TENSOR + " " + p.tensor() + " does not apply to the "
            + "Parquet table " + p.input() + "; name its columns with --" + QuantizeParams.ID_COL + " and --"
            + QuantizeParams.VECTOR_COL);
      }
      if (p.outputTensor() != null) {
        throw new InvalidInputException("--" + QuantizeParams.OUTPUT_TENSOR + " " + p.outputTensor()
            + " does not apply to the Parquet table " + p.input() + "; it needs a safetensors or ONNX model file");
      }
      sections.add(new Section(INPUT, p, null, vocab));
      return new QuantizePlan(p, fmt, vocab, sections, List.of());
    }
    TableSpec in = QuantizeEngine.resolve(p, conf);
    sections.add(new Section(INPUT, p, new ByteRangeTableSource(in), vocab == null ? null
        : vocab.forRows(in.rows())));
    if (p.outputTensor() != null) {
      QuantizeParams po = p.toBuilder().tensor(p.outputTensor()).build();
      TableSpec out;
      try {
        out = QuantizeEngine.resolve(po, conf);
      } catch (InvalidInputException e) {
        // The resolver speaks of --tensor, the flag of the table it resolves; here that table is --output-tensor.
        throw new InvalidInputException(e.getMessage().replaceAll("(?<![\\w-])--" + QuantizeParams.TENSOR + "\\b",
            "--" + QuantizeParams.OUTPUT_TENSOR), e);
      }
      if (out.tensor().equals(in.tensor()) && out.uri().equals(in.uri())) {
        throw new InvalidInputException("--" + QuantizeParams.OUTPUT_TENSOR + " " + p.outputTensor()
            + " is the input embedding itself; omit --" + QuantizeParams.OUTPUT_TENSOR + " when the output "
            + "projection is tied to it, or pass --" + QuantizeParams.TENSOR + " for the input embedding");
      }
      sections.add(new Section(OUTPUT, po, new ByteRangeTableSource(out), vocab == null ? null
          : vocab.forRows(out.rows())));
    }
    return new QuantizePlan(p, fmt, vocab, Collections.unmodifiableList(sections),
        TableResolver.shardPaths(p.input(), conf));
  }

  /** Reads and checks what needs Spark (a Parquet table); a no-op for model files. */
  public void open(SparkSession spark) {
    for (Section s : sections) {
      if (s.table == null) {
        ParquetTableSource t = ParquetTableSource.open(spark, params.input(), params.idCol(), params.vectorCol());
        params.validateAgainst(t.rows(), t.dim(), params.input() + " column '" + params.vectorCol() + "'");
        s.table = t;
        s.vocab = vocabFile == null ? null : vocabFile.forRows(t.rows());
      }
    }
  }

  public QuantizeParams params() {
    return params;
  }

  /**
   * Every file the run reads: the input, the files holding its tensors (a sharded model's shards) and the
   * vocabulary. The output must replace none of them.
   */
  public List<String> readPaths() {
    List<String> out = new ArrayList<>();
    out.add(params.input());
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
