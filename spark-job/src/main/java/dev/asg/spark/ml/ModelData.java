package dev.asg.spark.ml;

import dev.asg.common.artifact.Manifest;
import dev.asg.common.kmeans.CodebookMode;
import dev.asg.spark.engine.FrozenArtifact;
import dev.asg.spark.engine.MappedBlock;
import dev.asg.spark.engine.QuantizeResult;
import dev.asg.spark.output.ArtifactSchemas;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * What a fitted model holds, on the driver: the artifact's manifest, its codebooks and its mapping. Both arrays
 * are small next to the table (a 250k x 48 mapping is 48 MB), the same trade as the artifact loader's; keeping them
 * in memory, rather than in a temporary directory, is what lets a fitted model work on a cluster whose executors
 * share no local disk with the driver, and leaves nothing behind when it is never saved.
 *
 * @param codebook (codebooks * k) x dsub floats, row-major by ConceptID
 * @param mapping V x m ConceptIDs, row t = token t
 * @param tokens mapping/'s token strings, or null
 */
record ModelData(Manifest manifest, int m, int k, int dim, CodebookMode mode, float[] codebook, int[] mapping,
    String[] tokens) {

  int rows() {
    return mapping.length / m;
  }

  int dsub() {
    return dim / m;
  }

  int codebooks() {
    return mode.codebooks(m);
  }

  float[][] centroids() {
    return FrozenArtifact.split(codebook, codebooks(), k * dsub());
  }

  /** A committed artifact directory (the CLI's or a saved model's), read through the artifact loader. */
  static ModelData read(SparkSession spark, String path) {
    FrozenArtifact a = FrozenArtifact.open("artifacts", path, spark.sparkContext().hadoopConfiguration());
    dev.asg.spark.artifact.LoadedArtifact loaded = a.load(spark);
    return new ModelData(a.manifest(), a.m(), a.k(), a.dim(), a.mode(), loaded.codebook(), loaded.mapping(),
        a.tokens(spark));
  }

  /** A fit's result, collected before the caller releases it. */
  static ModelData of(QuantizeResult r, int m, int k, CodebookMode mode) {
    Manifest mf = r.manifest();
    int dim = (int) mf.source.shape[1];
    float[][] centroids = r.centroids();
    int per = centroids[0].length;
    float[] codebook = new float[centroids.length * per];
    for (int c = 0; c < centroids.length; c++) {
      System.arraycopy(centroids[c], 0, codebook, c * per, per);
    }
    return new ModelData(mf, m, k, dim, mode, codebook, r.collectMapping(), null);
  }

  /** codebook/ as the artifact writes it. */
  Dataset<Row> codebookFrame(SparkSession spark) {
    return ArtifactSchemas.codebookFrame(spark, centroids(), mode, k, dsub());
  }

  /** mapping/ as the artifact writes it, in token order. */
  Dataset<Row> mappingFrame(SparkSession spark) {
    List<Row> rows = ArtifactSchemas.mappingRows(0, rows(), m, mapping, tokens);
    return spark.createDataFrame(rows, tokens == null ? ArtifactSchemas.MAPPING : ArtifactSchemas.MAPPING_WITH_TOKEN)
        .coalesce(1);
  }

  /** The artifact to write: these arrays and a copy of the manifest recording where it is saved. */
  QuantizeResult asResult(String savedTo) {
    Manifest copy = Manifest.mapper().convertValue(manifest, Manifest.class);
    copy.params.put(dev.asg.spark.engine.RunOptions.OUTPUT, savedTo);
    return new QuantizeResult(centroids(), mode, k,
        new QuantizeResult.Local(MappedBlock.of(0, rows(), m, mapping), tokens), copy, () -> { });
  }
}
