package dev.asg.common.artifact;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * manifest.json: what was quantized, with which parameters, how well, and the digests that identify the result.
 * Field names are snake_case because Python consumers read it. Bump {@link #FORMAT_VERSION} on any incompatible
 * change to the artifact layout.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"format_version", "tool", "tool_version", "spark_version", "created", "source", "params",
    "result", "compression", "digests", "based_on", "timings_s", "sections", "evaluation"})
public final class Manifest {
  public static final int FORMAT_VERSION = 1;

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  @JsonProperty("format_version")
  public int formatVersion = FORMAT_VERSION;
  @JsonProperty("tool")
  public String tool = "asg-spark";
  @JsonProperty("tool_version")
  public String toolVersion;
  @JsonProperty("spark_version")
  public String sparkVersion;
  /** ISO-8601 UTC. */
  @JsonProperty("created")
  public String created;
  @JsonProperty("source")
  public Source source;
  /** Every parameter of the run, by its flag name (without dashes). */
  @JsonProperty("params")
  public Map<String, Object> params = new LinkedHashMap<>();
  @JsonProperty("result")
  public Result result;
  @JsonProperty("compression")
  public Compression compression;
  /** "codebook" and "mapping": see {@link Digests}. */
  @JsonProperty("digests")
  public Map<String, String> digests = new LinkedHashMap<>();
  /** Set when the codebooks came from another artifact ({@code asg encode}, {@code quantize --init-from}). */
  @JsonProperty("based_on")
  public BasedOn basedOn;
  @JsonProperty("timings_s")
  public Map<String, Double> timingsSeconds = new LinkedHashMap<>();
  /**
   * Only in the top-level manifest.json of a decoder run ({@code --output-tensor}): "input" and "output", each
   * summarising the complete artifact set in that sub-directory. Such a manifest has no source, result or digests
   * of its own; consumers that find "sections" read the per-section manifests.
   */
  @JsonProperty("sections")
  public Map<String, Section> sections;
  /** Filled by {@code asg evaluate}. */
  @JsonProperty("evaluation")
  public Map<String, Object> evaluation;

  /** The table that was quantized. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static final class Source {
    @JsonProperty("uri")
    public String uri;
    @JsonProperty("format")
    public String format;
    @JsonProperty("tensor")
    public String tensor;
    @JsonProperty("dtype")
    public String dtype;
    @JsonProperty("shape")
    public long[] shape;
    /** Parquet input only: the id column ({@code tensor} is then the vector column). */
    @JsonProperty("id_column")
    public String idColumn;
    /** SHA-256 of what {@link #sha256Of} says. */
    @JsonProperty("sha256")
    public String sha256;
    /**
     * What {@link #sha256} covers: "stored-tensor-bytes" (safetensors, ONNX, .npy: the tensor's bytes as stored,
     * before conversion to float32) or "float32-le-rows-by-id" (Parquet, which has no raw tensor byte range: the
     * decoded table as float32 little-endian in id order).
     */
    @JsonProperty("sha256_of")
    public String sha256Of;
    /** The vocabulary whose tokens fill mapping/'s token column, if one was used. */
    @JsonProperty("vocab")
    public Vocab vocab;
  }

  /** A vocabulary file used for the token column. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static final class Vocab {
    @JsonProperty("uri")
    public String uri;
    /** Tokens in the file. */
    @JsonProperty("size")
    public int size;
    /** Tokens used: the table's V (a larger vocabulary is cut to ids below V). */
    @JsonProperty("used")
    public int used;
    /** "flag" (--vocab) or "auto" (found next to the model). */
    @JsonProperty("found_by")
    public String foundBy;
  }

  /**
   * The artifact this one's codebooks came from: frozen ({@code asg encode}) or as Lloyd's starting point
   * ({@code quantize --init-from}), with how many tokens' ConceptIDs changed against its mapping.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static final class BasedOn {
    public static final String ENCODE = "encode";
    public static final String INIT_FROM = "init-from";

    /** The other artifact's directory, as given. */
    @JsonProperty("artifacts")
    public String artifacts;
    /** {@link #ENCODE} (its codebooks, unchanged) or {@link #INIT_FROM} (its centroids started Lloyd). */
    @JsonProperty("how")
    public String how;
    /** The other artifact's digests, identifying the exact codebooks and mapping. */
    @JsonProperty("digests")
    public Map<String, String> digests;
    /** init-from: tokens present in both mappings (ids below both V), compared row by row. */
    @JsonProperty("tokens_compared")
    public Long tokensCompared;
    /** init-from: of those, tokens whose ConceptIDs differ in at least one segment. */
    @JsonProperty("tokens_changed")
    public Long tokensChanged;
  }

  /** One artifact set of a decoder run, as summarised in the top-level manifest. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static final class Section {
    /** The set's directory and manifest, relative to the top-level directory ("input/manifest.json"). */
    @JsonProperty("manifest")
    public String manifest;
    @JsonProperty("tensor")
    public String tensor;
    @JsonProperty("shape")
    public long[] shape;
    @JsonProperty("sha256")
    public String sha256;
    @JsonProperty("relative_mse")
    public Double relativeMse;
    @JsonProperty("mean_cosine")
    public Double meanCosine;
    @JsonProperty("digests")
    public Map<String, String> digests;
  }

  /** Training outcome. Lists are indexed by iteration (0 = first Lloyd iteration). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static final class Result {
    @JsonProperty("iterations_run")
    public int iterationsRun;
    /** "iterations" (ran them all) or "tol" (relative objective change fell below --tol). */
    @JsonProperty("stopped_by")
    public String stoppedBy;
    /** Sum of squared distances of the training points to their assigned centroid, per iteration. */
    @JsonProperty("objective")
    public List<Double> objective = new ArrayList<>();
    @JsonProperty("empty_splits")
    public List<Integer> emptySplits = new ArrayList<>();
    /** Sub-vectors the iterations trained on (after the deterministic sample, if any). */
    @JsonProperty("training_points")
    public long trainingPoints;
    /** Sum over ALL tokens of ||x - x_hat||^2 / sum of ||x||^2, from the final assignment pass. */
    @JsonProperty("relative_mse")
    public double relativeMse;
    /** Mean over all tokens of cosine(x, x_hat). */
    @JsonProperty("mean_cosine")
    public double meanCosine;
    /** relative MSE of each segment, from the final pass. */
    @JsonProperty("relative_mse_per_segment")
    public double[] relativeMsePerSegment;
    @JsonProperty("kernel")
    public String kernel;
    /**
     * The share of point-to-centroid distances the final assignment pass skipped (its exact pruning: the last
     * iteration's bounds, or the centroid groups for points never trained on; 0 with {@code --pruning off}); null
     * for engines that do not measure it. Rounded to 4 decimals.
     */
    @JsonProperty("final_skipped_distances")
    public Double finalSkippedDistances;
    /** Where each Lloyd iteration's time went (timing only; null for engines that do not measure it). */
    @JsonProperty("iteration_timings")
    public IterationTimings iterationTimings;
  }

  /**
   * Per Lloyd iteration: the driver's wall time, and the compute time its tasks reported (assignment and
   * statistics, summed over tasks). {@code spark_overhead = 1 - task_compute / (slots * wall)} is the share of
   * the slots' time spent on anything but our code: job launch, task scheduling and serialization, the broadcast,
   * the reduce, the driver's centroid update, and slots idle while the last tasks of a wave finish.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static final class IterationTimings {
    /** The 1-based iteration the lists start at: 1, or the first iteration after a {@code --resume}. */
    @JsonProperty("first_iteration")
    public int firstIteration = 1;
    /** Task slots (cores) the iterations ran on: Spark's default parallelism. */
    @JsonProperty("slots")
    public int slots;
    @JsonProperty("wall_s")
    public List<Double> wallSeconds = new ArrayList<>();
    @JsonProperty("task_compute_s")
    public List<Double> taskComputeSeconds = new ArrayList<>();
    @JsonProperty("spark_overhead")
    public List<Double> sparkOverhead = new ArrayList<>();
    /**
     * Per iteration, the share of point-to-centroid distances the exact pruning skipped (0 with {@code --pruning
     * off}, and in the first iteration, which has no bounds yet).
     */
    @JsonProperty("skipped_distances")
    public List<Double> skippedDistances = new ArrayList<>();

    /** Records one iteration; returns its overhead fraction. */
    public double add(double wall, double taskCompute) {
      double overhead = slots > 0 && wall > 0 ? Math.max(0.0, 1.0 - taskCompute / (slots * wall)) : Double.NaN;
      wallSeconds.add(round(wall));
      taskComputeSeconds.add(round(taskCompute));
      sparkOverhead.add(Double.isFinite(overhead) ? round(overhead) : null);
      return overhead;
    }

    /**
     * Per iteration, the bytes the driver received: the exact payload of the encoded Lloyd statistics it collected
     * (one partial per task in local mode, one slice per slot on a cluster; a sparse delta once the centroids
     * settle), whatever spark.serializer. Does not grow with the partition count. Spark's task-result wrapper,
     * task metrics and status messages come on top and are not included.
     */
    @JsonProperty("driver_bytes_in")
    public List<Long> driverBytesIn = new ArrayList<>();
    /**
     * Per iteration, the broadcast payload, uncompressed, one copy: the float32 centroids (4 bytes each) and the
     * centroid drift's values. Spark compresses broadcasts (lz4) and each executor fetches a copy, peer-to-peer
     * where its torrent broadcast can, so the wire bytes differ.
     */
    @JsonProperty("driver_bytes_out")
    public List<Long> driverBytesOut = new ArrayList<>();

    /** Records one iteration's driver traffic (see {@link #driverBytesIn}, {@link #driverBytesOut}). */
    public void addDriverBytes(long in, long out) {
      driverBytesIn.add(in);
      driverBytesOut.add(out);
    }

    /** Records one iteration's skipped share (see {@link #skippedDistances}). */
    public void addSkipped(double share) {
      skippedDistances.add(round(share));
    }

    private static double round(double v) {
      return Math.round(v * 10000) / 10000.0;
    }
  }

  public void write(OutputStream out) throws IOException {
    MAPPER.writeValue(out, this);
  }

  public String toJson() {
    try {
      return MAPPER.writeValueAsString(this);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Manifest read(InputStream in) throws IOException {
    return MAPPER.readValue(in, Manifest.class);
  }

  public static ObjectMapper mapper() {
    return MAPPER;
  }
}
