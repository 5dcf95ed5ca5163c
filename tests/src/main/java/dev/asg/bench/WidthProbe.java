package dev.asg.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asg.common.kmeans.AssignKernel;
import dev.asg.common.kmeans.AssignKernels;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The FMA peak and the assignment kernel at ONE vector width, in a JVM of its own: once one width's Vector API code
 * is compiled, HotSpot's shared methods are profiled for its species and another width in the same JVM runs several
 * times slower (see {@link KernelBench}), so {@link #measureAll} starts one child JVM per width the machine runs.
 * The child prints one JSON line: {@code {"bits", "lanes", "kernel", "peak", "contiguous", "pq", "pq_top2", "shared"}}.
 */
final class WidthProbe {
  /** The system property {@link FmaPeak} reads its width from. */
  static final String BITS_PROPERTY = "asg.bench.vector-bits";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One width's numbers, GFLOP/s on all cores. */
  record Result(int bits, int lanes, String kernel, double peak, double contiguous, double pq, double pqTop2,
      double shared) {}

  private WidthProbe() {}

  /** {@code WidthProbe BITS THREADS SECONDS}: run with {@code -D}{@value #BITS_PROPERTY}{@code =BITS}. */
  public static void main(String[] args) throws Exception {
    int bits = Integer.parseInt(args[0]);
    int threads = Integer.parseInt(args[1]);
    double seconds = Double.parseDouble(args[2]);
    AssignKernel kernel = AssignKernels.byName("vector-" + bits);
    double peak = FmaPeak.measure(threads, seconds, 3);
    double contiguous = KernelBench.contiguous(kernel, threads, 65536, 16, 512);
    double pq = KernelBench.productQuantization(kernel, threads, 20000, 48, 16, 512);
    double pqTop2 = KernelBench.productQuantizationTop2(kernel, threads, 20000, 48, 16, 512);
    double shared = KernelBench.contiguous(kernel, threads, 32768, 8, 4096);
    System.out.println(JSON.writeValueAsString(Map.of("bits", bits, "lanes", FmaPeak.lanes(), "kernel",
        kernel.name(), "peak", peak, "contiguous", contiguous, "pq", pq, "pq_top2", pqTop2, "shared", shared)));
  }

  /** Vector widths (bits) the assignment kernel runs natively here, narrowest first; empty without the Vector API. */
  static List<Integer> supportedWidths() {
    List<Integer> out = new ArrayList<>();
    for (int bits : new int[] {256, 512}) {
      try {
        AssignKernels.byName("vector-" + bits);
        out.add(bits);
      } catch (IllegalArgumentException e) {
        // this JVM or CPU cannot run that width
      }
    }
    return out;
  }

  /** Every supported width, each in a child JVM with this JVM's flags and class path, narrowest first. */
  static List<Result> measureAll(int threads, double seconds, Path logs) throws Exception {
    List<Result> out = new ArrayList<>();
    String java = ProcessHandle.current().info().command().orElse("java");
    for (int bits : supportedWidths()) {
      List<String> cmd = new ArrayList<>(List.of(java));
      for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
        if (!a.startsWith("-D" + BITS_PROPERTY)) {
          cmd.add(a);
        }
      }
      cmd.addAll(List.of("-D" + BITS_PROPERTY + "=" + bits, "-cp", System.getProperty("java.class.path"),
          WidthProbe.class.getName(), "" + bits, "" + threads, String.format(Locale.ROOT, "%.2f", seconds)));
      Proc.Result r = Proc.run(cmd, Map.of(), logs, "width-probe-" + bits);
      Bench.check(r, "WidthProbe " + bits);
      String[] lines = r.stdout().strip().split("\n");
      JsonNode j = JSON.readTree(lines[lines.length - 1]);
      out.add(new Result(bits, j.get("lanes").asInt(), j.get("kernel").asText(), j.get("peak").asDouble(),
          j.get("contiguous").asDouble(), j.get("pq").asDouble(), j.get("pq_top2").asDouble(),
          j.get("shared").asDouble()));
    }
    return out;
  }
}
