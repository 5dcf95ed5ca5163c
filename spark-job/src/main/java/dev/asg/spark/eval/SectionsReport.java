package dev.asg.spark.eval;

import dev.asg.common.fidelity.OutputAgreement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The decoder layout's top-level report.md and manifest "evaluation": every section's headline numbers side by
 * side (one column per section); each section's own report.md has the details.
 */
public final class SectionsReport {
  private SectionsReport() {}

  public static Map<String, Object> toMap(Map<String, Evaluation> evs) {
    Map<String, Object> out = new LinkedHashMap<>();
    evs.forEach((name, ev) -> out.put(name, ev.toMap()));
    return Map.of("sections", out);
  }

  public static String markdown(String top, Map<String, Evaluation> evs, Map<String, String> tensors) {
    List<String> names = new ArrayList<>(evs.keySet());
    StringBuilder b = new StringBuilder("# ASG evaluation (decoder layout)\n\n");
    b.append("Artifact `").append(top).append("`: one column per section, each against its own source tensor; ")
        .append("details in each section's report.md.\n\n| metric |");
    for (String n : names) {
      b.append(' ').append(n).append(" (`").append(tensors.get(n)).append("`) |");
    }
    b.append("\n|---|");
    names.forEach(n -> b.append("---|"));
    b.append('\n');
    row(b, "shape, m, k", evs, e -> e.rows + " x " + e.dim + ", " + e.m + ", " + e.k
        + (e.shared ? " shared" : " separate"));
    row(b, "relative MSE", evs, e -> fmt(e.relativeMse));
    row(b, "mean cosine(x, x̂)", evs, e -> fmt(e.meanCosine));
    row(b, "p5 cosine", evs, e -> fmt(e.p5Cosine));
    row(b, "kNN recall@" + Evaluator.RECALL_AT, evs, e -> fmt(e.recall) + " (" + e.queries + " queries)");
    row(b, "parameter ratio", evs, e -> fmt(e.compression.ratio));
    row(b, "mean / max imbalance factor", evs, e -> fmt(e.meanImbalance()) + " / " + fmt(e.maxImbalance()));
    if (evs.values().stream().anyMatch(e -> e.modelOutput != null)) {
      row(b, "model output: mean cosine (initializer replaced)", evs,
          e -> e.modelOutput == null ? "n/a" : fmt(e.modelOutput.agreement().meanCosine()));
      row(b, "model output: p5 cosine", evs,
          e -> e.modelOutput == null ? "n/a" : fmt(e.modelOutput.agreement().p5Cosine()));
      row(b, "model output: retrieval recall@" + OutputAgreement.RECALL_AT, evs,
          e -> e.modelOutput == null ? "n/a" : fmt(e.modelOutput.agreement().recall()));
    }
    return b.toString();
  }

  private static void row(StringBuilder b, String metric, Map<String, Evaluation> evs,
      Function<Evaluation, String> value) {
    b.append("| ").append(metric).append(" |");
    for (Evaluation e : evs.values()) {
      b.append(' ').append(value.apply(e)).append(" |");
    }
    b.append('\n');
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.6g", v);
  }
}
