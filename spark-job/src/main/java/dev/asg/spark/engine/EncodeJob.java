package dev.asg.spark.engine;

import dev.asg.common.InvalidInputException;
import dev.asg.common.artifact.Manifest;
import dev.asg.common.kmeans.AssignKernels;
import dev.asg.common.kmeans.CodebookMode;
import dev.asg.common.kmeans.KMeansParams;
import dev.asg.common.tensor.TableSpec;
import dev.asg.spark.io.TableResolver;
import dev.asg.spark.output.ArtifactWriter;
import dev.asg.spark.source.ByteRangeTableSource;
import dev.asg.spark.source.ParquetTableSource;
import dev.asg.spark.source.TableBlock;
import dev.asg.spark.source.TableSource;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code asg encode}: the ConceptIDs of another table's rows (tokens added to a vocabulary, say) against an
 * artifact's frozen codebooks, by the final pass of training (same kernel, same tie rule), written atomically as
 * an artifact of its own: mapping/ (same schema), a copy of codebook/ (so evaluate, export and the model loader
 * read it as they read any artifact), manifest.json naming the artifact it is based on, and _SUCCESS.
 */
public final class EncodeJob {
  private static final Logger LOG = LoggerFactory.getLogger("dev.asg.progress");
  public static final String ARTIFACTS = "artifacts";

  /** What is checked before Spark starts: the artifact, a model file's header and the output location. */
  public record Preflight(FrozenArtifact artifact, InputSpec input, TableSpec file, ArtifactWriter writer,
      boolean overwrite) {}

  private EncodeJob() {}

  /**
   * Opens the artifact and the input's header (a model file) and checks the output location; a model file of
   * another D fails here, a Parquet table's once Spark has read it, in both cases before anything is written.
   */
  public static Preflight preflight(String artifacts, InputSpec input, String output, boolean overwrite,
      Configuration conf) {
    FrozenArtifact a = FrozenArtifact.open(ARTIFACTS, artifacts, conf);
    String fmt = input.format() == InputSpec.InputFormat.AUTO ? TableResolver.detect(input.uri(), conf)
        : input.format().flagValue();
    TableSpec file = null;
    if (!fmt.equals(InputSpec.InputFormat.PARQUET.flagValue())) {
      file = TableResolver.resolve(input.uri(), fmt, input.tensor(), conf);
      a.checkDim(file.dim(), file.uri() + " tensor '" + file.tensor() + "'");
    } else if (input.tensor() != null) {
      throw new InvalidInputException("--" + InputSpec.TENSOR + " " + input.tensor() + " does not apply to the "
          + "Parquet table " + input.uri() + "; name its columns with --" + InputSpec.ID_COL + " and --"
          + InputSpec.VECTOR_COL);
    }
    List<String> reads = file == null ? List.of(input.uri(), artifacts) : List.of(input.uri(), file.uri(), artifacts);
    ArtifactWriter writer = ArtifactWriter.preflight(output, overwrite, conf, reads);
    return new Preflight(a, input, file, writer, overwrite);
  }

  /** Encodes every row and writes the artifact; returns its manifest. */
  public static Manifest run(SparkSession spark, Preflight pf) throws Exception {
    Timer timer = new Timer();
    FrozenArtifact a = pf.artifact();
    TableSource table = pf.file() != null ? new ByteRangeTableSource(pf.file())
        : ParquetTableSource.open(spark, pf.input().uri(), pf.input().idCol(), pf.input().vectorCol());
    a.checkDim(table.dim(), table.describe());
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    final int m = a.m();
    final int k = a.k();
    final int dim = table.dim();
    final int dsub = dim / m;
    final CodebookMode mode = a.mode();
    final long rows = table.rows();
    float[][] centroids = a.centroids(spark);

    JavaRDD<TableBlock> blocks = table.blocks(jsc, partitions(jsc, table)).persist(StorageLevel.MEMORY_ONLY());
    jsc.setJobDescription("asg read " + table.describe());
    float maxAbs = blocks.map(TableBlock::valueRange).reduce(dev.asg.common.kmeans.ValueRange::merge).maxAbs();
    CompletableFuture<String> sourceSha = table.sha256(blocks, conf);
    LOG.info("read {} ({} x {}) in {} partitions ({} s)", table.describe(), rows, dim, blocks.getNumPartitions(),
        timer.lap("read"));

    // As training's final pass: the same setup, kernel and fixed-point statistics.
    double maxDist = dsub * 4.0 * (double) maxAbs * maxAbs;
    String kernel = RunOptions.KERNEL_DEFAULT.flagValue();
    BlockTasks.AssignSetup setup = new BlockTasks.AssignSetup(mode, m, k, kernel, null, null);
    // Frozen codebooks: no previous iteration, so no bounds to prune with (null drift = brute force).
    FinalPass.Pass pass = FinalPass.run(jsc, blocks, centroids, k, dsub, m, rows, maxDist, null, 0, setup);
    blocks.unpersist(false);

    Manifest manifest = manifest(spark, a, table, pf);
    Manifest.Result result = new Manifest.Result();
    result.kernel = AssignKernels.byName(kernel).name();
    FinalPass.fillResult(manifest, result, pass.summary(), pass.energyFp(), pass.cosineFp(), rows, dim, m, k, mode,
        centroids);
    manifest.source.sha256 = sourceSha.join();
    LOG.info(String.format(Locale.ROOT, "encoded %d rows against %s: relative MSE %.6f, mean cosine %.6f (%.2f s)",
        rows, a.uri(), result.relativeMse, result.meanCosine, timer.lap("encode")));
    manifest.timingsSeconds.putAll(timer.laps());

    return QuantizeJob.write(pf.writer(), new QuantizeResult(centroids, mode, k,
        new QuantizeResult.Distributed(pass.mapped(), null), manifest, pass.release()), QuantizeListener.NONE);
  }

  /** manifest.json of an encoding: the frozen artifact's k-means parameters, this run's input and output. */
  private static Manifest manifest(SparkSession spark, FrozenArtifact a, TableSource table, Preflight pf) {
    Manifest mf = new Manifest();
    mf.created = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    mf.sparkVersion = spark.version();
    mf.toolVersion = ToolVersion.get();
    mf.source = table.manifestSource();
    mf.params.put(ARTIFACTS, a.uri());
    mf.params.put(InputSpec.INPUT, pf.input().uri());
    mf.params.put(InputSpec.INPUT_FORMAT, pf.input().format().flagValue());
    mf.params.put(InputSpec.TENSOR, pf.input().tensor());
    mf.params.put(InputSpec.ID_COL, pf.input().idCol());
    mf.params.put(InputSpec.VECTOR_COL, pf.input().vectorCol());
    mf.params.put(KMeansParams.M, a.m());
    mf.params.put(KMeansParams.K, a.k());
    mf.params.put(KMeansParams.CODEBOOK, a.mode().flagValue());
    mf.params.put(RunOptions.OUTPUT, pf.writer().output().toString());
    mf.params.put(RunOptions.OVERWRITE, pf.overwrite());
    Manifest.BasedOn b = new Manifest.BasedOn();
    b.artifacts = a.uri();
    b.how = Manifest.BasedOn.ENCODE;
    b.digests = new LinkedHashMap<>(a.manifest().digests);
    mf.basedOn = b;
    return mf;
  }

  /** One partition per ~64 MB of float32 rows (--partition-mb's default), at least one per core. */
  private static int partitions(JavaSparkContext jsc, TableSource table) {
    long bytes = (long) table.rows() * table.dim() * Float.BYTES;
    long target = (long) RunOptions.PARTITION_MB_DEFAULT << 20;
    long bySize = (bytes + target - 1) / target;
    return (int) Math.max(1, Math.min(table.rows(), Math.max(bySize, jsc.defaultParallelism())));
  }
}
