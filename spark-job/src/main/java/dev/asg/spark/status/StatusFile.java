package dev.asg.spark.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.asg.common.InputBoundary;
import dev.asg.common.InvalidInputException;
import dev.asg.common.Messages;
import dev.asg.common.artifact.Manifest;
import dev.asg.spark.engine.QuantizeListener;
import dev.asg.spark.output.ArtifactWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --status-file}: a {@link RunStatus} rewritten at each phase and iteration, on any Hadoop filesystem. Each
 * write goes to a temporary sibling that then replaces the file in one step (rename(2) locally, HDFS's
 * rename-with-overwrite), so a reader never sees a half-written document. Only the first write can fail the run
 * (a location we cannot write is bad input, found before Spark starts); later failures are logged and the run goes
 * on, since a training run should not die because a dashboard file could not be updated.
 */
public final class StatusFile implements QuantizeListener {
  private static final Logger LOG = LoggerFactory.getLogger("dev.asg.progress");
  public static final String FLAG = "--status-file";

  private final Path path;
  private final FileSystem fs;
  private final Configuration conf;
  private final RunStatus status = new RunStatus();
  private boolean warned;

  private StatusFile(Path path, FileSystem fs, Configuration conf) {
    this.path = path;
    this.fs = fs;
    this.conf = conf;
  }

  /**
   * Checks the location and writes the first document (state running, phase preflight). Refuses, as bad input, a
   * URI Hadoop cannot parse, a location that is not writable, and one inside {@code output} (a committed artifact
   * replaces that directory whole).
   */
  public static StatusFile start(String uri, Configuration conf, String command, String output) {
    String flag = FLAG + " " + Messages.quote(uri);
    StatusFile file = InputBoundary.check(flag, "choose a writable local path or a reachable Hadoop URI", () -> {
      Path p = new Path(uri);
      FileSystem fs = p.getFileSystem(conf);
      p = fs.makeQualified(p);
      if (output != null) {
        Path out = new Path(output);
        out = out.getFileSystem(conf).makeQualified(out);
        for (Path a = p; a != null; a = a.getParent()) {
          if (a.equals(out)) {
            throw new InvalidInputException(flag + " is inside --output " + Messages.quote(output)
                + ", which a run replaces whole; put the status file next to it instead");
          }
        }
      }
      if (fs.exists(p) && fs.getFileStatus(p).isDirectory()) {
        throw new InvalidInputException(flag + " is a directory; name a file (e.g. " + p + "/status.json)");
      }
      StatusFile f = new StatusFile(p, fs, conf);
      String now = now();
      f.status.command = command;
      f.status.output = output;
      f.status.state = RunStatus.RUNNING;
      f.status.phase = "preflight";
      f.status.started = now;
      f.status.updated = now;
      f.write();
      return f;
    });
    return file;
  }

  public Path path() {
    return path;
  }

  /** A copy of the current document, for tests and logs. */
  public synchronized String json() {
    try {
      return Manifest.mapper().writeValueAsString(status);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The Spark application id, once the session is up. */
  public synchronized void applicationId(String id) {
    status.applicationId = id;
    update();
  }

  @Override
  public synchronized void onPhase(String section, String phase) {
    status.section = section;
    status.phase = phase;
    update();
  }

  @Override
  public synchronized void onIteration(String section, int iteration, int iterations, double objective,
      double seconds) {
    status.section = section;
    status.phase = "lloyd";
    status.iteration = iteration;
    status.iterations = iterations;
    status.objective = Double.isFinite(objective) ? objective : null;
    update();
  }

  /** Final: the artifact is committed. */
  public synchronized void succeeded() {
    finish(RunStatus.SUCCEEDED, 0, null);
  }

  /** Final: nothing to do ({@code --if-exists skip-if-current} found the artifact up to date). */
  public synchronized void skipped(String detail) {
    status.detail = detail;
    finish(RunStatus.SKIPPED, 0, null);
  }

  /** Final: the run failed with this exit code and one-line error; nothing was committed. */
  public synchronized void failed(int exitCode, String error) {
    finish(RunStatus.FAILED, exitCode, Messages.oneLine(error));
  }

  /** Why an existing artifact is retrained ({@code --if-exists skip-if-current}). */
  public synchronized void detail(String detail) {
    status.detail = detail;
    update();
  }

  private void finish(String state, int exitCode, String error) {
    if (!RunStatus.RUNNING.equals(status.state)) {
      return; // already final: a failure after success (stopping Spark) must not rewrite the outcome
    }
    status.state = state;
    status.phase = "done";
    status.exitCode = exitCode;
    status.error = error;
    status.ended = now();
    update();
  }

  private void update() {
    status.updated = now();
    try {
      write();
    } catch (IOException | RuntimeException e) {
      if (!warned) {
        warned = true;
        LOG.warn("could not update {} {} ({}); the run goes on, later failures to update it are not logged", FLAG,
            path, Messages.oneLine(String.valueOf(e.getMessage())));
      }
    }
  }

  private void write() throws IOException {
    byte[] json = (json() + "\n").getBytes(StandardCharsets.UTF_8);
    Path tmp = new Path(path.getParent(), "." + path.getName() + "._tmp-" + UUID.randomUUID());
    FileSystem raw = ArtifactWriter.raw(fs);
    try {
      try (OutputStream os = raw.create(tmp, true)) {
        os.write(json);
      }
      if (raw instanceof RawLocalFileSystem) {
        // java.io.File.renameTo is rename(2): it replaces the old document in one step.
        if (!raw.rename(tmp, path)) {
          throw new IOException("could not rename " + tmp + " to " + path);
        }
      } else {
        // HDFS: one atomic namenode operation. Object stores (S3A) copy, so a reader may briefly find no file.
        FileContext.getFileContext(fs.getUri(), conf).rename(tmp, path, Options.Rename.OVERWRITE);
      }
    } finally {
      if (raw.exists(tmp)) {
        raw.delete(tmp, false);
      }
    }
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
  }
}
