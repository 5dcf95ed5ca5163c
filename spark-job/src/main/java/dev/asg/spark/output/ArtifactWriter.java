package dev.asg.spark.output;

import dev.asg.common.InputBoundary;
import dev.asg.common.InvalidInputException;
import dev.asg.common.Messages;
import dev.asg.common.OutputExistsException;
import dev.asg.common.artifact.Manifest;
import dev.asg.spark.engine.QuantizeResult;
import dev.asg.spark.io.RealPaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes an artifact directory atomically: everything goes to a temporary sibling
 * {@code <output>._tmp-<runid>} (marked with {@value #MARKER} so a later run knows it is ours), manifest.json and
 * _SUCCESS come last, and only then is it renamed to {@code <output>}. With --overwrite the old artifact is moved
 * aside only after the new one is complete and deleted only after the new one is in place, so a crash at any
 * point leaves either the old or the new artifact whole, never a half-written one that looks complete.
 */
public final class ArtifactWriter {
  private static final Logger LOG = LoggerFactory.getLogger("dev.asg.progress");
  /** Present only in our temporary directories; says which run made it and when. */
  public static final String MARKER = "_ASG_TMP";
  public static final String SUCCESS = "_SUCCESS";
  public static final String MANIFEST = "manifest.json";

  private final Path output;
  private final FileSystem fs;
  private final String runId;
  private final Path tmp;
  /** Epoch millis when this run began (its preflight); leftovers stamped earlier belong to dead runs. */
  private final long startMillis;

  private ArtifactWriter(Path output, FileSystem fs, String runId, long startMillis) {
    this.output = output;
    this.fs = fs;
    this.runId = runId;
    this.startMillis = startMillis;
    this.tmp = new Path(output.getParent(), output.getName() + TMP_INFIX + runId);
  }

  /** Name infixes of the sibling directories a run creates: {@code <output>._tmp-<runid>}, {@code ._old-<runid>}. */
  static final String TMP_INFIX = "._tmp-";
  static final String OLD_INFIX = "._old-";

  /**
   * As {@link #preflight(String, boolean, Configuration)}, and also refuses an output that would clobber what the
   * run reads: an input path itself, or a directory containing it (a sharded checkpoint's folder, say), since
   * --overwrite would move it away; the same for {@code <output>._ckpt}, which a run clears. Paths are compared
   * after resolving symbolic links, so a link into the output (or an output that is a link to the model's folder)
   * is caught too. An output inside an input's folder is fine: it replaces nothing.
   */
  public static ArtifactWriter preflight(String output, boolean overwrite, Configuration conf, String input) {
    return preflight(output, overwrite, conf, input == null ? List.of() : List.of(input));
  }

  /** As {@link #preflight(String, boolean, Configuration, String)} for every file the run reads. */
  public static ArtifactWriter preflight(String output, boolean overwrite, Configuration conf,
      Collection<String> inputs) {
    ArtifactWriter writer = preflight(output, overwrite, conf);
    for (String input : inputs) {
      if (input != null && !input.isBlank()) {
        InputBoundary.read("--input " + Messages.quote(input), "cannot compare it with --output "
            + Messages.quote(output), () -> {
              writer.checkNotOver(input, output, conf);
              return null;
            });
      }
    }
    return writer;
  }

  private void checkNotOver(String input, String outputFlag, Configuration conf) throws IOException {
    Path in = new Path(input);
    FileSystem inFs = in.getFileSystem(conf);
    if (!inFs.getUri().equals(fs.getUri())) {
      return;
    }
    Path inReal = RealPaths.resolve(inFs, inFs.makeQualified(in));
    Path outReal = RealPaths.resolve(fs, output);
    Path ckptReal = RealPaths.resolve(fs, new Path(output.getParent(), output.getName() + CKPT_SUFFIX));
    for (Path p = inReal; p != null; p = p.getParent()) {
      if (p.equals(outReal) || p.equals(ckptReal)) {
        String where = p.equals(ckptReal) ? "its checkpoint directory " + ckptReal : p.equals(inReal)
            ? "the same file" : "a directory containing it (" + outReal + ")";
        throw new InvalidInputException("--output " + Messages.quote(outputFlag) + " would replace "
            + Messages.quote(input) + ", which the run reads (" + where + ", links resolved); choose an output "
            + "outside the model's files");
      }
    }
  }

  /** {@code <output>._ckpt}: LloydCheckpoint's directory, which a run clears; named here to avoid a cycle. */
  static final String CKPT_SUFFIX = "._ckpt";

  /**
   * Checks the output location before any work: refuses an existing output without --overwrite, an existing
   * directory that is not a committed asg artifact even with it, and an output whose parent cannot be written
   * (probed by creating and removing a file there, so a read-only filesystem fails now, not after training).
   * Leaves nothing behind.
   */
  public static ArtifactWriter preflight(String output, boolean overwrite, Configuration conf) {
    return InputBoundary.check("--output " + Messages.quote(output), "choose a writable local path or a "
        + "reachable Hadoop URI", () -> checkOutput(output, overwrite, conf));
  }

  private static ArtifactWriter checkOutput(String output, boolean overwrite, Configuration conf)
      throws IOException {
    Path out = new Path(output);
    FileSystem fs = out.getFileSystem(conf);
    out = fs.makeQualified(out);
    String flag = "--output " + Messages.quote(output);
    if (out.getParent() == null) {
      throw new InvalidInputException(flag + " is a filesystem root; choose a directory below it");
    }
    if (fs.exists(out)) {
      if (!overwrite) {
        throw new OutputExistsException(flag + " already exists; pass --overwrite to replace it "
            + "(the old artifact stays intact until the new one is complete) or choose another path");
      }
      if (!fs.getFileStatus(out).isDirectory()) {
        throw new InvalidInputException(flag + " exists and is a file, not an artifact directory; remove it or "
            + "choose another path");
      }
      String notOurs = notReplaceable(fs, out);
      if (notOurs != null) {
        throw new InvalidInputException(flag + " exists and is not a committed asg artifact (" + notOurs
            + "); --overwrite replaces only an artifact of 'asg quantize' (manifest.json of asg-spark and "
            + "_SUCCESS): choose another path, or move that directory away yourself");
      }
    }
    Path ancestor = out.getParent();
    while (ancestor != null && !fs.exists(ancestor)) {
      ancestor = ancestor.getParent();
    }
    if (ancestor == null || !fs.getFileStatus(ancestor).isDirectory()) {
      throw new InvalidInputException(flag + ": its parent is not a directory");
    }
    long now = Instant.now().toEpochMilli();
    String runId = now + "-" + UUID.randomUUID().toString().substring(0, 8);
    probeWritable(fs, ancestor, out.getName() + "._probe-" + runId, flag);
    return new ArtifactWriter(out, fs, runId, now);
  }

  /**
   * Why {@code dir} may not be replaced, or null if it may: it is a committed artifact of this tool (_SUCCESS and
   * a manifest.json whose "tool" is asg-spark), or empty (nothing to lose). Public: every command that replaces or
   * rewrites a directory the user named asks this first.
   */
  public static String notReplaceable(FileSystem fs, Path dir) throws IOException {
    if (fs.listStatus(dir).length == 0) {
      return null;
    }
    if (!fs.isFile(new Path(dir, SUCCESS))) {
      return "no " + SUCCESS;
    }
    Path mf = new Path(dir, MANIFEST);
    if (!fs.isFile(mf)) {
      return "no " + MANIFEST;
    }
    if (fs.getFileStatus(mf).getLen() > MAX_MANIFEST_BYTES) {
      return MANIFEST + " is larger than " + MAX_MANIFEST_BYTES + " bytes";
    }
    try (InputStream in = raw(fs).open(mf)) {
      com.fasterxml.jackson.databind.JsonNode tree = Manifest.mapper().readTree(in);
      String tool = tree == null ? null : tree.path("tool").asText(null);
      if (!"asg-spark".equals(tool) || !tree.path("format_version").canConvertToInt()) {
        return MANIFEST + " is not one of asg-spark";
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return MANIFEST + " is not JSON";
    }
    return null;
  }

  /** A manifest is a few KB (a decoder's with per-iteration lists a few 10s); anything this big is not ours. */
  public static final long MAX_MANIFEST_BYTES = 16L << 20;

  /**
   * The filesystem without Hadoop's .crc side files: manifests are small text files that people edit by hand,
   * and a stale .crc next to an edited one would make every later read fail with a checksum error.
   */
  public static FileSystem raw(FileSystem fs) {
    return fs instanceof ChecksumFileSystem ? ((ChecksumFileSystem) fs).getRawFileSystem() : fs;
  }

  /**
   * Creates and removes an empty file in {@code dir}: permission bits do not tell a read-only mount. Public: every
   * command that writes asks this before it starts work.
   */
  public static void probeWritable(FileSystem fs, Path dir, String name, String flag) {
    Path probe = new Path(dir, "." + name);
    try {
      raw(fs).create(probe, false).close();
    } catch (IOException e) {
      throw new InvalidInputException(flag + " is not writable: cannot create a file in " + dir + " ("
          + Messages.quote(e.getMessage()) + "); choose a writable location", e);
    } finally {
      try {
        raw(fs).delete(probe, false);
      } catch (IOException e) {
        LOG.warn("could not remove the probe file {}: {}", probe, e.getMessage());
      }
    }
  }

  public Path output() {
    return output;
  }

  public FileSystem fileSystem() {
    return fs;
  }

  public String runId() {
    return runId;
  }

  /** Writes codebook/, mapping/, manifest.json and _SUCCESS to the temporary directory, then commits. */
  public void write(QuantizeResult result) throws IOException {
    write(result, null);
  }

  /** Writes more files into an artifact before its manifest.json and _SUCCESS (a Spark ML model's metadata/). */
  @FunctionalInterface
  public interface Extra {
    void writeInto(Path dir) throws IOException;
  }

  /** As {@link #write(QuantizeResult)}, with {@code extra} (or null) written into the same atomic commit. */
  public void write(QuantizeResult result, Extra extra) throws IOException {
    try {
      mkdirs(tmp);
      writeText(new Path(tmp, MARKER), "run " + runId + " started " + Instant.now() + "\n");
      long t0 = System.nanoTime();
      ArtifactTables.write(result, fs, tmp);
      if (extra != null) {
        extra.writeInto(tmp);
      }
      Manifest manifest = result.manifest();
      manifest.timingsSeconds.put("write", Math.round((System.nanoTime() - t0) / 1e6) / 1000.0);
      writeText(new Path(tmp, MANIFEST), manifest.toJson());
      fs.delete(new Path(tmp, MARKER), false);
      writeText(new Path(tmp, SUCCESS), "");
      commit();
    } catch (IOException | RuntimeException e) {
      abort();
      throw e;
    }
  }

  /** Trains one section of a decoder run; called by {@link #writeSections} one section at a time. */
  @FunctionalInterface
  public interface SectionTrainer {
    QuantizeResult train(String section) throws Exception;
  }

  /**
   * The decoder layout ({@code --output-tensor}): each section ("input", "output") is trained, written as a
   * complete set (codebook/, mapping/, manifest.json) under {@code <output>/<section>/} and released before the
   * next one trains, so only one table is cached at a time. Then the top-level manifest.json, with a summary of
   * each section, and one top-level _SUCCESS; the whole directory is committed by the same single rename as
   * {@link #write}.
   */
  public void writeSections(Manifest top, List<String> sections, SectionTrainer trainer) throws Exception {
    try {
      mkdirs(tmp);
      writeText(new Path(tmp, MARKER), "run " + runId + " started " + Instant.now() + "\n");
      for (String name : sections) {
        QuantizeResult result = trainer.train(name);
        try {
          Path dir = new Path(tmp, name);
          long t0 = System.nanoTime();
          ArtifactTables.write(result, fs, dir);
          Manifest manifest = result.manifest();
          manifest.timingsSeconds.put("write", Math.round((System.nanoTime() - t0) / 1e6) / 1000.0);
          writeText(new Path(dir, MANIFEST), manifest.toJson());
          top.sections.put(name, summary(name, manifest));
        } finally {
          result.release();
        }
      }
      writeText(new Path(tmp, MANIFEST), top.toJson());
      fs.delete(new Path(tmp, MARKER), false);
      writeText(new Path(tmp, SUCCESS), "");
      commit();
    } catch (Exception e) {
      abort();
      throw e;
    }
  }

  private static Manifest.Section summary(String name, Manifest m) {
    Manifest.Section s = new Manifest.Section();
    s.manifest = name + "/" + MANIFEST;
    s.tensor = m.source.tensor;
    s.shape = m.source.shape;
    s.sha256 = m.source.sha256;
    s.relativeMse = m.result.relativeMse;
    s.meanCosine = m.result.meanCosine;
    s.digests = m.digests;
    return s;
  }

  private void commit() throws IOException {
    AtomicReplace.commit(fs, tmp, output, new Path(output.getParent(), output.getName() + OLD_INFIX + runId));
    removeStaleSiblings();
  }

  /**
   * Removes what crashed earlier runs on this output left behind: {@code <output>._tmp-<runid>} directories that
   * carry {@value #MARKER} (or are complete but were never renamed, or empty) and {@code <output>._old-<runid>}
   * directories, when their run id says they started before this run. Runs only after this run committed, so a
   * crash inside the commit window (old moved aside, new not yet renamed) never loses both copies before a
   * newer artifact is in place. Concurrent runs on one output are not supported; an older concurrent run's
   * temporary directory would be removed here and that run would fail (without committing anything).
   * Failures are logged, never thrown: the artifact is already committed.
   */
  void removeStaleSiblings() {
    try {
      org.apache.hadoop.fs.FileStatus[] siblings = fs.listStatus(output.getParent(),
          p -> p.getName().startsWith(output.getName() + TMP_INFIX)
              || p.getName().startsWith(output.getName() + OLD_INFIX));
      for (org.apache.hadoop.fs.FileStatus st : siblings) {
        Path p = st.getPath();
        if (!st.isDirectory() || p.equals(tmp)) {
          continue;
        }
        boolean isOld = p.getName().startsWith(output.getName() + OLD_INFIX);
        String id = p.getName().substring(output.getName().length() + TMP_INFIX.length());
        long started = runStartMillis(id);
        if (started < 0 || started >= startMillis) {
          continue;
        }
        // An empty one is a run killed between creating the directory and writing its marker.
        boolean ours = isOld || fs.exists(new Path(p, MARKER)) || fs.exists(new Path(p, SUCCESS))
            || fs.listStatus(p).length == 0;
        if (ours && fs.delete(p, true)) {
          LOG.info("removed {} left by an interrupted earlier run ({})", p, isOld ? "replaced artifact"
              : "unfinished temporary output");
        }
      }
    } catch (IOException e) {
      LOG.warn("could not clean up leftovers of earlier runs next to {}: {}", output, e.getMessage());
    }
  }

  /** The start time encoded in a run id ({@code <epochmillis>-<8 hex>}), or -1 if it is not one of ours. */
  static long runStartMillis(String runId) {
    int dash = runId.indexOf('-');
    if (dash <= 0 || runId.length() - dash - 1 != 8) {
      return -1;
    }
    try {
      return Long.parseLong(runId.substring(0, dash));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Removes the temporary directory after a failure. */
  public void abort() {
    AtomicReplace.discard(fs, tmp, "--output " + output);
  }

  private void mkdirs(Path p) throws IOException {
    if (!fs.mkdirs(p)) {
      throw new IOException("could not create " + p);
    }
  }

  /** Small text files (marker, _SUCCESS, manifests) go without .crc side files; see {@link #raw}. */
  private void writeText(Path p, String s) throws IOException {
    try (OutputStream os = raw(fs).create(p, true)) {
      os.write(s.getBytes(StandardCharsets.UTF_8));
    }
  }
}
