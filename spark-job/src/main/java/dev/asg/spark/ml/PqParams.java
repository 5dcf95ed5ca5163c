package dev.asg.spark.ml;

import dev.asg.common.kmeans.KMeansParams;
import dev.asg.spark.cli.AsgDefaults;
import dev.asg.spark.engine.InputSpec;
import java.io.Serializable;
import java.util.List;
import java.util.Properties;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamPair;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.Identifiable;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The Params of {@link ProductQuantizer} and {@link ProductQuantizerModel}, created once per stage with that stage
 * as parent (so its uid must be set first). Declared in Java: Spark's shared-param traits hold Scala vals that Java
 * cannot mix in. Defaults come from conf/asg-defaults.properties through {@link AsgDefaults}, as the CLI's do, so
 * the two cannot drift.
 */
public final class PqParams implements Serializable {
  private static final long serialVersionUID = 1L;
  /** Spark ML's usual output column name style; the CLI has no such column. */
  static final String OUTPUT_COL_DEFAULT = "concept_ids";
  static final String SEPARATE = "separate";
  static final String SHARED = "shared";

  final Param<String> inputCol;
  final Param<String> idCol;
  final Param<String> outputCol;
  final Param<String> reconstructedCol;
  final IntParam m;
  final IntParam k;
  final Param<String> codebook;
  final IntParam maxIter;
  final DoubleParam tol;
  final LongParam seed;
  final Param<String> initMode;
  final IntParam maxPointsPerCentroid;

  PqParams(Identifiable owner) {
    inputCol = new Param<>(owner, "inputCol", "the vectors: array<float>, array<double> or an ml Vector");
    idCol = new Param<>(owner, "idCol", "fit: the token id column, ids exactly 0..V-1 (row t of the table is "
        + "token t); transform: named in errors about a row, when the DataFrame has it");
    outputCol = new Param<>(owner, "outputCol", "the m ConceptIDs of each row, array<int> (rows of the codebook)");
    reconstructedCol = new Param<>(owner, "reconstructedCol", "if set, transform also adds each row's "
        + "reconstruction (its m concept vectors concatenated), array<float>");
    m = new IntParam(owner, "m", "segments per row; must divide the vector length D",
        ParamValidators.gtEq(1));
    k = new IntParam(owner, "k", "centroids per codebook", ParamValidators.inRange(2, KMeansParams.MAX_K));
    codebook = new Param<>(owner, "codebook", "separate (one codebook per segment, the paper's) or shared",
        ParamValidators.inArray(new String[] {SEPARATE, SHARED}));
    maxIter = new IntParam(owner, "maxIter", "Lloyd iterations at most",
        ParamValidators.inRange(1, KMeansParams.MAX_ITERATIONS));
    tol = new DoubleParam(owner, "tol", "stop once the objective moves less than this fraction; 0 runs every "
        + "iteration", ParamValidators.inRange(0, 1, true, false));
    seed = new LongParam(owner, "seed", "seed of the samples, the initial centroids and empty-cluster splits");
    initMode = new Param<>(owner, "initMode", "kmeans++ or random",
        ParamValidators.inArray(new String[] {KMeansParams.Init.KMEANS_PLUS_PLUS.flagValue(),
            KMeansParams.Init.RANDOM.flagValue()}));
    maxPointsPerCentroid = new IntParam(owner, "maxPointsPerCentroid", "train on a deterministic hash sample "
        + "above k times this many points per codebook", ParamValidators.gtEq(1));
  }

  /** Every default, read from the same file as the CLI's flags (reasons there). reconstructedCol has none. */
  scala.collection.immutable.Seq<ParamPair<?>> defaults() {
    Properties d = AsgDefaults.load().properties();
    return CollectionConverters.asScala(List.<ParamPair<?>>of(
        inputCol.w(value(d, InputSpec.VECTOR_COL)),
        idCol.w(value(d, InputSpec.ID_COL)),
        outputCol.w(OUTPUT_COL_DEFAULT),
        m.w(Integer.parseInt(value(d, KMeansParams.M))),
        k.w(Integer.parseInt(value(d, KMeansParams.K))),
        codebook.w(value(d, KMeansParams.CODEBOOK)),
        maxIter.w(Integer.parseInt(value(d, KMeansParams.ITERATIONS))),
        tol.w(Double.parseDouble(value(d, KMeansParams.TOL))),
        seed.w(Long.parseLong(value(d, KMeansParams.SEED))),
        initMode.w(value(d, KMeansParams.INIT)),
        maxPointsPerCentroid.w(Integer.parseInt(value(d, KMeansParams.MAX_POINTS_PER_CENTROID))))).toList();
  }

  private static String value(Properties d, String key) {
    String v = d.getProperty(key);
    if (v == null) {
      throw new IllegalStateException("asg-defaults.properties has no '" + key + "'; the jar is incomplete");
    }
    return v.trim();
  }
}
