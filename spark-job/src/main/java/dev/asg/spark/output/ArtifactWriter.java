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

  private ArtifactWriter(Path output, FileSystem fs, String runId) {
    this.output = output;
    this.fs = fs;
    this.runId = runId;
    this.tmp = new Path(output.getParent(), output.getName() + "._tmp-" + runId);
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
      return new ArtifactWriter(out, fs, Instant.now().toEpochMilli() + "-" + UUID.randomUUID().toString()
          .substring(0, 8));
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
      old = new Path(output.getParent(), output.getName() + "._old-" + runId);
      rename(output, old);
    }
    rename(tmp, output);
    if (old != null) {
      fs.delete(old, true);
    }
    LOG.info("wrote {}", output);
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
