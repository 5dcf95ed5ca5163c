package dev.asg.spark.ml;

import dev.asg.common.InvalidInputException;
import dev.asg.common.artifact.Manifest;
import dev.asg.common.kmeans.KMeansParams;
import dev.asg.spark.engine.InputSpec;
import dev.asg.spark.output.ArtifactWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.SparkSession;

/**
 * Saving and loading a {@link ProductQuantizerModel}. A saved model is a standard artifact directory, committed
 * atomically by {@link ArtifactWriter}, with Spark ML's {@code metadata/} (class, uid, Params) written inside it
 * before manifest.json and _SUCCESS. Spark's metadata helpers are {@code private[ml]} in Scala (public in bytecode,
 * without a compatibility promise); the round-trip tests pin them.
 */
final class ModelPersistence {
  static final String METADATA = "metadata";

  private ModelPersistence() {}

  static final class Writer extends MLWriter {
    private final ProductQuantizerModel model;

    Writer(ProductQuantizerModel model) {
      this.model = model;
    }

    /**
     * Replaces MLWriter.save, whose handleOverwrite deletes any directory at {@code path} (asg artifact or not)
     * before saveImpl runs, so a failed write would lose the old model. Here {@link ArtifactWriter} refuses a
     * directory that is not a committed asg artifact and replaces an old model only after the new one is complete.
     * Pipeline saves call this on each stage's sub-path too.
     */
    @Override
    public void save(String path) {
      write(path, shouldOverwrite());
    }

    /** Called directly (not through save): writes only where nothing is, as after MLWriter's own checks. */
    @Override
    public void saveImpl(String path) {
      write(path, false);
    }

    private void write(String path, boolean overwrite) {
      SparkSession spark = sparkSession();
      Configuration conf = spark.sparkContext().hadoopConfiguration();
      ModelData data = model.data();
      ArtifactWriter writer;
      try {
        writer = ArtifactWriter.preflight(path, overwrite, conf);
      } catch (InvalidInputException e) {
        // OutputExistsException too; the ML API promises IllegalArgumentException (--overwrite = overwrite()).
        throw new IllegalArgumentException(ProductQuantizerModel.NAME + ".save: " + e.getMessage(), e);
      }
      try {
        writer.write(data.asResult(writer.output().toString()), dir ->
            // Writes <dir>/metadata, where Spark's readers (PipelineModel's too) look for it.
            DefaultParamsWriter$.MODULE$.saveMetadata(model, dir.toString(), spark));
      } catch (IOException e) {
        throw new UncheckedIOException("could not save " + ProductQuantizerModel.NAME + " to " + path, e);
      }
    }
  }

  static final class Reader extends MLReader<ProductQuantizerModel> {
    @Override
    public ProductQuantizerModel load(String path) {
      SparkSession spark = sparkSession();
      ModelData data;
      try {
        data = ModelData.read(spark, path);
      } catch (InvalidInputException e) {
        throw new IllegalArgumentException(ProductQuantizerModel.NAME + ".load: " + e.getMessage(), e);
      }
      Path meta = new Path(path, METADATA);
      boolean saved;
      try {
        saved = meta.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(meta);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (!saved) {
        ProductQuantizerModel model = new ProductQuantizerModel(Identifiable.randomUID("productQuantizerModel"),
            data);
        setFromManifest(model, data);
        return model;
      }
      DefaultParamsReader.Metadata md = DefaultParamsReader$.MODULE$.loadMetadata(path, spark,
          ProductQuantizerModel.class.getName());
      ProductQuantizerModel model = new ProductQuantizerModel(md.uid(), data);
      md.getAndSetParams(model, scala.Option.empty());
      checkMatches(model, data, path);
      return model;
    }
  }

  /**
   * A directory whose Spark ML metadata and artifact disagree (an artifact re-written under a saved model, or a
   * model's files copied over another's) is refused: which of the two describes the codebooks is unknown.
   */
  static void checkMatches(ProductQuantizerModel model, ModelData data, String path) {
    String saved = "m " + model.getM() + ", k " + model.getK() + ", codebook " + model.getCodebook();
    String artifact = "m " + data.m() + ", k " + data.k() + ", codebook " + data.mode().flagValue();
    if (!saved.equals(artifact)) {
      throw new IllegalArgumentException(ProductQuantizerModel.NAME + ".load: " + path + "/" + METADATA
          + " was saved with " + saved + " but the artifact there (manifest.json, codebook/, mapping/) has "
          + artifact + "; the directory mixes two models: save the model again, or remove " + METADATA
          + "/ to load the artifact alone");
    }
  }

  /** A CLI artifact has no Spark ML metadata: the Params come from its manifest (the flags it was trained with). */
  static void setFromManifest(ProductQuantizerModel model, ModelData data) {
    Map<String, Object> p = data.manifest().params;
    model.set(model.m(), data.m());
    model.set(model.k(), data.k());
    model.set(model.codebook(), data.mode().flagValue());
    setIfPresent(model, model.maxIter(), p.get(KMeansParams.ITERATIONS), Integer.class);
    setIfPresent(model, model.tol(), p.get(KMeansParams.TOL), Double.class);
    setIfPresent(model, model.seed(), p.get(KMeansParams.SEED), Long.class);
    setIfPresent(model, model.initMode(), p.get(KMeansParams.INIT), String.class);
    setIfPresent(model, model.maxPointsPerCentroid(), p.get(KMeansParams.MAX_POINTS_PER_CENTROID), Integer.class);
    Manifest.Source s = data.manifest().source;
    if (s != null && "parquet".equals(s.format) && s.idColumn != null && s.tensor != null) {
      model.set(model.idCol(), s.idColumn);
      model.set(model.inputCol(), s.tensor);
    } else {
      setIfPresent(model, model.idCol(), p.get(InputSpec.ID_COL), String.class);
      setIfPresent(model, model.inputCol(), p.get(InputSpec.VECTOR_COL), String.class);
    }
  }

  /** Sets {@code param} from a manifest value of the right kind; absent or odd values keep the default. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void setIfPresent(ProductQuantizerModel model, Param param, Object v, Class<?> type) {
    Object value = v;
    if (v instanceof Number && type == Integer.class) {
      value = ((Number) v).intValue();
    } else if (v instanceof Number && type == Long.class) {
      value = ((Number) v).longValue();
    } else if (v instanceof Number && type == Double.class) {
      value = ((Number) v).doubleValue();
    }
    if (type.isInstance(value) && (Boolean) param.isValid().apply(value)) {
      model.set(param, value);
    }
  }
}
