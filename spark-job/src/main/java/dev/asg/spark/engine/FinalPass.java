package dev.asg.spark.engine;

import dev.asg.common.artifact.Compression;
import dev.asg.common.artifact.Digests;
import dev.asg.common.artifact.Manifest;
import dev.asg.common.kmeans.BlockAssigner;
import dev.asg.common.kmeans.CentroidDrift;
import dev.asg.common.kmeans.CentroidGroups;
import dev.asg.common.kmeans.CodebookMode;
import dev.asg.common.kmeans.FixedPoint;
import dev.asg.common.kmeans.GroupedAssigner;
import dev.asg.common.kmeans.PreparedCodebook;
import dev.asg.common.kmeans.Pruning;
import dev.asg.common.kmeans.ReconstructionStats;
import dev.asg.spark.source.TableBlock;
import java.security.MessageDigest;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;

/**
 * Step 5 of a run: every token assigned once to the frozen centroids, giving mapping/, the reconstruction quality
 * and the digests. Our engine and the mllib baseline share it, so their numbers are computed the same way.
 */
public final class FinalPass {
  private FinalPass() {}

  /**
   * The ConceptIDs of {@code nRows} row-major rows against frozen codebooks: {@code ids[r*m + i]}, i*k + j when
   * separate. The same kernel and tie rule (lowest centroid index) as training, so encoding a training row gives
   * its mapping/ entry.
   */
  public static int[] encode(BlockAssigner assigner, CodebookMode mode, int k, float[] rows, int nRows) {
    int n = nRows * assigner.m();
    int[] ids = new int[n];
    assigner.assign(rows, nRows, ids, new float[n]);
    mode.toConceptIds(ids, nRows, assigner.m(), k);
    return ids;
  }

  /**
   * {@link #encode} of one block, with the block's reconstruction statistics against {@code centroids} (the
   * unprepared codebooks). {@code score} is scratch of at least nRows * m floats.
   */
  public static MappedBlock map(int firstRow, float[] rows, int nRows, int dim, BlockAssigner assigner,
      float[][] centroids, CodebookMode mode, int k, FixedPoint energyFp, FixedPoint cosineFp, float[] score) {
    int[] idx = new int[nRows * assigner.m()]; // kept: it becomes the block's mapping
    assigner.assign(rows, nRows, idx, score);
    return mapAssigned(firstRow, rows, nRows, dim, assigner.m(), idx, centroids, mode, k, energyFp, cosineFp);
  }

  /**
   * {@link #map} of a block whose codebook-local assignments {@code idx} are already known (the exact pruning
   * computed them); idx becomes the block's ConceptIDs in place.
   */
  public static MappedBlock mapAssigned(int firstRow, float[] rows, int nRows, int dim, int m, int[] idx,
      float[][] centroids, CodebookMode mode, int k, FixedPoint energyFp, FixedPoint cosineFp) {
    ReconstructionStats rs = new ReconstructionStats(m);
    rs.add(rows, nRows, dim, idx, centroids, mode, energyFp, cosineFp);
    mode.toConceptIds(idx, nRows, m, k);
    return new MappedBlock(firstRow, nRows, m, idx, rs);
  }

  /** The merged reconstruction statistics of a mapping and the sha256 of its ConceptIDs in token order. */
  public record Summary(ReconstructionStats recon, String mappingDigest) {}

  /**
   * A finished pass: the mapped blocks (cached until {@code release}), their summary and the fixed-point scales of
   * its sums.
   */
  public record Pass(JavaRDD<MappedBlock> mapped, Summary summary, FixedPoint energyFp, FixedPoint cosineFp,
      double skippedDistances, Runnable release) {}

  /**
   * Assigns every block to {@code centroids} and summarizes. Blocks that still hold pruning bounds for
   * {@code iteration} prune with {@code drift}; without bounds (or with a null drift) a block runs the exact grouped
   * search ({@link GroupedAssigner}) when pruning is on and k is large enough, else brute force, all with the same
   * result. {@link Pass#skippedDistances} is the share of point-to-centroid distances the pass did not compute,
   * net of the grouped search's distances to group centres (clamped at 0) and advisory: an accumulator, so a block
   * recomputed after a lost executor counts twice. Training's final pass and {@code asg encode} both run this, so
   * a token gets the same ConceptIDs either way.
   *
   * @param maxDist the largest possible squared distance of one sub-vector, which scales the fixed-point sums
   */
  static Pass run(JavaSparkContext jsc, JavaRDD<TableBlock> blocks, float[][] centroids, int k, int dsub, int m,
      long rows, double maxDist, CentroidDrift drift, int iteration, BlockTasks.AssignSetup setup) {
    Broadcast<PreparedCodebook[]> bcPrepared = jsc.broadcast(QuantizeEngine.prepare(centroids, k, dsub));
    Broadcast<float[][]> bcCentroids = jsc.broadcast(centroids);
    Broadcast<CentroidDrift> bcDrift = jsc.broadcast(drift);
    // Grouped on the driver once (about a second at k = 16384) rather than once per task.
    CentroidGroups[] groups = setup.pruning == Pruning.OFF ? null : CentroidGroups.forCodebooks(bcPrepared.value());
    Broadcast<CentroidGroups[]> bcGroups = jsc.broadcast(groups);
    LongAccumulator computed = jsc.sc().longAccumulator("asg final pass distances");
    FixedPoint energyFp = FixedPoint.forSum(maxDist, rows * m);
    FixedPoint cosineFp = FixedPoint.forSum(1.0, rows);
    JavaRDD<MappedBlock> mapped = blocks
        .map(b -> BlockTasks.map(b, bcPrepared.value(), bcGroups.value(), bcCentroids.value(), bcDrift.value(),
            iteration, setup, energyFp, cosineFp, computed))
        .persist(StorageLevel.MEMORY_ONLY());
    Summary summary = summarize(jsc, mapped, m, rows);
    // Read right after the one job that computed the blocks (a recomputed block would add again).
    double skipped = Math.max(0.0, 1.0 - computed.value() / ((double) rows * m * k));
    return new Pass(mapped, summary, energyFp, cosineFp, skipped, () -> {
      mapped.unpersist(false);
      bcPrepared.destroy();
      bcCentroids.destroy();
      bcDrift.destroy();
      bcGroups.destroy();
    });
  }

  /**
   * Computes the blocks of the (persisted) mapping and brings them to the driver in token order, merging the
   * statistics exactly and streaming the ConceptIDs through the digest. Partitions are fetched in groups of about
   * {@link #FETCH_BYTES} of ConceptIDs, each group one parallel job: a single job at the mBERT shape (23 MB), and
   * a bounded share of driver memory for any table. (One job per partition, as toLocalIterator runs them, cost a
   * scheduling round trip each.)
   */
  public static Summary summarize(JavaSparkContext jsc, JavaRDD<MappedBlock> mapped, int m, long rows) {
    jsc.setJobDescription("asg final assignment");
    int parts = mapped.getNumPartitions();
    long perPartition = Math.max(1, rows * m * Integer.BYTES / Math.max(1, parts));
    int group = (int) Math.max(1, Math.min(parts, FETCH_BYTES / perPartition));
    ReconstructionStats recon = new ReconstructionStats(m);
    MessageDigest digest = Digests.sha256();
    for (int first = 0; first < parts; first += group) {
      int[] ids = new int[Math.min(group, parts - first)];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = first + i;
      }
      // Partition order = token order; collectPartitions returns them in the order asked for.
      for (List<MappedBlock> part : mapped.collectPartitions(ids)) {
        for (MappedBlock mb : part) {
          recon.merge(mb.stats);
          Digests.updateInts(digest, mb.conceptIds, 0, mb.conceptIds.length);
        }
      }
    }
    return new Summary(recon, Digests.hex(digest));
  }

  /** ConceptID bytes fetched to the driver per job by {@link #summarize}. */
  static final long FETCH_BYTES = 32L << 20;

  /**
   * The manifest's result block after the final pass: relative MSE (overall and per segment), mean cosine, the
   * compression and the digests of codebook/ and mapping/.
   */
  public static void fillResult(Manifest manifest, Manifest.Result result, Summary summary, FixedPoint energyFp,
      FixedPoint cosineFp, long rows, int dim, int m, int k, CodebookMode mode, float[][] centroids) {
    result.relativeMse = summary.recon().relativeMse(energyFp);
    result.relativeMsePerSegment = summary.recon().relativeMsePerSegment(energyFp);
    result.meanCosine = summary.recon().meanCosine(cosineFp);
    manifest.result = result;
    manifest.compression = Compression.of(rows, dim, m, k, mode);
    manifest.digests.put("codebook", Digests.ofFloatArrays(centroids));
    manifest.digests.put("mapping", summary.mappingDigest());
  }
}
