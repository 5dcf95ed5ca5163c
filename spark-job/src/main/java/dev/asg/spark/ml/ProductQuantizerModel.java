package dev.asg.spark.ml;

import dev.asg.common.artifact.Manifest;
import dev.asg.common.kmeans.PreparedCodebook;
import dev.asg.spark.engine.FrozenArtifact;
import java.util.Arrays;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Trained ASG codebooks as a Spark ML model. {@code transform} adds {@code outputCol}, the m ConceptIDs of EVERY
 * row (encoding, not a lookup: rows need not be training tokens), by the kernel and tie rule of training's final
 * pass, so a training token gets exactly its mapping/ row; with {@code reconstructedCol} also the decoded vector.
 * Saved, it is a standard artifact directory (codebook/, mapping/, manifest.json, _SUCCESS) plus Spark ML's
 * metadata/, so the CLI and the Python loader read it; {@link #load} reads a CLI artifact too.
 */
public final class ProductQuantizerModel extends Model<ProductQuantizerModel>
    implements ProductQuantizerParams<ProductQuantizerModel>, MLWritable {
  private static final long serialVersionUID = 1L;
  static final String NAME = "ProductQuantizerModel";

  private final String uid;
  private final PqParams pq;
  private final ModelData data;

  /** An empty model (Spark Connect instantiates registered stages); load or fit one to transform. */
  public ProductQuantizerModel() {
    this(Identifiable.randomUID("productQuantizerModel"), null);
  }

  ProductQuantizerModel(String uid, ModelData data) {
    this.uid = uid; // before the Params: each takes the uid of its parent when created
    this.pq = new PqParams(this);
    this.data = data;
    setDefault(pq.defaults());
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public PqParams pq() {
    return pq;
  }

  ModelData data() {
    if (data == null) {
      throw new IllegalStateException(NAME + " " + uid + " holds no codebooks; fit a ProductQuantizer or load a "
          + "model with ProductQuantizerModel.load(path)");
    }
    return data;
  }

  /** The manifest of the artifact (digests, source, params, quality); saving records the path in params.output. */
  public Manifest manifest() {
    return data().manifest();
  }

  /** codebook/: row (the ConceptID), codebook, centroid, vector (D/m floats). */
  public Dataset<Row> codebooks() {
    return data().codebookFrame(SparkSession.active());
  }

  /** mapping/: token_id and its m ConceptIDs, for the tokens the model was trained on. */
  public Dataset<Row> mapping() {
    return data().mappingFrame(SparkSession.active());
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType in = dataset.schema();
    StructType out = transformSchema(in);
    ModelData d = data();
    VectorColumn.Kind kind = VectorColumn.kind(in, NAME, "inputCol", getInputCol());
    int idIndex = Arrays.asList(in.fieldNames()).indexOf(getIdCol());
    VectorColumn.Reader reader = new VectorColumn.Reader(kind, in.fieldIndex(getInputCol()), idIndex,
        getInputCol(), getIdCol(), d.dim());
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
    Broadcast<PreparedCodebook[]> prepared = jsc.broadcast(FrozenArtifact.prepare(d.centroids(), d.k(), d.dsub()));
    Broadcast<float[]> codebook = getReconstructedCol() == null ? null : jsc.broadcast(d.codebook());
    return dataset.toDF().mapPartitions(new EncodeRows(reader, prepared, codebook, d.mode(), d.m(), d.k()),
        Encoders.row(out));
  }

  /** The input schema plus outputCol (array&lt;int&gt;) and, if set, reconstructedCol (array&lt;float&gt;). */
  static StructType outputSchema(StructType schema, String stage, String outputCol, String reconstructedCol) {
    VectorColumn.requireNew(schema, stage, "outputCol", outputCol);
    StructType out = schema.add(outputCol, DataTypes.createArrayType(DataTypes.IntegerType, false), false);
    if (reconstructedCol != null) {
      VectorColumn.requireNew(out, stage, "reconstructedCol", reconstructedCol);
      out = out.add(reconstructedCol, DataTypes.createArrayType(DataTypes.FloatType, false), false);
    }
    return out;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    VectorColumn.kind(schema, NAME, "inputCol", getInputCol());
    return outputSchema(schema, NAME, getOutputCol(), getReconstructedCol());
  }

  @Override
  public ProductQuantizerModel copy(ParamMap extra) {
    ProductQuantizerModel copy = copyValues(new ProductQuantizerModel(uid, data), extra);
    return hasParent() ? copy.setParent(parent()) : copy;
  }

  @Override
  public MLWriter write() {
    return new ModelPersistence.Writer(this);
  }

  public static MLReader<ProductQuantizerModel> read() {
    return new ModelPersistence.Reader();
  }

  /** Reads a saved model, or an artifact directory of {@code asg quantize} (params from its manifest). */
  public static ProductQuantizerModel load(String path) {
    return read().load(path);
  }
}
