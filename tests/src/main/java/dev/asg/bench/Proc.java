package dev.asg.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs one engine as a separate process and measures its wall time and peak RSS: under {@code /usr/bin/time -v}
 * when it exists (the RSS of the whole process), else by sampling /proc/PID/status VmHWM of the child.
 */
final class Proc {
  private static final Path GNU_TIME = Path.of("/usr/bin/time");
  private static final Pattern MAX_RSS = Pattern.compile("Maximum resident set size \\(kbytes\\): (\\d+)");

  /** Outcome of one process run. */
  record Result(int exitCode, double wallSeconds, long peakRssKb, String stdout, String stderr,
      double loadBefore, double loadAfter) {}

  private Proc() {}

  static Result run(List<String> command, Map<String, String> env, Path logDir, String name)
      throws IOException, InterruptedException {
    Files.createDirectories(logDir);
    boolean gnuTime = Files.isExecutable(GNU_TIME);
    List<String> cmd = new ArrayList<>();
    if (gnuTime) {
      cmd.add(GNU_TIME.toString());
      cmd.add("-v");
    }
    cmd.addAll(command);
    Path out = logDir.resolve(name + ".out");
    Path err = logDir.resolve(name + ".err");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
    // A null value removes the variable (Map.of cannot hold one, so callers pass a HashMap for that).
    env.forEach((key, value) -> {
      if (value == null) {
        pb.environment().remove(key);
      } else {
        pb.environment().put(key, value);
      }
    });
    double load0 = loadAverage();
    long t0 = System.nanoTime();
    Process p = pb.start();
    long sampled = 0;
    while (!p.waitFor(200, java.util.concurrent.TimeUnit.MILLISECONDS)) {
      if (!gnuTime) {
        sampled = Math.max(sampled, vmHwmKb(p.pid()));
      }
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    String stdout = Files.readString(out, StandardCharsets.UTF_8);
    String stderr = Files.readString(err, StandardCharsets.UTF_8);
    long rss = sampled;
    Matcher mm = MAX_RSS.matcher(stderr);
    if (gnuTime && mm.find()) {
      rss = Long.parseLong(mm.group(1));
    }
    return new Result(p.exitValue(), wall, rss, stdout, stderr, load0, loadAverage());
  }

  /** VmHWM (peak RSS) of a live process, 0 when it is gone; bin/asg execs java, so the pid is the JVM's. */
  private static long vmHwmKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // the process ended between waitFor and the read
    }
    return 0;
  }

  /** The 1-minute load average: other helpers share these cores and skew timings. */
  static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }
}
