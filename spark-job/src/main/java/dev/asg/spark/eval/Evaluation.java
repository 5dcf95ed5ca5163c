package dev.asg.spark.eval;

import dev.asg.common.artifact.Compression;
import dev.asg.common.eval.ClusterSizes;
import dev.asg.common.eval.TopNeighbours;
import dev.asg.common.fidelity.ModelFidelity;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The outcome of {@code asg evaluate}, with its two renderings: the manifest's "evaluation" object (snake_case
 * keys, as the rest of manifest.json) and report.md.
 */
public final class Evaluation {
  public int rows;
  public int dim;
  public int m;
  public int k;
  public boolean shared;
  /** sum ||x - x_hat||^2 / sum ||x||^2 over all tokens, and per segment. */
  public double relativeMse;
  public double[] relativeMsePerSegment;
  public double meanCosine;
  /** Nearest-rank 5th percentile of the per-token cosine(x, x_hat). */
  public double p5Cosine;
  public double minCosine;
  /** Mean overlap of the top-k cosine neighbours (self excluded) in the original and reconstructed tables / k. */
  public double recall;
  public int recallAt;
  /** The k actually used: min(recallAt, V - 1). */
  public int recallK;
  public int queries;
  public long seed;
  public ClusterSizes[] clusterSizes;
  /** Recomputed from the shape and params (paper Appendices B and C). */
  public Compression compression;
  /** As the manifest had it, or null. */
  public Compression manifestCompression;
  public double qualitySeconds;
  public double knnSeconds;
  public double totalSeconds;
  /** Model-output fidelity (asg evaluate --model), or null when not asked for. */
  public ModelFidelity modelOutput;
  /** Token ids of the kNN queries, ascending; query j of the neighbour lists is token queryIds[j]. */
  public transient int[] queryIds;
  /** Neighbour lists (not written to the manifest; for tests and notebooks). */
  public transient TopNeighbours knnOriginal;
  public transient TopNeighbours knnReconstructed;

  /** Whether the manifest's compression block agrees with the recomputed one. */
  public boolean compressionMatchesManifest() {
    Compression a = compression;
    Compression b = manifestCompression;
    return b != null && a.embeddingParamsBefore == b.embeddingParamsBefore
        && a.embeddingParamsAfter == b.embeddingParamsAfter && a.mappingBytes == b.mappingBytes
        && a.mappingIdBytes == b.mappingIdBytes && Math.abs(a.ratio - b.ratio) <= 1e-12 * Math.abs(a.ratio);
  }

  public double maxImbalance() {
    double mx = 0;
    for (ClusterSizes c : clusterSizes) {
      mx = Math.max(mx, c.imbalance());
    }
    return mx;
  }

  public double meanImbalance() {
    double s = 0;
    for (ClusterSizes c : clusterSizes) {
      s += c.imbalance();
    }
    return s / clusterSizes.length;
  }

  public long emptyConcepts() {
    long e = 0;
    for (ClusterSizes c : clusterSizes) {
      e += c.empty();
    }
    return e;
  }

  /** manifest.json's "evaluation". */
  public Map<String, Object> toMap() {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("relative_mse", relativeMse);
    e.put("relative_mse_per_segment", relativeMsePerSegment);
    e.put("mean_cosine", meanCosine);
    e.put("p5_cosine", p5Cosine);
    e.put("min_cosine", minCosine);
    Map<String, Object> knn = new LinkedHashMap<>();
    knn.put("recall_at", recallAt);
    knn.put("k_used", recallK);
    knn.put("recall", Double.isNaN(recall) ? null : recall);
    knn.put("queries", queries);
    knn.put("seed", seed);
    knn.put("similarity", "cosine");
    knn.put("searched", "all " + rows + " tokens, the query itself excluded");
    e.put("knn", knn);
    List<Map<String, Object>> sizes = new ArrayList<>();
    for (int c = 0; c < clusterSizes.length; c++) {
      ClusterSizes s = clusterSizes[c];
      Map<String, Object> one = new LinkedHashMap<>();
      one.put("codebook", c);
      one.put("min", s.min());
      one.put("median", s.median());
      one.put("max", s.max());
      one.put("empty", s.empty());
      one.put("imbalance_factor", s.imbalance());
      sizes.add(one);
    }
    Map<String, Object> cs = new LinkedHashMap<>();
    cs.put("mean_imbalance_factor", meanImbalance());
    cs.put("max_imbalance_factor", maxImbalance());
    cs.put("empty_concepts", emptyConcepts());
    cs.put("per_codebook", sizes);
    e.put("cluster_sizes", cs);
    Map<String, Object> comp = new LinkedHashMap<>();
    comp.put("embedding_params_before", compression.embeddingParamsBefore);
    comp.put("embedding_params_after", compression.embeddingParamsAfter);
    comp.put("param_ratio", compression.ratio);
    comp.put("mapping_id_bytes", compression.mappingIdBytes);
    comp.put("mapping_bytes", compression.mappingBytes);
    comp.put("matches_manifest", compressionMatchesManifest());
    e.put("compression", comp);
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("quality", qualitySeconds);
    t.put("knn", knnSeconds);
    t.put("total", totalSeconds);
    e.put("timings_s", t);
    if (modelOutput != null) {
      e.put("model_output", modelOutput.toMap());
    }
    return e;
  }

  /** The few numbers a pipeline log needs. */
  public String summary() {
    return String.format(Locale.ROOT, "relative MSE %.6f, mean cosine %.6f, p5 cosine %.6f, recall@%d %.4f "
        + "(%d queries), %.1f s", relativeMse, meanCosine, p5Cosine, recallAt, recall, queries, totalSeconds);
  }

  /** report.md: the same numbers for people. */
  public String markdown(String artifacts, String input) {
    StringBuilder b = new StringBuilder();
    b.append("# ASG evaluation\n\n");
    b.append("Artifact `").append(artifacts).append("` against `").append(input).append("` (")
        .append(rows).append(" x ").append(dim).append(", m = ").append(m).append(", k = ").append(k).append(", ")
        .append(shared ? "shared" : "separate").append(" codebooks).\n\n");
    b.append("| metric | value |\n|---|---|\n");
    row(b, "relative MSE (sum ‖x − x̂‖² / sum ‖x‖²)", fmt(relativeMse));
    row(b, "mean cosine(x, x̂)", fmt(meanCosine));
    row(b, "p5 cosine (nearest-rank 5th percentile)", fmt(p5Cosine));
    row(b, "min cosine", fmt(minCosine));
    row(b, "kNN recall@" + recallAt + " (" + queries + " queries, seed " + seed + ", cosine, all tokens)",
        fmt(recall));
    row(b, "mean / max imbalance factor", fmt(meanImbalance()) + " / " + fmt(maxImbalance()));
    row(b, "empty concepts", Long.toString(emptyConcepts()));
    row(b, "parameter ratio k/V (" + compression.embeddingParamsAfter + " / " + compression.embeddingParamsBefore
        + ")", fmt(compression.ratio));
    row(b, "mapping storage", compression.mappingBytes + " bytes (" + compression.mappingIdBytes
        + " byte(s) per ConceptID)" + (compressionMatchesManifest() ? ", matches manifest" : ", DIFFERS from manifest"));
    row(b, "wall time", String.format(Locale.ROOT, "%.1f s (quality %.1f s, kNN %.1f s)", totalSeconds,
        qualitySeconds, knnSeconds));
    b.append("\n## Relative MSE per segment\n\n| segment | relative MSE |\n|---|---|\n");
    for (int i = 0; i < relativeMsePerSegment.length; i++) {
      row(b, Integer.toString(i), fmt(relativeMsePerSegment[i]));
    }
    b.append("\n## Cluster sizes per codebook\n\n")
        .append("Imbalance factor = k · Σ n_j² / (Σ n_j)², as faiss's `imbalance_factor` (1 = even).\n\n")
        .append("| codebook | min | median | max | empty | imbalance factor |\n|---|---|---|---|---|---|\n");
    for (int c = 0; c < clusterSizes.length; c++) {
      ClusterSizes s = clusterSizes[c];
      b.append("| ").append(c).append(" | ").append(s.min()).append(" | ").append(s.median()).append(" | ")
          .append(s.max()).append(" | ").append(s.empty()).append(" | ").append(fmt(s.imbalance())).append(" |\n");
    }
    if (modelOutput != null) {
      b.append(modelOutput.markdown());
    }
    return b.toString();
  }

  private static void row(StringBuilder b, String name, String value) {
    b.append("| ").append(name).append(" | ").append(value).append(" |\n");
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.6g", v);
  }
}
