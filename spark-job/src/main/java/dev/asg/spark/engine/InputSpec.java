package dev.asg.spark.engine;

import dev.asg.common.FlagChecks;
import java.io.Serializable;

/**
 * What a quantize run reads, validated. Keys are the flags without dashes, as in conf/asg-defaults.properties
 * (defaults and their reasons) and manifest.params.
 *
 * @param uri the model file or Parquet table, any Hadoop URI
 * @param format how to read it; AUTO detects by extension, then by magic bytes
 * @param tensor the tensor to quantize, or null for the one embedding-named 2-D tensor
 * @param outputTensor a decoder's untied output projection (e.g. mT5's lm_head.weight) to quantize as a second,
 *     independent structure (paper section 2.4), or null: most models tie it to the input embedding
 * @param idCol Parquet input: the token id column (ids exactly 0..V-1)
 * @param vectorCol Parquet input: the array&lt;float&gt; or array&lt;double&gt; column
 * @param vocab "auto" (a tokenizer next to the model, so mapping/ is readable), "none", or a vocabulary file
 */
public record InputSpec(String uri, InputFormat format, String tensor, String outputTensor, String idCol,
    String vectorCol, String vocab) implements Serializable {
  public static final String INPUT = "input";
  public static final String INPUT_FORMAT = "input-format";
  public static final String TENSOR = "tensor";
  public static final String OUTPUT_TENSOR = "output-tensor";
  public static final String ID_COL = "id-col";
  public static final String VECTOR_COL = "vector-col";
  public static final String VOCAB = "vocab";
  public static final String VOCAB_AUTO = "auto";
  public static final String VOCAB_NONE = "none";

  /** Defaults as in conf/asg-defaults.properties (reasons there; AsgDefaultsTest keeps the two equal). */
  public static final InputFormat INPUT_FORMAT_DEFAULT = InputFormat.AUTO;
  public static final String ID_COL_DEFAULT = "token_id";
  public static final String VECTOR_COL_DEFAULT = "embedding";
  public static final String VOCAB_DEFAULT = VOCAB_AUTO;

  /** {@code --input-format}. */
  public enum InputFormat implements FlagChecks.Choice {
    AUTO, SAFETENSORS, ONNX, NPY, PARQUET;

    /** Parses {@code --input-format}'s value; a bad one fails naming the flag and the allowed values. */
    public static InputFormat parse(String v) {
      return FlagChecks.parse(InputFormat.class, INPUT_FORMAT, v);
    }
  }

  public InputSpec {
    FlagChecks.require(uri != null && !uri.isBlank(), "--" + INPUT + " is required: the model file or URI to read");
    FlagChecks.require(format != null, "--" + INPUT_FORMAT + " is required: auto, safetensors, onnx, npy, parquet");
    FlagChecks.require(idCol != null && !idCol.isBlank(), "--" + ID_COL
        + " must name the id column of the Parquet table");
    FlagChecks.require(vectorCol != null && !vectorCol.isBlank(), "--" + VECTOR_COL
        + " must name the vector column of the Parquet table");
    FlagChecks.require(!idCol.equals(vectorCol), "--" + ID_COL + " and --" + VECTOR_COL + " are both '" + idCol
        + "'; they must name two different columns");
    FlagChecks.require(vocab != null && !vocab.isBlank(), "--" + VOCAB + " must be auto, none or a vocabulary file");
    if (outputTensor != null) {
      FlagChecks.require(!outputTensor.isBlank(), "--" + OUTPUT_TENSOR
          + " must name a 2-D tensor, e.g. lm_head.weight");
      FlagChecks.require(format != InputFormat.PARQUET && format != InputFormat.NPY, "--" + OUTPUT_TENSOR
          + " needs a model file with named tensors (safetensors or onnx), not --" + INPUT_FORMAT + " "
          + format.flagValue());
    }
  }

  /** The same input with {@code tensor} replaced (a decoder run's output section). */
  public InputSpec withTensor(String t) {
    return new InputSpec(uri, format, t, outputTensor, idCol, vectorCol, vocab);
  }
}
