package dev.asg.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asg.common.artifact.Manifest;
import dev.asg.common.tensor.TableSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark harness behind tests/bench/run.sh: calibrates the machine's FMA peak, runs our job (bin/asg, a
 * separate JVM), the Spark ML baseline ({@code --engine mllib}) and faiss on the same tables with the same
 * parameters, measures a scale curve in-process, and writes tests/bench/REPORT.md. Not a test: it lives in
 * src/main so {@code mvn test} never runs it.
 *
 * <pre>
 * Bench --root DIR --work DIR --report FILE --minilm FILE.onnx [--python /usr/bin/python3] [--quick]
 *       [--scale | --no-scale] [--only NAME] [--iterations N] [--faiss-iterations N] [--mllib-fits N]
 *       [--faiss best|omp1|blas1|default|none] [--command "what was run"]
 * </pre>
 */
public final class Bench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long SEED = 1234;
  /** Iterations of each faiss threading probe: enough to time an iteration, short beside a full run. */
  static final int FAISS_PROBE_ITERATIONS = 2;

  private final Path root;
  private final Path work;
  private final boolean quick;
  private final String python;
  private final int cores = Runtime.getRuntime().availableProcessors();
  private final Report report;
  /** Overrides for long runs on a busy machine: 0 = the mode's default; mllib fits -1 = the default. */
  private int iterationsOverride;
  private int faissIterations;
  private int mllibFitsOverride = -1;
  /** {@code best} (probe each {@link FaissThreading}, run the fastest in full), one setup's name, or {@code none}. */
  private String faissThreading = "best";
  /** --scale: only the calibration, scale workloads and driver traffic; --no-scale: only the main workloads. */
  private boolean scaleOnly;
  private boolean noScale;

  private Bench(Path root, Path work, boolean quick, String python, Report report) {
    this.root = root;
    this.work = work;
    this.quick = quick;
    this.python = python;
    this.report = report;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = parse(args);
    Path root = Path.of(a.getOrDefault("root", ".")).toAbsolutePath().normalize();
    Path work = Path.of(a.getOrDefault("work", root.resolve("tests/bench/work").toString()));
    boolean quick = a.containsKey("quick");
    int iterations = Integer.parseInt(a.getOrDefault("iterations", "0"));
    // The targets hold at full size and the default iterations: any other sizing is reported, never judged.
    String sizing = quick || iterations > 0 ? String.join(" ", quick ? "--quick (reduced tables and iterations)" : "",
        iterations > 0 ? "--iterations " + iterations : "").strip() : null;
    Report report = new Report(a.getOrDefault("command", "Bench " + String.join(" ", args)), quick, sizing);
    Bench b = new Bench(root, work, quick, a.getOrDefault("python", ""), report);
    Files.createDirectories(work);
    b.iterationsOverride = iterations;
    b.faissIterations = Integer.parseInt(a.getOrDefault("faiss-iterations", "0"));
    b.mllibFitsOverride = Integer.parseInt(a.getOrDefault("mllib-fits", "-1"));
    b.faissThreading = a.getOrDefault("faiss", "best");
    b.scaleOnly = a.containsKey("scale");
    b.noScale = a.containsKey("no-scale");
    if (!b.faissThreading.equals("best") && !b.faissThreading.equals("none")) {
      FaissThreading.byName(b.faissThreading); // fails on an unknown name before anything runs
    }
    String only = a.getOrDefault("only", "");
    b.run(Path.of(a.get("minilm")), only);
    Path out = Path.of(a.getOrDefault("report", root.resolve("tests/bench/REPORT.md").toString()));
    Files.writeString(out, report.markdown());
    System.out.println(report.markdown());
    System.err.println("bench: wrote " + out);
    // Only a full run with default settings is "the last full report" README shows; partial runs leave it alone.
    boolean full = !quick && only.isEmpty() && b.iterationsOverride == 0 && b.faissIterations == 0
        && b.mllibFitsOverride < 0 && b.faissThreading.equals("best") && !b.scaleOnly && !b.noScale;
    if (full || a.containsKey("force-readme")) {
      Path readme = root.resolve("README.md");
      Files.writeString(readme, Report.spliceReadme(Files.readString(readme), report.markdown()));
      System.err.println("bench: updated the Performance section of " + readme);
    }
  }

  private void run(Path minilm, String only) throws Exception {
    log("calibrating the FMA peak and the kernel at each vector width, one JVM per width, on " + cores + " threads");
    List<WidthProbe.Result> widths = WidthProbe.measureAll(cores, quick ? 0.5 : 1.5, work.resolve("logs"));
    if (widths.isEmpty()) {
      throw new IllegalStateException("the Vector API kernel is not available in this JVM (run through "
          + "tests/bench/run.sh, which passes --add-modules jdk.incubator.vector)");
    }
    WidthProbe.Result widest = widths.get(widths.size() - 1);
    report.peak(widest.peak(), widest.lanes(), cores);
    report.kernelTarget(widest.pq());
    Issue13Report issue13 = report.issue13();
    issue13.widths(widths);
    log(String.format(Locale.ROOT, "peak %.1f GFLOP/s at %d bits", widest.peak(), widest.bits()));
    report.faissStatus(faissVersion());
    Issue13Runs runs13 = new Issue13Runs(root, work, issue13);

    Workload first = null;
    for (Workload w : scaleOnly ? List.<Workload>of() : workloads(minilm, only)) {
      if (!w.name().startsWith(only)) {
        continue;
      }
      first = first == null ? w : first;
      report.workload(w);
      Measurement ours = ours(w);
      report.add(ours);
      runs13.mainWorkload(w);
      if (w.mllibSegments() > 0) {
        report.add(mllib(w));
      }
      if (!python.isEmpty() && !faissThreading.equals("none")) {
        faissRows(w);
      }
    }
    if (only.isEmpty() && first != null) {
      new ScaleCurve(work, quick, report, SEED).run(first);
    }
    if ((!scaleOnly && only.isEmpty()) || only.equals("traffic")) {
      // A small table: each local-cluster run starts its executor JVMs; the bytes depend on k·D, not on V.
      int iters = iterationsOverride > 0 ? iterationsOverride : quick ? 2 : 3;
      Workload t = new Workload("traffic", synth.table("traffic", 20000, 768, 48, 256), Tables.TENSOR, 20000, 768,
          48, 256, "separate", iters, 0, 0, "synthetic");
      runs13.driverTraffic(t, quick ? new int[][] {{2, 4}, {2, 8}} : new int[][] {{2, 4}, {2, 8}, {4, 8}});
    }
    if (scaleOnly || (!quick && only.isEmpty() && !noScale)) {
      runs13.scale(new ScaleWorkloads(synth, only, iterationsOverride));
    }
  }

  /** The workloads of this mode whose name starts with {@code only} (all when empty); builds their tables. */
  private List<Workload> workloads(Path minilm, String only) throws Exception {
    List<Workload> ws = new ArrayList<>();
    int iters = iterationsOverride > 0 ? iterationsOverride : quick ? 5 : 25;
    // Spark ML fits one codebook after another (tens of seconds each here), so time 1-2 and extrapolate to m.
    int mllibFits = mllibFitsOverride >= 0 ? mllibFitsOverride : quick ? 1 : 2;
    // --quick: 1/12 of mBERT's vocabulary so the whole run stays near 3 minutes on 2 idle cores.
    int mbertRows = quick ? 10000 : 119547;
    if ("mbert-shaped".startsWith(only)) {
      Path mbert = synth.table("mbert", mbertRows, 768, 48, 512);
      ws.add(new Workload("mbert-shaped", mbert, Tables.TENSOR, mbertRows, 768, 48, 512, "separate", iters,
          mllibFits, faissIters(iters, iters), quick ? "synthetic, V reduced to " + mbertRows + " for --quick"
              : "synthetic"));
    }
    if (!quick && "xlmr-shaped".startsWith(only)) {
      Path xlmr = synth.table("xlmr", 250002, 768, 48, 1024);
      // faiss needs ~2 min per iteration here: 3 iterations, its wall time extrapolated (the report says so).
      ws.add(new Workload("xlmr-shaped", xlmr, Tables.TENSOR, 250002, 768, 48, 1024, "separate", iters, mllibFits,
          faissIters(iters, Math.min(iters, 3)), "synthetic"));
    }
    if (!"minilm-real".startsWith(only) && !"minilm-real-shared".startsWith(only)) {
      return ws;
    }
    TableSpec spec = Tables.spec(minilm);
    // faiss reads safetensors only: the same rows, decoded by our reader, as float32.
    Path minilmF32 = work.resolve("minilm-f32.safetensors");
    Tables.writeF32(minilm, spec.rows(), minilmF32);
    ws.add(new Workload("minilm-real", minilmF32, Tables.TENSOR, spec.rows(), spec.dim(), 24, 512, "separate",
        iters, quick ? 0 : mllibFits, faissIters(iters, iters), "all-MiniLM-L6-v2 token embeddings"));
    if (!quick) {
      // No Spark ML row: shared mode is ONE KMeans fit over all 1.46M pooled sub-vectors with k=4096, which
      // Spark ML cannot sample (no max points per centroid) - the separate workloads show its per-fit cost.
      ws.add(new Workload("minilm-real-shared", minilmF32, Tables.TENSOR, spec.rows(), spec.dim(), 48, 4096,
          "shared", iters, 0, faissIters(iters, iters), "all-MiniLM-L6-v2, one pooled codebook"));
    }
    return ws;
  }

  /** faiss's iterations: --faiss-iterations when given, else the workload's choice. */
  private int faissIters(int iterations, int workloadChoice) {
    return faissIterations > 0 ? Math.min(faissIterations, iterations) : workloadChoice;
  }

  /** Synthetic tables in the work folder, made once by {@code asg synth} (noise 0.05) and reused. */
  final class Synth {
    Path table(String name, int rows, int dim, int m, int k) throws Exception {
      Path out = work.resolve(name + "-" + rows + ".safetensors");
      if (!Files.exists(out)) {
        make(name, out, List.of("--rows", "" + rows, "--dim", "" + dim, "--m", "" + m, "--k", "" + k));
      }
      return out;
    }

    /** A sharded BF16 checkpoint; returns its index file. */
    Path sharded(String name, int rows, int dim, int m, int k, int shards, String tensor) throws Exception {
      Path dir = work.resolve(name + "-" + rows + "x" + dim + "-bf16-" + shards + "-shards");
      Path index = dir.resolve(dev.asg.common.tensor.SafetensorsIndex.DEFAULT_FILE_NAME);
      if (!Files.exists(index)) {
        make(name, dir, List.of("--rows", "" + rows, "--dim", "" + dim, "--m", "" + m, "--k", "" + k, "--dtype",
            "bf16", "--shards", "" + shards, "--tensor", tensor, "--overwrite"));
      }
      return index;
    }

    private void make(String name, Path out, List<String> args) throws Exception {
      log("synthesising " + out);
      List<String> cmd = new ArrayList<>(List.of(asg(), "synth"));
      cmd.addAll(args);
      cmd.addAll(List.of("--noise", "0.05", "--output", out.toString()));
      check(Proc.run(cmd, Map.of(), work.resolve("logs"), "synth-" + name), "asg synth " + name);
    }
  }

  private final Synth synth = new Synth();

  private Measurement ours(Workload w) throws Exception {
    Path out = work.resolve("out/" + w.name() + "-asg");
    log("ours: " + w.name());
    Proc.Result r = Proc.run(quantizeArgs(w, out), Map.of(), work.resolve("logs"), w.name() + "-asg");
    check(r, "asg quantize " + w.name());
    Manifest mf = manifest(out);
    double lloyd = mf.timingsSeconds.getOrDefault("lloyd", Double.NaN);
    double sPerIter = lloyd / mf.result.iterationsRun;
    report.memory(w, r.peakRssKb());
    Manifest.IterationTimings t = mf.result.iterationTimings;
    if (t != null) {
      report.overhead(w, t.wallSeconds, t.taskComputeSeconds, t.sparkOverhead, t.slots);
    }
    return new Measurement(w.name(), "asg (Spark job, bin/asg)", r.wallSeconds(), sPerIter,
        w.flopsPerIteration() / sPerIter / 1e9, mf.result.relativeMse, mf.result.iterationsRun, r.peakRssKb(),
        r.loadAfter(), "end to end: JVM + Spark start, read, init, " + mf.result.iterationsRun
            + " iterations, final pass, Parquet");
  }

  private Measurement mllib(Workload w) throws Exception {
    Path out = work.resolve("out/" + w.name() + "-mllib");
    log("mllib: " + w.name() + " (" + w.mllibSegments() + " of " + w.codebooks() + " codebooks)");
    List<String> cmd = quantizeArgs(w, out);
    cmd.addAll(List.of("--engine", "mllib", "--mllib-segments", "" + w.mllibSegments()));
    Proc.Result r = Proc.run(cmd, Map.of(), work.resolve("logs"), w.name() + "-mllib");
    check(r, "asg quantize --engine mllib " + w.name());
    Manifest mf = manifest(out);
    double fit = mf.timingsSeconds.getOrDefault("lloyd", Double.NaN);
    double first = mf.timingsSeconds.getOrDefault("lloyd_first_codebook", fit);
    int n = w.mllibSegments();
    // The first fit carries Spark ML's warm-up: extrapolate the rest from the later fits when there are any.
    double perLater = n > 1 ? (fit - first) / (n - 1) : fit;
    double allFits = first + perLater * (w.codebooks() - 1);
    // Spark ML may stop before maxIter (tol 0 still ends at an exact fixed point): divide by what it ran.
    double sPerIter = allFits / Math.max(1, mf.result.iterationsRun);
    double wall = r.wallSeconds() + (allFits - fit);
    String note = n < w.codebooks()
        ? String.format(Locale.ROOT, "%d of %d codebooks trained (fits %.1f s, first %.1f s); time extrapolated "
            + "to %d fits%s; rel. MSE over the trained segments", n, w.codebooks(), fit, first, w.codebooks(),
            n > 1 ? " from the later fits" : " from the first (includes warm-up: pessimistic)")
        : String.format(Locale.ROOT, "all codebooks trained (fits %.1f s)", fit);
    return new Measurement(w.name(), "spark-ml KMeans per segment", wall, sPerIter,
        w.flopsPerIteration() / sPerIter / 1e9, mf.result.relativeMse, mf.result.iterationsRun, r.peakRssKb(),
        r.loadAfter(), note);
  }

  /**
   * faiss with its best threading on this machine, found by measuring rather than assumed: each setup of
   * {@link FaissThreading} runs {@link #FAISS_PROBE_ITERATIONS} iterations, and the one with the lowest training
   * time per iteration then runs the workload's faiss iterations. The probes of the others stay in the report
   * (wall extrapolated, marked). With {@code --faiss SETUP} only that setup runs.
   */
  private void faissRows(Workload w) throws Exception {
    if (!faissThreading.equals("best")) {
      report.add(faiss(w, FaissThreading.byName(faissThreading), w.faissIterations()));
      return;
    }
    int probeIterations = Math.min(FAISS_PROBE_ITERATIONS, w.faissIterations());
    List<Measurement> probes = new ArrayList<>();
    FaissThreading best = null;
    Measurement bestProbe = null;
    for (FaissThreading t : FaissThreading.values()) {
      Measurement m = faiss(w, t, probeIterations);
      probes.add(m);
      if (bestProbe == null || m.secondsPerIteration() < bestProbe.secondsPerIteration()) {
        best = t;
        bestProbe = m;
      }
    }
    log("faiss: fastest threading on " + w.name() + " is " + best.label(cores));
    report.add(probeIterations == w.faissIterations() ? bestProbe : faiss(w, best, w.faissIterations()));
    for (Measurement m : probes) {
      if (m != bestProbe) {
        report.add(new Measurement(m.workload(), m.engine(), m.wallSeconds(), m.secondsPerIteration(), m.gflops(),
            m.relativeMse(), m.iterationsRun(), m.peakRssKb(), m.load(), "threading probe: its " + probeIterations
            + " iterations were slower than those of " + best.label(cores) + "; " + m.note()));
      }
    }
  }

  private Measurement faiss(Workload w, FaissThreading threading, int iters) throws Exception {
    String threads = threading.label(cores);
    log("faiss (" + threads + ", " + iters + " iterations): " + w.name());
    Proc.Result r = Proc.run(List.of(python, root.resolve("tests/bench/faiss_pq.py").toString(), "--input",
        w.input().toString(), "--tensor", w.tensor(), "--m", "" + w.m(), "--k", "" + w.k(), "--iterations",
        "" + iters, "--seed", "" + SEED, "--codebook", w.codebook(), "--max-points-per-centroid",
        "" + Workload.MAX_POINTS_PER_CENTROID), threading.environment(cores), work.resolve("logs"),
        w.name() + "-faiss-" + threading.id() + "-" + iters);
    check(r, "faiss_pq.py " + w.name());
    String[] lines = r.stdout().strip().split("\n");
    JsonNode j = JSON.readTree(lines[lines.length - 1]);
    double sPerIter = j.get("train_s").asDouble() / iters;
    // Fewer iterations than the others: add the missing iterations at the measured rate to its wall time.
    double wall = r.wallSeconds() + (w.iterations() - iters) * sPerIter;
    String partial = iters == w.iterations() ? "" : String.format(Locale.ROOT, "; ONLY %d of %d iterations run "
        + "(%.1f s wall): wall extrapolated by %d x s/iteration; its relative MSE is after %d iterations",
        iters, w.iterations(), r.wallSeconds(), w.iterations() - iters, iters);
    return new Measurement(w.name(), "faiss " + j.get("faiss_version").asText() + " (" + threads + ")",
        wall, sPerIter, w.flopsPerIteration() / sPerIter / 1e9, j.get("relative_mse").asDouble(), iters,
        r.peakRssKb(), r.loadAfter(), String.format(Locale.ROOT, "train %.2f s + encode %.2f s (load %.2f s)%s",
            j.get("train_s").asDouble(), j.get("encode_s").asDouble(), j.get("load_s").asDouble(), partial));
  }

  private List<String> quantizeArgs(Workload w, Path out) {
    // --init random: faiss and Spark ML seed randomly too, so all engines run the same algorithm.
    return new ArrayList<>(List.of(asg(), "quantize", "--input", w.input().toString(), "--m", "" + w.m(), "--k",
        "" + w.k(), "--codebook", w.codebook(), "--iterations", "" + w.iterations(), "--init", "random",
        "--seed", "" + SEED, "--max-points-per-centroid", "" + Workload.MAX_POINTS_PER_CENTROID, "--output",
        out.toString(), "--overwrite"));
  }

  private String faissVersion() throws Exception {
    if (python.isEmpty()) {
      return "faiss: not installed";
    }
    Proc.Result r = Proc.run(List.of(python, root.resolve("tests/bench/faiss_pq.py").toString(), "--version"),
        Map.of(), work.resolve("logs"), "faiss-version");
    return r.exitCode() == 0 ? r.stdout().strip() + ", via " + python : "faiss: not installed";
  }

  private String asg() {
    return root.resolve("spark-job/bin/asg").toString();
  }

  private static Manifest manifest(Path artifact) throws IOException {
    try (InputStream in = Files.newInputStream(artifact.resolve("manifest.json"))) {
      return Manifest.read(in);
    }
  }

  static void check(Proc.Result r, String what) {
    if (r.exitCode() != 0) {
      String err = r.stderr();
      throw new IllegalStateException(what + " failed with exit code " + r.exitCode() + ": "
          + err.substring(Math.max(0, err.length() - 2000)));
    }
  }

  static void log(String s) {
    System.err.println("bench: " + s);
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> a = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + args[i] + "; options are --name value");
      }
      String key = args[i].substring(2);
      boolean flag = i + 1 >= args.length || args[i + 1].startsWith("--");
      a.put(key, flag ? "" : args[++i]);
    }
    if (!a.containsKey("minilm")) {
      throw new IllegalArgumentException("--minilm FILE.onnx is required (tests/bench/run.sh fetches it)");
    }
    return a;
  }
}
