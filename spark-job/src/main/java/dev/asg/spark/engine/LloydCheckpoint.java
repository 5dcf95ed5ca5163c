package dev.asg.spark.engine;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asg.common.InputBoundary;
import dev.asg.common.InvalidInputException;
import dev.asg.common.Messages;
import dev.asg.common.artifact.Manifest;
import dev.asg.common.kmeans.KMeansParams;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Lloyd loop's state after some iteration, saved under {@code <output>._ckpt/} ({@code <output>._ckpt/<section>/}
 * for a decoder run) so {@code --resume} can continue a killed run. The engine is deterministic and the centroids
 * alone determine the next iteration, so resuming from a checkpoint gives bit-identical results to an
 * uninterrupted run; the centroids are therefore stored bit-exactly (float32 little-endian, base64).
 *
 * <p>Each checkpoint is a new file {@code state-<iteration>.json}, written to a temporary name and renamed: the
 * destination never exists, so the rename is atomic on HDFS, object-store connectors and local disks alike, and a
 * crash while writing leaves the previous checkpoint intact. Older states are deleted after the new one is in place.
 */
public final class LloydCheckpoint {
  private static final Logger LOG = LoggerFactory.getLogger("dev.asg.progress");
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Sibling of the output directory: {@code <output>._ckpt}. */
  public static final String SUFFIX = "._ckpt";
  private static final String PREFIX = "state-";
  private static final String EXT = ".json";

  /** What is saved: JSON via Jackson. */
  public static final class State {
    @JsonProperty("fingerprint")
    public Map<String, String> fingerprint = new LinkedHashMap<>();
    @JsonProperty("iterations_done")
    public int iterationsDone;
    /** True when --tol stopped the loop at this iteration: a resumed run must not run more. */
    @JsonProperty("converged")
    public boolean converged;
    @JsonProperty("objective")
    public List<Double> objective = new ArrayList<>();
    @JsonProperty("empty_splits")
    public List<Integer> emptySplits = new ArrayList<>();
    /** Raw bits: the first iteration's "previous" objective is NaN, which JSON cannot hold. */
    @JsonProperty("previous_objective_bits")
    public long previousObjectiveBits;
    /** One base64 string of float32 little-endian values per codebook. */
    @JsonProperty("centroids")
    public List<String> centroids = new ArrayList<>();

    public double previousObjective() {
      return Double.longBitsToDouble(previousObjectiveBits);
    }

    public float[][] decodeCentroids() {
      float[][] out = new float[centroids.size()][];
      for (int c = 0; c < out.length; c++) {
        String text = centroids.get(c);
        if (text == null) {
          throw new InvalidInputException("codebook " + c + " of the checkpoint is null");
        }
        ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(text)).order(ByteOrder.LITTLE_ENDIAN);
        out[c] = new float[b.remaining() / Float.BYTES];
        b.asFloatBuffer().get(out[c]);
      }
      return out;
    }

    /**
     * Checks a loaded state is whole: every field present, the iteration lists as long as the iterations done,
     * the codebooks decodable and finite. Independent of the run, so a damaged file is named as such before
     * it is compared with this run's fingerprint.
     */
    void validate(Path file) {
      String where = "--resume: the checkpoint file " + file;
      if (fingerprint == null || objective == null || emptySplits == null || centroids == null) {
        throw new InvalidInputException(where + " lacks fingerprint, objective, empty_splits or centroids; delete "
            + "it or drop --resume");
      }
      if (iterationsDone < 1 || objective.size() != iterationsDone || emptySplits.size() != iterationsDone) {
        throw new InvalidInputException(where + " holds " + objective.size() + " objectives for iteration "
            + iterationsDone + "; delete it or drop --resume");
      }
      float[][] cs;
      try {
        cs = decodeCentroids();
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException(where + ": a codebook is not valid base64 (" + Messages.quote(e.getMessage())
            + "); delete it or drop --resume", e);
      }
      for (int c = 0; c < cs.length; c++) {
        for (float v : cs[c]) {
          if (!Float.isFinite(v)) {
            throw new InvalidInputException(where + ": codebook " + c + " holds " + v + "; delete it or drop "
                + "--resume");
          }
        }
      }
    }

    /** Checks the state has this run's number of codebooks, each of k * dsub values. */
    void validateShape(Path file, int codebooks, int floatsPerCodebook) {
      String where = "--resume: the checkpoint file " + file;
      if (centroids.size() != codebooks) {
        throw new InvalidInputException(where + " holds " + centroids.size() + " codebooks; this run needs "
            + codebooks + "; delete it or drop --resume");
      }
      float[][] cs = decodeCentroids();
      for (int c = 0; c < cs.length; c++) {
        if (cs[c].length != floatsPerCodebook) {
          throw new InvalidInputException(where + ": codebook " + c + " has " + cs[c].length + " values, expected "
              + floatsPerCodebook + "; delete it or drop --resume");
        }
      }
    }

    public void storeCentroids(float[][] cs) {
      centroids.clear();
      for (float[] c : cs) {
        ByteBuffer b = ByteBuffer.allocate(c.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(c);
        centroids.add(Base64.getEncoder().encodeToString(b.array()));
      }
    }
  }

  private final Path dir;
  private final FileSystem fs;
  private final Map<String, String> fingerprint;

  private LloydCheckpoint(Path dir, FileSystem fs, Map<String, String> fingerprint) {
    this.dir = dir;
    this.fs = fs;
    this.fingerprint = fingerprint;
  }

  /** {@code <output>._ckpt}, qualified. */
  public static Path rootFor(String output, Configuration conf) throws IOException {
    Path out = new Path(output);
    FileSystem fs = out.getFileSystem(conf);
    out = fs.makeQualified(out);
    return new Path(out.getParent(), out.getName() + SUFFIX);
  }

  /** The checkpoint of one run (section null) or one decoder section. */
  public static LloydCheckpoint open(QuantizeRequest p, Manifest.Source source, String section,
      Configuration conf) {
    try {
      Path root = rootFor(p.run().output(), conf);
      Path dir = section == null ? root : new Path(root, section);
      FileSystem fs = dir.getFileSystem(conf);
      return new LloydCheckpoint(dir, fs, fingerprint(p.algorithm(), source, conf));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the checkpoint directory for --output " + p.run().output(), e);
    }
  }

  /**
   * What a checkpoint belongs to: every parameter that changes the Lloyd iterations, and the source's identity.
   * The source's sha256 is computed asynchronously (too late for this check), so its length and modification
   * time stand in for it. Partitioning, kernel and output are left out: results do not depend on them.
   */
  static Map<String, String> fingerprint(KMeansParams p, Manifest.Source source, Configuration conf)
      throws IOException {
    Map<String, String> f = new LinkedHashMap<>();
    f.put(KMeansParams.M, String.valueOf(p.m()));
    f.put(KMeansParams.K, String.valueOf(p.k()));
    f.put(KMeansParams.CODEBOOK, p.codebook().flagValue());
    f.put(KMeansParams.INIT, p.init().flagValue());
    f.put(KMeansParams.INIT_POINTS_PER_CENTROID, String.valueOf(p.initPointsPerCentroid()));
    f.put(KMeansParams.ITERATIONS, String.valueOf(p.iterations()));
    f.put(KMeansParams.TOL, String.valueOf(p.tol()));
    f.put(KMeansParams.MAX_POINTS_PER_CENTROID, String.valueOf(p.maxPointsPerCentroid()));
    f.put(KMeansParams.SEED, String.valueOf(p.seed()));
    f.put(InputSpec.TENSOR, String.valueOf(source.tensor));
    f.put("source-uri", source.uri);
    f.put("shape", Arrays.toString(source.shape));
    Path src = new Path(source.uri);
    FileSystem sfs = src.getFileSystem(conf);
    FileStatus st = sfs.getFileStatus(src);
    long length = st.isDirectory() ? sfs.getContentSummary(src).getLength() : st.getLen();
    f.put("source-length", String.valueOf(length));
    f.put("source-modified", String.valueOf(st.getModificationTime()));
    return f;
  }

  public Path dir() {
    return dir;
  }

  /**
   * The latest saved state if it matches this run; null (with a WARN) if there is none. A state of another run
   * is an InvalidInputException naming what differs: resuming it would silently mix two runs.
   */
  public State load(int codebooks, int floatsPerCodebook) {
    Path[] latest = new Path[1];
    // A damaged or crafted state (not JSON, truncated, bad base64, a codebook missing) is bad input naming the
    // file: exit 2, never a stack trace halfway into training.
    State s = InputBoundary.read("--resume: the checkpoint " + dir, "delete " + dir + " or drop --resume to start "
        + "from scratch", () -> {
          latest[0] = latestState();
          if (latest[0] == null) {
            return null;
          }
          State st;
          try (InputStream in = fs.open(latest[0])) {
            st = JSON.readValue(in, State.class);
          } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidInputException("--resume: the checkpoint file " + latest[0] + " is not a complete "
                + "checkpoint (" + Messages.quote(e.getOriginalMessage()) + "); delete " + dir + " or drop --resume", e);
          }
          if (st == null) {
            throw new InvalidInputException("--resume: the checkpoint file " + latest[0] + " is empty; delete "
                + dir + " or drop --resume");
          }
          st.validate(latest[0]);
          return st;
        });
    if (s == null) {
      LOG.warn("--resume: no checkpoint in {}; starting from scratch", dir);
      return null;
    }
    List<String> diffs = new ArrayList<>();
    for (String key : union(fingerprint, s.fingerprint)) {
      String was = s.fingerprint.get(key);
      String now = fingerprint.get(key);
      if (was == null ? now != null : !was.equals(now)) {
        diffs.add(key + " " + was + " in the checkpoint, " + now + " now");
      }
    }
    if (!diffs.isEmpty()) {
      throw new InvalidInputException("--resume: the checkpoint " + dir + " belongs to a different run ("
          + String.join("; ", diffs) + "); delete " + dir + " or drop --resume");
    }
    s.validateShape(latest[0], codebooks, floatsPerCodebook);
    LOG.info("resuming from {} after iteration {}", latest[0], s.iterationsDone);
    return s;
  }

  /** Removes a checkpoint left by an earlier run: a fresh run must not leave a mix of two runs' states. */
  public void clear() {
    try {
      if (fs.exists(dir) && fs.delete(dir, true)) {
        LOG.info("removed the old checkpoint {} (not resuming: no --resume)", dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the old checkpoint " + dir, e);
    }
  }

  /** Saves {@code s} (its fingerprint is set here) atomically, then drops older states. */
  public void save(State s) {
    s.fingerprint = fingerprint;
    String name = String.format("%s%09d%s", PREFIX, s.iterationsDone, EXT);
    Path target = new Path(dir, name);
    Path tmp = new Path(dir, "." + name + "." + UUID.randomUUID() + ".tmp");
    try {
      fs.mkdirs(dir);
      try (OutputStream os = fs.create(tmp, true)) {
        JSON.writeValue(os, s);
      }
      if (fs.exists(target)) {
        fs.delete(target, false);
      }
      if (!fs.rename(tmp, target)) {
        throw new IOException("could not rename " + tmp + " to " + target);
      }
      for (FileStatus st : fs.listStatus(dir, p -> isState(p.getName()) && !p.getName().equals(name))) {
        fs.delete(st.getPath(), false);
      }
      LOG.info("checkpoint after iteration {} written to {}", s.iterationsDone, target);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the checkpoint " + target, e);
    }
  }

  /** Deletes {@code <output>._ckpt} after the output was committed; failures are logged, not thrown. */
  public static void deleteAfterCommit(String output, Configuration conf) {
    try {
      Path root = rootFor(output, conf);
      FileSystem fs = root.getFileSystem(conf);
      if (fs.exists(root) && fs.delete(root, true)) {
        LOG.info("removed the checkpoint {}: the output is committed", root);
      }
    } catch (IOException e) {
      LOG.warn("could not remove the checkpoint next to {}: {}; delete it by hand", output, e.getMessage());
    }
  }

  private Path latestState() throws IOException {
    if (!fs.exists(dir)) {
      return null;
    }
    Path best = null;
    // Zero-padded iteration numbers: the greatest name is the latest state.
    for (FileStatus st : fs.listStatus(dir, p -> isState(p.getName()))) {
      if (best == null || st.getPath().getName().compareTo(best.getName()) > 0) {
        best = st.getPath();
      }
    }
    return best;
  }

  private static boolean isState(String name) {
    return name.startsWith(PREFIX) && name.endsWith(EXT);
  }

  private static List<String> union(Map<String, String> a, Map<String, String> b) {
    List<String> keys = new ArrayList<>(a.keySet());
    for (String k : b.keySet()) {
      if (!keys.contains(k)) {
        keys.add(k);
      }
    }
    return keys;
  }
}
