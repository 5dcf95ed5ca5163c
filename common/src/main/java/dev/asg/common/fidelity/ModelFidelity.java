package dev.asg.common.fidelity;

import ai.onnxruntime.OrtException;
import dev.asg.common.InvalidInputException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Model-output fidelity of an artifact: the model runs twice on the same tokenized texts, once as it is and once
 * with its embedding initializer replaced by the artifact's reconstruction, and the two sets of sentence vectors
 * are compared ({@link OutputAgreement}). This measures what the receiving team sees, where relative MSE and the
 * table's kNN recall only describe the table.
 *
 * @param params what was run: model, tokenizer, replaced initializer, texts
 * @param agreement how close the two models' sentence vectors are
 * @param output which model output the sentence vectors come from, in words
 * @param tokens tokens over all texts
 * @param tokenizeSeconds wall time of tokenizing the texts
 * @param originalSeconds wall time of the original model's run
 * @param asgSeconds wall time of the run with the reconstruction
 */
public record ModelFidelity(FidelityParams params, OutputAgreement agreement, String output, long tokens,
    double tokenizeSeconds, double originalSeconds, double asgSeconds) {
  /**
   * @param reconstruction rows x dim floats, row-major: the artifact's reconstructed table
   */
  public static ModelFidelity run(FidelityParams p, float[] reconstruction) throws OrtException {
    long t0 = System.nanoTime();
    TokenizedTexts texts;
    try (TextTokenizer tok = TextTokenizer.open(p.tokenizer())) {
      texts = tok.encode(p.texts());
    }
    if (texts.maxId() >= p.rows()) {
      throw new InvalidInputException("--tokenizer " + p.tokenizer() + " produced token id " + texts.maxId()
          + " but '" + p.tensor() + "' has only " + p.rows() + " rows; pass the tokenizer.json of the model in "
          + "--model");
    }
    long t1 = System.nanoTime();
    float[] original;
    String output;
    int hidden;
    try (OnnxEncoder enc = OnnxEncoder.open(p.model(), p.tensor(), null, p.rows(), p.dim())) {
      original = enc.embed(texts);
      output = enc.outputDescription();
      hidden = enc.hidden();
    }
    long t2 = System.nanoTime();
    float[] asg;
    try (OnnxEncoder enc = OnnxEncoder.open(p.model(), p.tensor(), reconstruction, p.rows(), p.dim())) {
      asg = enc.embed(texts);
    }
    long t3 = System.nanoTime();
    OutputAgreement a = OutputAgreement.of(original, asg, texts.size(), hidden);
    return new ModelFidelity(p, a, output, texts.tokens(), (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9);
  }

  /** manifest.json's evaluation.model_output. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", params.model().toString());
    m.put("tokenizer", params.tokenizer().toString());
    m.put("replaced_initializer", params.tensor());
    m.put("output", output);
    m.put("texts_file", String.valueOf(params.textsFile()));
    m.put("texts", agreement.texts());
    m.put("tokens", tokens);
    m.put("mean_cosine", agreement.meanCosine());
    m.put("p5_cosine", agreement.p5Cosine());
    m.put("min_cosine", agreement.minCosine());
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("recall_at", agreement.recallAt());
    r.put("recall", Double.isNaN(agreement.recall()) ? null : agreement.recall());
    r.put("searched", "all " + agreement.texts() + " texts, the query itself excluded; cosine");
    m.put("retrieval_agreement", r);
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("tokenize", tokenizeSeconds);
    t.put("original_model", originalSeconds);
    t.put("asg_model", asgSeconds);
    m.put("timings_s", t);
    return m;
  }

  /** One line for the console and pipeline logs. */
  public String summary() {
    return String.format(Locale.ROOT, "model output on %d texts: mean cosine %.4f, p5 cosine %.4f, retrieval "
        + "recall@%d %.4f (%.1f s)", agreement.texts(), agreement.meanCosine(), agreement.p5Cosine(),
        agreement.recallAt(), agreement.recall(), tokenizeSeconds + originalSeconds + asgSeconds);
  }

  /** report.md's section. */
  public String markdown() {
    StringBuilder b = new StringBuilder("\n## Model-output fidelity\n\n");
    b.append("`").append(params.model()).append("` run twice with ONNX Runtime on the same ")
        .append(agreement.texts()).append(" texts of `").append(params.textsFile()).append("` (").append(tokens).append(" tokens, tokenized with `")
        .append(params.tokenizer()).append("`): as it is, and with initializer `").append(params.tensor())
        .append("` replaced by the artifact's reconstruction. Sentence vectors: ").append(output).append(".\n\n");
    b.append("| metric | value |\n|---|---|\n");
    b.append(String.format(Locale.ROOT, "| mean cosine(original, ASG) | %.6g |%n", agreement.meanCosine()));
    b.append(String.format(Locale.ROOT, "| p5 cosine (nearest-rank 5th percentile) | %.6g |%n",
        agreement.p5Cosine()));
    b.append(String.format(Locale.ROOT, "| min cosine | %.6g |%n", agreement.minCosine()));
    b.append(String.format(Locale.ROOT, "| retrieval agreement: recall@%d of the ASG model's neighbours among the "
        + "original's (every text a query, all texts searched) | %.6g |%n", agreement.recallAt(),
        agreement.recall()));
    b.append(String.format(Locale.ROOT, "| wall time | %.1f s (tokenize %.1f s, original %.1f s, ASG %.1f s) |%n",
        tokenizeSeconds + originalSeconds + asgSeconds, tokenizeSeconds, originalSeconds, asgSeconds));
    return b.toString();
  }
}
