package dev.asg.tests.hdfs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asg.spark.cli.AsgMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/** Command lines of the HDFS tests, run in this JVM (the HDFS lives here too). */
final class HdfsRuns {
  private HdfsRuns() {}

  /** Runs asg and requires exit 0, showing stderr otherwise. */
  static void asgOk(String... args) {
    StringWriter err = new StringWriter();
    int code = AsgMain.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), args);
    assertEquals(0, code, err.toString());
  }

  /** A small quantize run: m=4, k=8, 3 iterations and local[2] unless {@code extra} sets them. */
  static String[] quantize(String in, String out, String... extra) {
    List<String> a = new ArrayList<>(List.of("quantize", "--input", in, "--output", out, "--m", "4", "--k", "8"));
    List<String> more = List.of(extra);
    if (!more.contains("--iterations")) {
      a.addAll(List.of("--iterations", "3"));
    }
    if (!more.contains("--master")) {
      a.addAll(List.of("--master", "local[2]"));
    }
    a.addAll(more);
    return a.toArray(String[]::new);
  }
}
