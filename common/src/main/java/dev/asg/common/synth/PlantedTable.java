package dev.asg.common.synth;

import dev.asg.common.tensor.DType;
import dev.asg.common.tensor.SafetensorsShardedWriter;
import dev.asg.common.tensor.SafetensorsWriter;
import dev.asg.common.tensor.TensorDecl;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A synthetic embedding table with known product-quantization structure, for tests and benchmarks that need a
 * ground truth: each row is split into m segments of dsub = dim / m values; each segment is a planted centroid
 * (components ~ N(0, 1)) chosen uniformly among k, plus independent N(0, noise^2) per element.
 *
 * <p>Rows are generated on demand and each row's randomness comes only from (seed, row), so any row range can be
 * produced independently (by any executor, in any chunking) and always gives the same values. Centroids come from
 * their own stream derived from the seed. Gaussians use {@link SplittableRandom#nextGaussian()} (the JDK's
 * ziggurat), so the values are identical for a given seed on the same JDK release.
 */
public final class PlantedTable {
  /** How planted centroids relate across segments. */
  public enum Mode {
    /**
     * One set of k centroids of dim dsub reused by every segment: both "separate" (one codebook per segment) and
     * "shared" (one pooled codebook) k-means can recover it, so it is the default for comparing the two.
     */
    SHARED,
    /** An independent set of k centroids per segment: only separate codebooks can recover it with k centroids. */
    SEPARATE
  }

  /** The tensor name written by default: BERT/XLM-R naming, so auto-detection finds it like a real checkpoint. */
  public static final String DEFAULT_TENSOR = "embeddings.word_embeddings.weight";

  /** Rows per chunk when writing a file: ~1-4 MiB of floats at typical dims, bounded memory for any table. */
  private static final int WRITE_CHUNK_ROWS = 1024;

  private final int rows;
  private final int dim;
  private final int m;
  private final int k;
  private final double noise;
  private final long seed;
  private final Mode mode;
  private final int dsub;
  /** [set][c * dsub + j]; one set for SHARED, m sets for SEPARATE. */
  private final float[][] centroids;

  /**
   * @throws IllegalArgumentException unless rows >= 1, dim >= 1, m >= 1, dim % m == 0, k >= 1, noise finite >= 0
   */
  public PlantedTable(int rows, int dim, int m, int k, double noise, long seed, Mode mode) {
    if (rows < 1 || dim < 1 || m < 1 || k < 1) {
      throw new IllegalArgumentException("rows, dim, m and k must be >= 1, got rows=" + rows + " dim=" + dim
          + " m=" + m + " k=" + k);
    }
    if (dim % m != 0) {
      throw new IllegalArgumentException("dim " + dim + " is not divisible by m " + m);
    }
    if (!(noise >= 0) || Double.isInfinite(noise)) {
      throw new IllegalArgumentException("noise must be finite and >= 0, got " + noise);
    }
    if (mode == null) {
      throw new IllegalArgumentException("mode must not be null");
    }
    this.rows = rows;
    this.dim = dim;
    this.m = m;
    this.k = k;
    this.noise = noise;
    this.seed = seed;
    this.mode = mode;
    this.dsub = dim / m;
    // A row stream uses mix(seed) + row with row >= 0, so this stream (mix(seed) - 1) never coincides with one.
    SplittableRandom rnd = new SplittableRandom(mix64(seed) - 1);
    this.centroids = new float[mode == Mode.SHARED ? 1 : m][(int) checkedSize((long) k * dsub)];
    for (float[] set : centroids) {
      for (int i = 0; i < set.length; i++) {
        set[i] = (float) rnd.nextGaussian();
      }
    }
  }

  /** A {@link Mode#SHARED} table. */
  public PlantedTable(int rows, int dim, int m, int k, double noise, long seed) {
    this(rows, dim, m, k, noise, seed, Mode.SHARED);
  }

  private static long checkedSize(long n) {
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("k * dim/m = " + n + " centroid values do not fit in one array");
    }
    return n;
  }

  public int rows() {
    return rows;
  }

  public int dim() {
    return dim;
  }

  public int m() {
    return m;
  }

  public int k() {
    return k;
  }

  public int dsub() {
    return dsub;
  }

  public double noise() {
    return noise;
  }

  public long seed() {
    return seed;
  }

  public Mode mode() {
    return mode;
  }

  /**
   * The planted centroids per segment: {@code [segment][c * dsub + j]}, m arrays of k * dsub values (copies; for
   * {@link Mode#SHARED} all m are equal).
   */
  public float[][] plantedCentroids() {
    float[][] out = new float[m][];
    for (int s = 0; s < m; s++) {
      out[s] = centroids[setOf(s)].clone();
    }
    return out;
  }

  /** The planted centroid index of each segment of {@code row}. */
  public int[] plantedAssignment(int row) {
    checkRow(row, 1);
    int[] a = new int[m];
    SplittableRandom rnd = rowRandom(row);
    for (int s = 0; s < m; s++) {
      a[s] = rnd.nextInt(k);
    }
    return a;
  }

  /**
   * Expected noise energy over expected total energy of a row, given these planted centroids:
   * noise^2 * dim / (mean planted centroid energy + noise^2 * dim). Each row picks centroids uniformly, so the
   * signal term is the mean squared norm over the planted sets; noise is independent with mean zero, so energies
   * add.
   */
  public double noiseEnergyFraction() {
    double signal = 0;
    for (int s = 0; s < m; s++) {
      float[] set = centroids[setOf(s)];
      double sum = 0;
      for (float v : set) {
        sum += (double) v * v;
      }
      signal += sum / k;
    }
    double noiseEnergy = noise * noise * dim;
    double total = signal + noiseEnergy;
    return total == 0 ? 0 : noiseEnergy / total;
  }

  /** Fills {@code dst[dstOff ..]} with rows {@code [firstRow, firstRow + nRows)}, row-major. */
  public void fillRows(int firstRow, int nRows, float[] dst, int dstOff) {
    checkRow(firstRow, nRows);
    if (dstOff < 0 || dstOff + (long) nRows * dim > dst.length) {
      throw new IllegalArgumentException("destination of " + dst.length + " floats cannot hold " + nRows
          + " rows of " + dim + " at offset " + dstOff);
    }
    for (int r = 0; r < nRows; r++) {
      int row = firstRow + r;
      SplittableRandom rnd = rowRandom(row);
      int base = dstOff + r * dim;
      // The m assignment draws come first, then the dim noise draws: plantedAssignment replays the first part.
      for (int s = 0; s < m; s++) {
        int c = rnd.nextInt(k);
        System.arraycopy(centroids[setOf(s)], c * dsub, dst, base + s * dsub, dsub);
      }
      if (noise > 0) {
        for (int j = 0; j < dim; j++) {
          dst[base + j] += (float) (noise * rnd.nextGaussian());
        }
      }
    }
  }

  /** Writes the table to a safetensors file under {@link #DEFAULT_TENSOR}. */
  public void writeSafetensors(Path out, DType dtype) throws IOException {
    writeSafetensors(out, dtype, DEFAULT_TENSOR);
  }

  /**
   * Writes the table as one 2-D tensor, streaming {@value #WRITE_CHUNK_ROWS} rows at a time, with the generation
   * parameters in the file's metadata so a benchmark file records how it was made.
   */
  public void writeSafetensors(Path out, DType dtype, String tensorName) throws IOException {
    try (SafetensorsWriter w = SafetensorsWriter.create(out, List.of(new TensorDecl(tensorName, dtype, rows, dim)),
        metadata())) {
      writeTable(w::writeRows);
    }
  }

  /**
   * Writes a sharded checkpoint into {@code dir} the way Hugging Face lays a large model out: {@code shards}
   * files plus {@link dev.asg.common.tensor.SafetensorsIndex#DEFAULT_FILE_NAME}. A tensor lives whole in one shard,
   * so the table goes into the first shard (where Llama-style checkpoints keep {@code embed_tokens}) and every
   * other shard holds one 1 x dim stand-in for a layer's weights (all ones), so a reader must follow the index.
   *
   * @return the index file, the path to quantize
   */
  public Path writeShardedSafetensors(Path dir, DType dtype, String tensorName, int shards) throws IOException {
    if (shards < 2) {
      throw new IllegalArgumentException("a sharded checkpoint needs at least 2 shards, got " + shards);
    }
    List<List<TensorDecl>> layout = new ArrayList<>();
    layout.add(List.of(new TensorDecl(tensorName, dtype, rows, dim)));
    for (int s = 1; s < shards; s++) {
      layout.add(List.of(new TensorDecl("model.layers." + (s - 1) + ".input_layernorm.weight", dtype, 1, dim)));
    }
    java.nio.file.Files.createDirectories(dir);
    try (SafetensorsShardedWriter w = SafetensorsShardedWriter.create(dir, layout, metadata())) {
      writeTable(w::writeRows);
      float[] ones = new float[dim];
      Arrays.fill(ones, 1f);
      for (int s = 1; s < shards; s++) {
        w.writeRows(ones, 0, 1);
      }
      return w.indexPath();
    }
  }

  private interface RowSink {
    void writeRows(float[] rows, int off, int nRows) throws IOException;
  }

  /** Streams every row to {@code sink}, {@value #WRITE_CHUNK_ROWS} rows at a time (bounded memory). */
  private void writeTable(RowSink sink) throws IOException {
    int chunkRows = Math.max(1, Math.min(rows, WRITE_CHUNK_ROWS));
    float[] buf = new float[(int) checkedSize((long) chunkRows * dim)];
    for (int r = 0; r < rows; r += chunkRows) {
      int n = Math.min(chunkRows, rows - r);
      fillRows(r, n, buf, 0);
      sink.writeRows(buf, 0, n);
    }
  }

  /** The generation parameters, in the file's metadata so a benchmark file records how it was made. */
  private Map<String, String> metadata() {
    Map<String, String> md = new LinkedHashMap<>();
    md.put("asg.synth", String.format(Locale.ROOT, "planted rows=%d dim=%d m=%d k=%d noise=%s seed=%d mode=%s",
        rows, dim, m, k, Double.toString(noise), seed, mode));
    return md;
  }

  private int setOf(int segment) {
    return mode == Mode.SHARED ? 0 : segment;
  }

  private void checkRow(int firstRow, int nRows) {
    if (firstRow < 0 || nRows < 0 || (long) firstRow + nRows > rows) {
      throw new IllegalArgumentException("rows [" + firstRow + ", " + ((long) firstRow + nRows)
          + ") are outside the table of " + rows + " rows");
    }
  }

  private SplittableRandom rowRandom(int row) {
    return new SplittableRandom(mix64(seed) + row);
  }

  /** SplitMix64's finalizer: spreads nearby seeds apart so seed s row r and seed s+1 row r-1 are unrelated. */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
