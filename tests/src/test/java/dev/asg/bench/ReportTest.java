package dev.asg.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The report's targets table: each target checked against the right row of the same run. */
class ReportTest {
  private static final Workload MBERT = new Workload("mbert-shaped", Path.of("t.safetensors"), Tables.TENSOR, 119547,
      768, 48, 512, "separate", 25, 2, 25, "synthetic");
  private static final String OMP1 = "faiss 1.7.3 (OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=2)";
  private static final String DEFAULT = "faiss 1.7.3 (default threading)";

  private static Report report(double peak) {
    Report r = new Report("test", false, null);
    r.peak(peak, 8, 2);
    r.workload(MBERT);
    return r;
  }

  private static Measurement ours(double wall, double mse) {
    return new Measurement(MBERT.name(), "asg (Spark job, bin/asg)", wall, wall / 30, 80, mse, 25, 1, 1, "");
  }

  private static String targetRow(String markdown, String prefix) {
    for (String line : markdown.split("\n")) {
      if (line.startsWith("| " + prefix)) {
        return line;
      }
    }
    throw new AssertionError("no target row starting with '" + prefix + "' in:\n" + markdown);
  }

  @Test
  void markdown_fasterFaissRanFewerIterations_qualityComparedWithFullIterationRun() {
    Report r = report(160);
    r.add(ours(40, 0.0900));
    // All 25 iterations, slower: a lower MSE than ours by more than 0.5%, so the quality target is missed.
    r.add(new Measurement(MBERT.name(), OMP1, 750, 28.5, 3.3, 0.0850, 25, 1, 1, ""));
    // 2 iterations, wall extrapolated and lower: its MSE (after 2 iterations) must not be the yardstick.
    r.add(new Measurement(MBERT.name(), DEFAULT, 710, 27.2, 3.4, 0.0950, 2, 1, 1, "ONLY 2 of 25"));

    String md = r.markdown();

    String quality = targetRow(md, "relative MSE");
    assertTrue(quality.contains("both after 25 iterations"), quality);
    assertTrue(quality.contains(OMP1 + " 0.08500"), quality);
    assertTrue(quality.endsWith("| **NOT met** |"), quality);
    String speed = targetRow(md, "mBERT-shaped end to end");
    assertTrue(speed.contains(DEFAULT + " 710.0 s wall"), speed);
    assertTrue(speed.endsWith("| met |"), speed);
  }

  @Test
  void markdown_noFaissRunOfEqualIterations_qualityRowSaysNotMeasured() {
    Report r = report(160);
    r.add(ours(40, 0.0900));
    r.add(new Measurement(MBERT.name(), DEFAULT, 710, 27.2, 3.4, 0.0950, 2, 1, 1, "ONLY 2 of 25"));

    String md = r.markdown();

    String quality = targetRow(md, "relative MSE");
    assertTrue(quality.contains("no faiss run of 25 iterations"), quality);
    assertTrue(quality.endsWith("| **NOT measured** |"), quality);
    assertTrue(md.contains("| mBERT-shaped end to end"), md);
  }

  @Test
  void markdown_mllibTargetMissedAboveThePeak_saysWhatFiftyTimesWouldTake() {
    Report r = report(80);
    r.add(ours(40, 0.09));
    r.add(new Measurement(MBERT.name(), "spark-ml KMeans per segment", 1250, 50, 0.8, 0.1, 25, 1, 1,
        "2 of 48 codebooks trained; time extrapolated"));

    String row = targetRow(r.markdown(), "≥ 50x faster than baseline-mllib");

    // 50x: 25 iterations of 2 * 119547 * 768 * 512 flops (94.0 GFLOP) inside 1250 s / 50 = 25 s: 94 GFLOP/s.
    assertTrue(row.contains("31x"), row);
    assertTrue(row.contains("50x leaves 25 s for 25 iterations of 94 GFLOP: at least 94 GFLOP/s, above the 80 "
        + "GFLOP/s FMA peak"), row);
    assertTrue(row.endsWith("| **NOT met** |"), row);
  }

  @Test
  void markdown_mllibTargetMet_noBound() {
    Report r = report(80);
    r.add(ours(20, 0.09));
    r.add(new Measurement(MBERT.name(), "spark-ml KMeans per segment", 1240, 50, 0.8, 0.1, 25, 1, 1, "full"));

    String row = targetRow(r.markdown(), "≥ 50x faster than baseline-mllib");

    assertTrue(row.contains("62x"), row);
    assertFalse(row.contains("50x leaves"), row);
    assertTrue(row.endsWith("| met |"), row);
  }
}
