package dev.asg.tests.cluster;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The on-disk layout of one test cluster (logs, work dirs, fake SPARK_HOME) and reading the tails of its logs.
 *
 * <p>Everything lives in one directory under the module's {@code target/} so that {@code mvn clean} removes it
 * and a CI job can archive it whole; nothing is written to /tmp.
 */
final class ClusterLogs {

  /** Enough to reach the exception and its cause in a Spark log without flooding CI output. */
  static final int DEFAULT_TAIL_LINES = 40;

  /** Upper bound on bytes read from the end of one file: executor logs can be megabytes long. */
  private static final int MAX_TAIL_BYTES = 256 * 1024;

  private final Path dir;

  private ClusterLogs(Path dir) {
    this.dir = dir;
  }

  /**
   * Creates {@code <module>/target/spark-cluster-<timestamp>-<random>/}. Surefire sets {@code basedir} to the
   * module directory; outside Maven the working directory stands in for it. The random suffix keeps two
   * clusters started in the same second apart.
   */
  static ClusterLogs createUnderTarget() {
    Path base = Paths.get(System.getProperty("basedir", System.getProperty("user.dir")), "target");
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    try {
      Files.createDirectories(base);
      return new ClusterLogs(Files.createTempDirectory(base, "spark-cluster-" + stamp + "-").toAbsolutePath());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the cluster directory under " + base
          + "; check that it is writable", e);
    }
  }

  Path dir() {
    return dir;
  }

  /** Combined stdout and stderr of one Master or Worker process. */
  Path processLog(String processName) {
    return dir.resolve(processName + ".log");
  }

  /** A Worker's --work-dir; executors write their stdout/stderr under {@code app-*}/{@code <id>}/ here. */
  Path workerWorkDir(int workerIndex) {
    return dir.resolve("worker-" + workerIndex + "-work");
  }

  /** A Worker's SPARK_LOCAL_DIRS (shuffle and block files of its executors). */
  Path workerLocalDir(int workerIndex) {
    return dir.resolve("worker-" + workerIndex + "-local");
  }

  /**
   * A stand-in SPARK_HOME: Spark's launcher insists that {@code $SPARK_HOME/jars} exists even when the whole
   * classpath comes from {@code spark.executor.extraClassPath}; an empty folder satisfies it.
   */
  Path sparkHome() {
    Path home = dir.resolve("spark-home");
    try {
      Files.createDirectories(home.resolve("jars"));
      Files.createDirectories(home.resolve("conf"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the stand-in SPARK_HOME " + home, e);
    }
    return home;
  }

  /** The daemon logs ({@code *.log}) first, then every executor's stdout and stderr, in path order. */
  List<Path> allLogFiles() {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> top = Files.list(dir)) {
      top.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().forEach(files::add);
    } catch (IOException e) {
      return files;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      all.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().equals("stderr") || p.getFileName().toString().equals("stdout"))
          .sorted()
          .forEach(files::add);
    } catch (IOException | UncheckedIOException e) {
      // A work dir vanishing mid-walk (an executor being cleaned up) must not hide the daemon logs.
    }
    return files;
  }

  /** "==> file <==" then its last {@code lines} lines, for every log file; for error messages and CI output. */
  String tails(int lines) {
    List<Path> files = allLogFiles();
    if (files.isEmpty()) {
      return "(no log files in " + dir + ")";
    }
    return files.stream()
        .map(f -> "==> " + dir.relativize(f) + " <==\n" + String.join("\n", tail(f, lines)))
        .collect(Collectors.joining("\n"));
  }

  /** The last {@code lines} lines of a file, reading at most {@link #MAX_TAIL_BYTES} from its end. */
  static List<String> tail(Path file, int lines) {
    if (lines < 1) {
      throw new IllegalArgumentException("lines=" + lines + " for the tail of " + file + "; must be at least 1");
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      int toRead = (int) Math.min(length, MAX_TAIL_BYTES);
      byte[] bytes = new byte[toRead];
      raf.seek(length - toRead);
      raf.readFully(bytes);
      List<String> all = Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\r?\n", -1));
      if (!all.isEmpty() && all.get(all.size() - 1).isEmpty()) {
        all = all.subList(0, all.size() - 1);
      }
      return new ArrayList<>(all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return List.of("(cannot read " + file + ": " + e.getMessage() + ")");
    }
  }
}
