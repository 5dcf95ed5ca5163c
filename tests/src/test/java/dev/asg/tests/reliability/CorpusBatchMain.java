package dev.asg.tests.reliability;

import dev.asg.spark.cli.AsgMain;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs many asg command lines in ONE JVM started by {@code bin/asg} (ASG_MAIN_CLASS), each exactly as
 * {@link AsgMain#main} would (same stdout and stderr, same logging configuration), so the bad-input corpus checks
 * the real stderr without paying a JVM and Spark start per case. Before each case it prints a marker line to
 * stderr, which the test splits on; results go to a file as {@code name TAB exitcode TAB millis}.
 *
 * <p>Arguments: the cases file (one case per line: name, then its arguments, TAB-separated) and the results file.
 */
public final class CorpusBatchMain {
  /** Starts each case's block on stderr. */
  static final String MARKER = "@@asg-corpus-case ";

  private CorpusBatchMain() {}

  public static void main(String[] args) throws IOException {
    List<String> results = new ArrayList<>();
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    for (String line : Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8)) {
      String[] parts = line.split("\t", -1);
      String name = parts[0];
      err.println(MARKER + name);
      long t0 = System.nanoTime();
      int code = AsgMain.run(out, err, Arrays.copyOfRange(parts, 1, parts.length));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      err.flush();
      results.add(name + "\t" + code + "\t" + ms);
      Files.write(Path.of(args[1]), results, StandardCharsets.UTF_8);
    }
    System.exit(0);
  }
}
