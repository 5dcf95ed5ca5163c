package dev.asg.spark.output;

import dev.asg.common.InvalidInputException;
import dev.asg.common.artifact.Manifest;
import dev.asg.spark.engine.QuantizeResult;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsAction;
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
   * As {@link #preflight(String, boolean, Configuration)}, and also refuses an output that would clobber the
   * input: the input path itself, or a directory containing it (a sharded checkpoint's folder, say), since
   * --overwrite would move the input away. An output inside the input's folder is fine: it replaces nothing.
   */
  public static ArtifactWriter preflight(String output, boolean overwrite, Configuration conf, String input) {
    ArtifactWriter writer = preflight(output, overwrite, conf);
    writer.checkNotOverInput(input, output, conf);
    return writer;
  }

  private void checkNotOverInput(String input, String outputFlag, Configuration conf) {
    if (input == null || input.isBlank()) {
      return;
    }
    try {
      Path in = new Path(input);
      FileSystem inFs = in.getFileSystem(conf);
      in = inFs.makeQualified(in);
      if (!inFs.getUri().equals(fs.getUri())) {
        return;
      }
      for (Path p = in; p != null; p = p.getParent()) {
        if (p.equals(output)) {
          throw new InvalidInputException("--output " + outputFlag + (p.equals(in) ? " is the --input file "
              : " contains the --input " + input) + "; writing there would replace the model being read,"
              + " choose an output outside it");
        }
      }
    } catch (IOException e) {
      throw new InvalidInputException("--input " + input + ": cannot compare with --output " + outputFlag + " ("
          + e.getMessage() + ")", e);
    }
  }

  /**
   * Checks the output location before any work: refuses an existing output without --overwrite and an output
   * whose parent cannot be written. Writes nothing.
   */
  public static ArtifactWriter preflight(String output, boolean overwrite, Configuration conf) {
    Path out = new Path(output);
    try {
      FileSystem fs = out.getFileSystem(conf);
      out = fs.makeQualified(out);
      if (out.getParent() == null) {
        throw new InvalidInputException("--output " + output + " is a filesystem root; choose a directory below it");
      }
      if (fs.exists(out)) {
        if (!overwrite) {
          throw new InvalidInputException("--output " + output + " already exists; pass --overwrite to replace it "
              + "(the old artifact stays intact until the new one is complete) or choose another path");
        }
        if (!fs.getFileStatus(out).isDirectory()) {
          throw new InvalidInputException("--output " + output + " exists and is a file, not an artifact "
              + "directory; remove it or choose another path");
        }
      }
      Path ancestor = out.getParent();
      while (ancestor != null && !fs.exists(ancestor)) {
        ancestor = ancestor.getParent();
      }
      if (ancestor == null || !fs.getFileStatus(ancestor).isDirectory()) {
        throw new InvalidInputException("--output " + output + ": its parent is not a directory");
      }
      try {
        fs.access(ancestor, FsAction.WRITE);
      } catch (IOException e) {
        throw new InvalidInputException("--output " + output + " is not writable: no write permission on "
            + ancestor + "; choose a writable location", e);
      }
      long now = Instant.now().toEpochMilli();
      return new ArtifactWriter(out, fs, now + "-" + UUID.randomUUID().toString().substring(0, 8), now);
    } catch (IOException e) {
      throw new InvalidInputException("--output " + output + ": cannot check the location (" + e.getMessage()
          + ")", e);
    }
  }

  public Path output() {
    return output;
  }

  public String runId() {
    return runId;
  }

  /** Writes codebook/, mapping/, manifest.json and _SUCCESS to the temporary directory, then commits. */
  public void write(QuantizeResult result) throws IOException {
    try {
      fs.mkdirs(tmp);
      writeText(new Path(tmp, MARKER), "run " + runId + " started " + Instant.now() + "\n");
      long t0 = System.nanoTime();
      result.codebook().write().parquet(new Path(tmp, "codebook").toString());
      result.mapping().write().parquet(new Path(tmp, "mapping").toString());
      Manifest manifest = result.manifest();
      manifest.timingsSeconds.put("write", Math.round((System.nanoTime() - t0) / 1e6) / 1000.0);
      try (OutputStream os = fs.create(new Path(tmp, MANIFEST), false)) {
        os.write(manifest.toJson().getBytes(StandardCharsets.UTF_8));
      }
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
      fs.mkdirs(tmp);
      writeText(new Path(tmp, MARKER), "run " + runId + " started " + Instant.now() + "\n");
      for (String name : sections) {
        QuantizeResult result = trainer.train(name);
        try {
          Path dir = new Path(tmp, name);
          long t0 = System.nanoTime();
          result.codebook().write().parquet(new Path(dir, "codebook").toString());
          result.mapping().write().parquet(new Path(dir, "mapping").toString());
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
    Path old = null;
    if (fs.exists(output)) {
      old = new Path(output.getParent(), output.getName() + OLD_INFIX + runId);
      rename(output, old);
    }
    rename(tmp, output);
    if (old != null) {
      fs.delete(old, true);
    }
    LOG.info("wrote {}", output);
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

  private void rename(Path from, Path to) throws IOException {
    if (!fs.rename(from, to)) {
      throw new IOException("could not rename " + from + " to " + to);
    }
  }

  /** Removes the temporary directory after a failure. */
  public void abort() {
    try {
      if (fs.exists(tmp)) {
        fs.delete(tmp, true);
      }
    } catch (IOException e) {
      LOG.warn("could not remove the temporary directory {}: {}; delete it by hand", tmp, e.getMessage());
    }
  }

  private void writeText(Path p, String s) throws IOException {
    try (OutputStream os = fs.create(p, true)) {
      os.write(s.getBytes(StandardCharsets.UTF_8));
    }
  }
}
