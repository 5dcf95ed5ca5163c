package dev.asg.tests.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@code spark-job/bin/asg} as a child process, the way a user or a scheduler does, with its output in a log
 * file. The launcher builds the shaded jar itself when it is missing; under {@code mvn verify} the spark-job
 * module is packaged before the tests module runs, so the jar is there and current.
 */
public final class AsgLauncher {
  private AsgLauncher() {}

  /** The repository root: the first ancestor of the working directory holding spark-job/bin/asg. */
  static Path repoRoot() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("spark-job/bin/asg"))) {
        return p;
      }
    }
    throw new IllegalStateException("spark-job/bin/asg not found above " + Path.of("").toAbsolutePath()
        + "; run the tests from the repository (mvn -pl tests ...)");
  }

  /** Starts {@code bin/asg <args>} with stdout and stderr appended to {@code log}. */
  public static Process start(Path log, List<String> args) throws IOException {
    return start(log, args, java.util.Map.of());
  }

  /** As {@link #start(Path, List)}, with extra environment variables (e.g. ASG_JAVA_OPTS). */
  static Process start(Path log, List<String> args, java.util.Map<String, String> env) throws IOException {
    List<String> command = new ArrayList<>();
    command.add("bash");
    command.add(repoRoot().resolve("spark-job/bin/asg").toString());
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    // The same JDK as the tests; a developer's Spark settings must not leak into the child.
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().keySet().removeIf(k -> k.startsWith("SPARK_") || k.equals("ASG_JAVA_OPTS"));
    pb.environment().putAll(env);
    return pb.start();
  }

  /**
   * Starts {@code bin/asg <args>} with stdout and stderr in separate files, so a test sees exactly what a
   * scheduler's error log would.
   */
  static Process start(List<String> args, Path stdout, Path stderr, java.util.Map<String, String> env)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add("bash");
    command.add(repoRoot().resolve("spark-job/bin/asg").toString());
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().keySet().removeIf(k -> k.startsWith("SPARK_") || k.equals("ASG_JAVA_OPTS"));
    pb.environment().putAll(env);
    return pb.start();
  }

  /** The last {@code lines} lines of a log, for failure messages. */
  public static String tail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }
}
