package dev.asg.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 13's targets: judged only at the default sizing, quality against the recorded pre-issue-13 number. */
class Issue13ReportTest {
  private static final Workload MBERT = new Workload("mbert-shaped", Path.of("t.safetensors"), Tables.TENSOR, 119547,
      768, 48, 512, "separate", 25, 0, 0, "synthetic");
  private static final String SAME_TABLE = Issue13Report.MSE_BEFORE.sourceSha256();

  /** A defaults run: {@code wall} s, seeding {@code init} s, each iteration 1 s. */
  private static JobRun run(Workload w, int iterations, double wall, double init, double mse, String sha) {
    return new JobRun("defaults, pruning exact", w, wall, 300_000, 1, Map.of("init", init, "write", 1.0),
        iterations, mse, "vector-256", Collections.nCopies(iterations, 1.0), List.of(0.0, 0.99), null, null, "x",
        sha);
  }

  private static String rowOf(String md, String prefix) {
    return md.lines().filter(l -> l.startsWith("| " + prefix)).findFirst()
        .orElseThrow(() -> new AssertionError("no row '" + prefix + "' in:\n" + md));
  }

  private static String targets(Issue13Report r, String sizing) {
    StringBuilder sb = new StringBuilder();
    r.targets(sb, null, sizing);
    return sb.toString();
  }

  @Test
  void targets_nonDefaultIterations_bannerAndNothingJudged() {
    Issue13Report r = new Issue13Report();
    // 5 iterations in 12 s would "meet" the 20 s target: it must not be judged.
    r.defaults(run(MBERT, 5, 12, 0.1, 0.0038, SAME_TABLE));

    String md = targets(r, "--iterations 5");

    assertTrue(md.contains("**--iterations 5: not the sizes and iterations the targets are defined for"), md);
    assertTrue(rowOf(md, "mBERT-shaped end to end").endsWith("| not judged |"), md);
    assertTrue(md.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| target"))
        .allMatch(l -> l.endsWith("| not judged |")), md);
  }

  @Test
  void targets_worseMseThanRecordedOnSameTable_notMet() {
    Issue13Report r = new Issue13Report();
    double before = Issue13Report.MSE_BEFORE.value();
    r.defaults(run(MBERT, 25, 19, 0.5, before * 1.001, SAME_TABLE));

    String row = rowOf(targets(r, null), "relative MSE no worse than before issue 13");

    assertTrue(row.contains("+0.10%"), row);
    assertTrue(row.endsWith("| **NOT met** |"), row);
    assertTrue(rowOf(targets(r, null), "mBERT-shaped end to end").endsWith("| met |"));
  }

  @Test
  void targets_otherTable_mseNotJudged() {
    Issue13Report r = new Issue13Report();
    r.defaults(run(MBERT, 25, 19, 0.5, 0.001, "ab".repeat(32)));

    String row = rowOf(targets(r, null), "relative MSE no worse than before issue 13");

    assertTrue(row.contains("is for another table"), row);
    assertTrue(row.endsWith("| not judged |"), row);
  }

  @Test
  void targets_scaleRunOfFewIterations_seedingShareOfExtrapolatedWall() {
    Issue13Report r = new Issue13Report();
    // 4 iterations of 1 s: wall 40 s measured, 40 + 21 x 1 = 61 s at 25 iterations; seeding 2.5 s.
    JobRun shortRun = run(MBERT, 4, 40, 2.5, 0.0038, SAME_TABLE);
    r.scale(shortRun, "synthetic");

    String row = rowOf(targets(r, null), "seeding ≤ 5%");

    assertEquals(61, shortRun.wallAt(25), 1e-9);
    assertTrue(row.contains("mbert-shaped 4.1%*"), row); // 2.5 / 61, not 2.5 / 40 = 6.3%
    assertTrue(row.contains("extrapolated to 25"), row);
    assertTrue(row.endsWith("| met |"), row);
  }

  @Test
  void sections_trafficNotRecorded_onPaperPartitionsFromTheJobsRule() {
    Issue13Report r = new Issue13Report();
    Workload t = new Workload("traffic", Path.of("t.safetensors"), Tables.TENSOR, 20000, 768, 48, 256, "separate", 2,
        0, 0, "synthetic");
    r.traffic(2, 4, run(t, 2, 30, 1, 0.004, ""));
    StringBuilder sb = new StringBuilder();

    r.sections(sb);

    String md = sb.toString();
    // 4.2 GB of float32 in 64 MB partitions is 63, raised to one per core of 64 x 4: 256, each 16.8 MB of sums.
    assertTrue(md.contains("multiple of the cores: 256 partitions"), md);
    assertTrue(md.contains("256 x 16.8 MB = **4.29 GB per iteration**"), md);
    assertTrue(md.contains("| 2 | 4 | not recorded | - | not recorded |"), md);
    assertTrue(md.contains("new scheme: not recorded in this run"), md);
  }
}
