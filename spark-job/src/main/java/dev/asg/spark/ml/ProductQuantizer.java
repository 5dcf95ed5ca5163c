package dev.asg.spark.ml;

import dev.asg.spark.engine.InputSpec;
import dev.asg.spark.engine.QuantizeJob;
import dev.asg.spark.engine.QuantizeListener;
import dev.asg.spark.engine.QuantizeRequest;
import dev.asg.spark.engine.QuantizeResult;
import dev.asg.spark.source.ParquetTableSource;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * ASG product quantization as a Spark ML estimator: {@code fit} trains the codebooks of a DataFrame with one row
 * per token ({@code idCol} holding exactly 0..V-1, {@code inputCol} the vectors) through the same plan and engine
 * as {@code asg quantize}, so the same table as a DataFrame or as a file gives the same manifest digests.
 */
public final class ProductQuantizer extends Estimator<ProductQuantizerModel>
    implements ProductQuantizerParams<ProductQuantizer>, DefaultParamsWritable {
  private static final long serialVersionUID = 1L;
  static final String NAME = "ProductQuantizer";
  /** manifest.params.output of a fit: nothing is written until the model is saved (which records its path). */
  static final String IN_MEMORY = "(in memory: ProductQuantizerModel not saved)";

  private final String uid;
  private final PqParams pq;

  public ProductQuantizer() {
    this(Identifiable.randomUID("productQuantizer"));
  }

  public ProductQuantizer(String uid) {
    this.uid = uid; // before the Params: each takes the uid of its parent when created
    this.pq = new PqParams(this);
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

  public ProductQuantizer setM(int v) {
    return (ProductQuantizer) set(m(), v);
  }

  public ProductQuantizer setK(int v) {
    return (ProductQuantizer) set(k(), v);
  }

  public ProductQuantizer setCodebook(String v) {
    return (ProductQuantizer) set(codebook(), v);
  }

  public ProductQuantizer setMaxIter(int v) {
    return (ProductQuantizer) set(maxIter(), v);
  }

  public ProductQuantizer setTol(double v) {
    return (ProductQuantizer) set(tol(), v);
  }

  public ProductQuantizer setSeed(long v) {
    return (ProductQuantizer) set(seed(), v);
  }

  public ProductQuantizer setInitMode(String v) {
    return (ProductQuantizer) set(initMode(), v);
  }

  public ProductQuantizer setMaxPointsPerCentroid(int v) {
    return (ProductQuantizer) set(maxPointsPerCentroid(), v);
  }

  @Override
  public ProductQuantizerModel fit(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    String name = "DataFrame " + uid;
    // The engine reads array<float> or array<double>; an ml Vector becomes array<double>, exactly.
    Column vectors = VectorColumn.kind(dataset.schema(), NAME, "inputCol", getInputCol())
        == VectorColumn.Kind.ML_VECTOR ? org.apache.spark.ml.functions.vector_to_array(col(getInputCol()), "float64")
        : col(getInputCol());
    Dataset<Row> table = dataset.select(col(getIdCol()), vectors.as(getInputCol()));
    QuantizeRequest request = request(name);
    QuantizeResult result = QuantizeJob.train(dataset.sparkSession(), request,
        ParquetTableSource.of(table, name, getIdCol(), getInputCol()), QuantizeListener.NONE);
    ModelData data;
    try {
      data = ModelData.of(result, getM(), getK(), request.algorithm().codebook());
    } finally {
      result.release();
    }
    ProductQuantizerModel model = new ProductQuantizerModel(uid, data);
    return copyValues(model, ParamMap.empty()).setParent(this);
  }

  /** The Params as the CLI's request (every other setting at its CLI default). */
  QuantizeRequest request(String name) {
    return QuantizeRequest.builder().input(name).inputFormat(InputSpec.InputFormat.PARQUET.flagValue())
        .idCol(getIdCol()).vectorCol(getInputCol()).vocab(InputSpec.VOCAB_NONE).output(IN_MEMORY)
        .m(getM()).k(getK()).codebook(getCodebook()).init(getInitMode()).iterations(getMaxIter()).tol(getTol())
        .seed(getSeed()).maxPointsPerCentroid(getMaxPointsPerCentroid()).build();
  }

  /** The quoted column, so a '.' or a backtick in a name is not parsed as syntax. */
  static Column col(String name) {
    return org.apache.spark.sql.functions.col("`" + name.replace("`", "``") + "`");
  }

  /**
   * Checks inputCol (a vector type), idCol (an integer type) and that outputCol (and reconstructedCol) are new;
   * returns the model's output schema.
   */
  @Override
  public StructType transformSchema(StructType schema) {
    VectorColumn.kind(schema, NAME, "inputCol", getInputCol());
    DataType id = VectorColumn.field(schema, NAME, "idCol", getIdCol()).dataType();
    if (!(id.equals(DataTypes.IntegerType) || id.equals(DataTypes.LongType) || id.equals(DataTypes.ShortType)
        || id.equals(DataTypes.ByteType))) {
      throw new IllegalArgumentException(NAME + ": idCol '" + getIdCol() + "' has type " + id.simpleString()
          + "; allowed: int, bigint, smallint or tinyint holding the token ids 0..V-1");
    }
    if (getIdCol().equals(getInputCol())) {
      throw new IllegalArgumentException(NAME + ": idCol and inputCol are both '" + getIdCol() + "'; they must "
          + "name two different columns");
    }
    return ProductQuantizerModel.outputSchema(schema, NAME, getOutputCol(), getReconstructedCol());
  }

  @Override
  public ProductQuantizer copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<ProductQuantizer> read() {
    return new DefaultParamsReader<>();
  }

  public static ProductQuantizer load(String path) {
    return read().load(path);
  }
}
