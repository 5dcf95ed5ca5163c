package dev.asg.common.fidelity;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.asg.common.InvalidInputException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * One ONNX Runtime session of a text encoder, optionally with one initializer replaced in the session
 * ({@code SessionOptions.addInitializer}: the model file is not copied or changed). {@link #embed} returns one
 * vector per text: the mean over the text's tokens of the first [batch, seq, hidden] output (sentence-transformers'
 * mean pooling, as all-MiniLM-L6-v2 is used), or a [batch, hidden] output as it is if the model has no such one.
 */
public final class OnnxEncoder implements AutoCloseable {
  /** Texts per run: enough to keep ORT's matrix kernels busy, few enough that padding to the longest stays small. */
  public static final int BATCH = 32;
  /** The inputs a BERT-style encoder export takes; all are fed from the tokenizer's encoding. */
  private static final Set<String> INPUTS = Set.of("input_ids", "attention_mask", "token_type_ids");

  private final OrtEnvironment env;
  private final OrtSession session;
  private final OnnxTensor override;
  private final String output;
  private final boolean pooled;
  private final int hidden;

  private OnnxEncoder(Path model, OrtEnvironment env, OrtSession session, OnnxTensor override)
      throws OrtException {
    this.env = env;
    this.session = session;
    this.override = override;
    String tokenOut = null;
    String sentenceOut = null;
    int tokenHidden = -1;
    int sentenceHidden = -1;
    for (Map.Entry<String, NodeInfo> e : session.getOutputInfo().entrySet()) {
      if (e.getValue().getInfo() instanceof TensorInfo ti && ti.type == ai.onnxruntime.OnnxJavaType.FLOAT) {
        long[] s = ti.getShape();
        if (s.length == 3 && tokenOut == null) {
          tokenOut = e.getKey();
          tokenHidden = (int) s[2];
        } else if (s.length == 2 && sentenceOut == null) {
          sentenceOut = e.getKey();
          sentenceHidden = (int) s[1];
        }
      }
    }
    this.pooled = tokenOut == null;
    this.output = pooled ? sentenceOut : tokenOut;
    this.hidden = pooled ? sentenceHidden : tokenHidden;
    if (output == null || hidden < 1) {
      throw new InvalidInputException("--model " + model + " has no float output of shape [batch, seq, hidden] or "
          + "[batch, hidden] with a fixed hidden size (outputs: " + session.getOutputInfo().keySet() + "); pass a "
          + "text encoder");
    }
    if (!session.getInputNames().contains("input_ids") || !INPUTS.containsAll(session.getInputNames())) {
      throw new InvalidInputException("--model " + model + " takes inputs " + session.getInputNames() + "; "
          + "supported: input_ids with optional attention_mask and token_type_ids (a BERT-style text encoder)");
    }
  }


  /**
   * @param replacement null to run the model as it is, else rows x dim floats (row-major) that replace
   *     initializer {@code tensor} for this session only
   */
  public static OnnxEncoder open(Path model, String tensor, float[] replacement, int rows, int dim)
      throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
    OnnxTensor over = null;
    if (replacement != null) {
      if ((long) rows * dim != replacement.length) {
        throw new IllegalArgumentException("replacement has " + replacement.length + " floats, not " + rows + " x "
            + dim);
      }
      // A direct buffer: ORT reads the table in place instead of copying it, and it must outlive the session.
      FloatBuffer buf = ByteBuffer.allocateDirect(replacement.length * Float.BYTES).order(ByteOrder.nativeOrder())
          .asFloatBuffer();
      buf.put(replacement).flip();
      over = OnnxTensor.createTensor(env, buf, new long[] {rows, dim});
      opts.addInitializer(tensor, over);
    }
    OrtSession session;
    try {
      session = env.createSession(model.toString(), opts);
    } catch (OrtException e) {
      if (over != null) {
        over.close();
      }
      String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
      throw new InvalidInputException("--model " + model + " cannot be loaded by ONNX Runtime (" + why + "); pass "
          + "the complete .onnx text encoder the artifact was quantized from", e);
    }
    try {
      return new OnnxEncoder(model, env, session, over);
    } catch (OrtException | RuntimeException e) {
      session.close();
      if (over != null) {
        over.close();
      }
      throw e;
    }
  }

  /** The model output pooled into sentence vectors: "name (mean over tokens)" or "name". */
  public String outputDescription() {
    return pooled ? output : output + " (mean over each text's tokens)";
  }

  public int hidden() {
    return hidden;
  }

  /** One {@link #hidden()}-float vector per text, row-major; texts run in batches of similar length. */
  public float[] embed(TokenizedTexts texts) throws OrtException {
    int n = texts.size();
    float[] out = new float[n * hidden];
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    // Similar lengths together: a batch is padded to its longest text.
    Arrays.sort(order, Comparator.comparingInt(i -> texts.ids()[i].length));
    boolean wantsTypes = session.getInputNames().contains("token_type_ids");
    for (int b = 0; b < n; b += BATCH) {
      int nb = Math.min(BATCH, n - b);
      int len = 0;
      for (int j = 0; j < nb; j++) {
        len = Math.max(len, texts.ids()[order[b + j]].length);
      }
      long[][] ids = new long[nb][len];
      long[][] mask = new long[nb][len];
      long[][] types = new long[nb][len];
      for (int j = 0; j < nb; j++) {
        int t = order[b + j];
        long[] tid = texts.ids()[t];
        System.arraycopy(tid, 0, ids[j], 0, tid.length);
        System.arraycopy(texts.typeIds()[t], 0, types[j], 0, tid.length);
        Arrays.fill(mask[j], 0, tid.length, 1L);
      }
      Map<String, OnnxTensor> in = new HashMap<>();
      try {
        in.put("input_ids", OnnxTensor.createTensor(env, ids));
        if (session.getInputNames().contains("attention_mask")) {
          in.put("attention_mask", OnnxTensor.createTensor(env, mask));
        }
        if (wantsTypes) {
          in.put("token_type_ids", OnnxTensor.createTensor(env, types));
        }
        try (OrtSession.Result r = session.run(in, Set.of(output))) {
          Object v = r.get(0).getValue();
          for (int j = 0; j < nb; j++) {
            int t = order[b + j];
            if (pooled) {
              System.arraycopy(((float[][]) v)[j], 0, out, t * hidden, hidden);
            } else {
              meanPool(((float[][][]) v)[j], texts.ids()[t].length, out, t * hidden);
            }
          }
        }
      } finally {
        for (OnnxTensor x : in.values()) {
          x.close();
        }
      }
    }
    return out;
  }

  /** Mean of the first {@code len} token vectors (the rest are padding), summed in double. */
  private void meanPool(float[][] tokens, int len, float[] out, int off) {
    for (int d = 0; d < hidden; d++) {
      double s = 0;
      for (int p = 0; p < len; p++) {
        s += tokens[p][d];
      }
      out[off + d] = (float) (s / len);
    }
  }

  @Override
  public void close() throws OrtException {
    session.close();
    if (override != null) {
      override.close();
    }
  }
}
