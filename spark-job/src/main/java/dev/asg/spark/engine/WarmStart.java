package dev.asg.spark.engine;

import dev.asg.common.InvalidInputException;
import dev.asg.common.artifact.Manifest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code quantize --init-from}: Lloyd starts from an earlier artifact's centroids instead of seeding, so a scheduled
 * retrain on a slightly changed table keeps its concepts (and most tokens their ConceptIDs); the manifest and the
 * progress log say how many tokens changed against the earlier mapping.
 */
final class WarmStart {
  private static final Logger LOG = LoggerFactory.getLogger("dev.asg.progress");

  private WarmStart() {}

  /**
   * Before any training: the artifact must be a committed one of the same m, k, D and codebook mode (exit 2
   * otherwise). A decoder run (two sections) is refused: which section starts which is not defined yet.
   */
  static void check(QuantizeRequest p, int dim, String table, boolean decoder, Configuration conf) {
    if (p.initFrom() == null) {
      return;
    }
    if (decoder) {
      throw new InvalidInputException("--" + QuantizeRequest.INIT_FROM + " does not apply to a run with --"
          + InputSpec.OUTPUT_TENSOR + " (two structures); drop one of them");
    }
    FrozenArtifact.open(QuantizeRequest.INIT_FROM, p.initFrom(), conf)
        .checkSameShape(p.algorithm().m(), p.algorithm().k(), dim, p.algorithm().codebook(), table);
  }

  /** The earlier artifact's centroids, one array of k * dsub per codebook, checked again against this run. */
  static float[][] centroids(QuantizeRequest p, int dim, String table, Configuration conf) {
    FrozenArtifact a = FrozenArtifact.open(QuantizeRequest.INIT_FROM, p.initFrom(), conf);
    a.checkSameShape(p.algorithm().m(), p.algorithm().k(), dim, p.algorithm().codebook(), table);
    return a.centroids(SparkSession.active());
  }

  /**
   * Counts the tokens (ids below both vocabularies' sizes) whose ConceptIDs differ from the earlier mapping in any
   * segment, and records them in the result's manifest and the progress log. One job over the cached mapping.
   */
  static void recordChanges(SparkSession spark, QuantizeRequest p, QuantizeResult result) {
    if (p.initFrom() == null) {
      return;
    }
    FrozenArtifact a = FrozenArtifact.open(QuantizeRequest.INIT_FROM, p.initFrom(), spark.sparkContext()
        .hadoopConfiguration());
    int m = a.m();
    int oldRows = a.rows();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<int[]> old = jsc.broadcast(a.load(spark).mapping());
    jsc.setJobDescription("asg changes against --init-from");
    JavaRDD<MappedBlock> blocks = ((QuantizeResult.Distributed) result.mapping()).blocks();
    long changed = blocks.map(b -> changed(b, old.value(), oldRows, m)).reduce(Long::sum);
    old.destroy();
    Manifest manifest = result.manifest();
    long compared = Math.min(oldRows, manifest.source.shape[0]);
    Manifest.BasedOn b = new Manifest.BasedOn();
    b.artifacts = p.initFrom();
    b.how = Manifest.BasedOn.INIT_FROM;
    b.digests = new LinkedHashMap<>(a.manifest().digests);
    b.tokensCompared = compared;
    b.tokensChanged = changed;
    manifest.basedOn = b;
    LOG.info("--init-from {}: {} of {} tokens changed ConceptIDs against its mapping ({} %)", p.initFrom(), changed,
        compared, String.format(java.util.Locale.ROOT, "%.2f", compared == 0 ? 0.0 : 100.0 * changed / compared));
  }

  /** How many of the block's tokens (below oldRows) have ConceptIDs that differ from the old mapping's. */
  private static long changed(MappedBlock b, int[] old, int oldRows, int m) {
    int[] ids = b.conceptIds();
    long n = 0;
    for (int r = 0; r < b.rows(); r++) {
      int t = b.firstRow() + r;
      if (t < oldRows && !Arrays.equals(ids, r * m, r * m + m, old, t * m, t * m + m)) {
        n++;
      }
    }
    return n;
  }
}
