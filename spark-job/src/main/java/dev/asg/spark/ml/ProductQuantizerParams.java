package dev.asg.spark.ml;

import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * One public method per Param, shared by the estimator and its model: Spark finds Params by reflection over public
 * no-argument methods returning a Param (default methods included), and without one a Param can neither be set by
 * name nor saved. The column setters both stages have are here too, returning the stage's own type {@code S}.
 */
@SuppressWarnings("unchecked")
public interface ProductQuantizerParams<S extends ProductQuantizerParams<S>> extends Params {
  /** The stage's Param objects (parent = the stage). */
  PqParams pq();

  default Param<String> inputCol() {
    return pq().inputCol;
  }

  default Param<String> idCol() {
    return pq().idCol;
  }

  default Param<String> outputCol() {
    return pq().outputCol;
  }

  default Param<String> reconstructedCol() {
    return pq().reconstructedCol;
  }

  default IntParam m() {
    return pq().m;
  }

  default IntParam k() {
    return pq().k;
  }

  default Param<String> codebook() {
    return pq().codebook;
  }

  default IntParam maxIter() {
    return pq().maxIter;
  }

  default DoubleParam tol() {
    return pq().tol;
  }

  default LongParam seed() {
    return pq().seed;
  }

  default Param<String> initMode() {
    return pq().initMode;
  }

  default IntParam maxPointsPerCentroid() {
    return pq().maxPointsPerCentroid;
  }

  default S setInputCol(String v) {
    return (S) set(inputCol(), v);
  }

  default S setIdCol(String v) {
    return (S) set(idCol(), v);
  }

  default S setOutputCol(String v) {
    return (S) set(outputCol(), v);
  }

  default S setReconstructedCol(String v) {
    return (S) set(reconstructedCol(), v);
  }

  default String getInputCol() {
    return getOrDefault(inputCol());
  }

  default String getIdCol() {
    return getOrDefault(idCol());
  }

  default String getOutputCol() {
    return getOrDefault(outputCol());
  }

  /** The reconstruction column, or null when transform adds none. */
  default String getReconstructedCol() {
    return isDefined(reconstructedCol()) ? getOrDefault(reconstructedCol()) : null;
  }

  default int getM() {
    return (Integer) getOrDefault(m());
  }

  default int getK() {
    return (Integer) getOrDefault(k());
  }

  default String getCodebook() {
    return getOrDefault(codebook());
  }

  default int getMaxIter() {
    return (Integer) getOrDefault(maxIter());
  }

  default double getTol() {
    return (Double) getOrDefault(tol());
  }

  default long getSeed() {
    return (Long) getOrDefault(seed());
  }

  default String getInitMode() {
    return getOrDefault(initMode());
  }

  default int getMaxPointsPerCentroid() {
    return (Integer) getOrDefault(maxPointsPerCentroid());
  }
}
