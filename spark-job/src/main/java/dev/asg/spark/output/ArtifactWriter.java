package dev.asg.spark.output;

import dev.asg.common.InvalidInputException;
import dev.asg.common.artifact.Manifest;
import dev.asg.spark.engine.QuantizeResult;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
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
