package dev.asg.common.kmeans;

import dev.asg.common.FlagChecks;

/**
 * The k-means problem of one ASG run, validated (in the style of faiss's {@code ClusteringParameters}). Each
 * field's key is its command-line flag without dashes, also its key in conf/asg-defaults.properties (where each
 * default's reason is written) and in manifest.params.
 *
 * @param m segments per row (the paper's m); must divide D, checked against the table by the engine
 * @param k centroids per codebook; a ConceptID must fit in an int and a codebook in one driver array
 * @param codebook one codebook per segment position (the paper) or one pooled over all segments
 * @param init how the first centroids are picked
 * @param initPointsPerCentroid the driver-side k-means++ sample per centroid: seeding costs O(sample * k * dsub);
 *     above {@link GroupedSeeding#GROUP_CENTROIDS} centroids it runs in ceil(k / that) independent groups (1/G of
 *     the cost, on every core), since k sequential passes over 16 k points grow with k^2
 * @param iterations Lloyd iterations to run at most
 * @param tol stop once the objective moves less than this fraction; 0 runs every iteration, as faiss does
 * @param maxPointsPerCentroid train on a deterministic hash sample above k * this many points per codebook
 * @param seed the seed of every sample, the initial centroids and empty-cluster splits
 */
public record KMeansParams(int m, int k, CodebookMode codebook, Init init, int initPointsPerCentroid,
    int iterations, double tol, int maxPointsPerCentroid, long seed) implements java.io.Serializable {

  public static final String M = "m";
  public static final String K = "k";
  public static final String CODEBOOK = "codebook";
  public static final String INIT = "init";
  public static final String INIT_POINTS_PER_CENTROID = "init-points-per-centroid";
  public static final String ITERATIONS = "iterations";
  public static final String TOL = "tol";
  public static final String MAX_POINTS_PER_CENTROID = "max-points-per-centroid";
  public static final String SEED = "seed";

  /** Highest m and k we accept: a ConceptID must fit in an int and the codebook in one driver array. */
  public static final int MAX_M = 65536;
  public static final int MAX_K = 1 << 20;
  public static final int MAX_ITERATIONS = 100000;

  /** The values of conf/asg-defaults.properties, where their reasons are (AsgDefaultsTest keeps the two equal). */
  public static final KMeansParams DEFAULTS =
      new KMeansParams(48, 512, CodebookMode.SEPARATE, Init.KMEANS_PLUS_PLUS, 16, 25, 0.0, 256, 1234L);

  /** How the first centroids are picked. */
  public enum Init implements FlagChecks.Choice {
    /** k-means++ on a small driver-side sample: fewer iterations to a good optimum than random picks. */
    KMEANS_PLUS_PLUS("kmeans++"),
    /** k distinct sample points. */
    RANDOM("random");

    private final String flagValue;

    Init(String flagValue) {
      this.flagValue = flagValue;
    }

    @Override
    public String flagValue() {
      return flagValue;
    }

    /** Parses {@code --init}'s value; a bad one fails naming the flag and the allowed values. */
    public static Init parse(String v) {
      return FlagChecks.parse(Init.class, INIT, v);
    }
  }

  public KMeansParams {
    FlagChecks.checkRange(M, m, 1, MAX_M, "the number of segments per row");
    FlagChecks.checkRange(K, k, 2, MAX_K, "centroids per codebook");
    FlagChecks.checkRange(ITERATIONS, iterations, 1, MAX_ITERATIONS, "Lloyd iterations");
    FlagChecks.checkRange(MAX_POINTS_PER_CENTROID, maxPointsPerCentroid, 1, Integer.MAX_VALUE,
        "training points per centroid before sampling");
    FlagChecks.checkRange(INIT_POINTS_PER_CENTROID, initPointsPerCentroid, 1, 1 << 16,
        "k-means++ sample per centroid");
    FlagChecks.require(tol >= 0 && tol < 1, "--" + TOL + " " + tol + " is not allowed; --" + TOL
        + " must be in [0, 1) (0 = run every iteration)");
    FlagChecks.require(codebook != null, "--" + CODEBOOK + " is required: separate or shared");
    FlagChecks.require(init != null, "--" + INIT + " is required: kmeans++ or random");
  }

  /** Parses {@code --codebook}'s value (any case); a bad one fails naming the flag and the allowed values. */
  public static CodebookMode parseCodebook(String v) {
    return FlagChecks.parseIgnoreCase(CodebookMode.class, CODEBOOK, v);
  }

  /** Codebooks trained: m when separate, 1 when shared. */
  public int codebooks() {
    return codebook.codebooks(m);
  }

  /**
   * Checks the parameters that depend on the table (rows x dim). Throws InvalidInputException naming the flag,
   * the value and the allowed range.
   */
  public void validateAgainst(long rows, int dim, String tableName) {
    if (dim % m != 0) {
      throw new dev.asg.common.InvalidInputException("--" + M + " " + m + " does not divide the embedding "
          + "dimension D=" + dim + " of " + tableName + "; --" + M + " must be a divisor of " + dim + " ("
          + divisors(dim) + ")");
    }
    long points = codebook == CodebookMode.SEPARATE ? rows : rows * m;
    if (k > points) {
      throw new dev.asg.common.InvalidInputException("--" + K + " " + k + " exceeds the " + points
          + " training points of " + tableName + " (" + rows + " rows, " + codebook.flagValue() + " codebook"
          + (codebook == CodebookMode.SHARED ? " pools " + m + " segments per row" : "") + "); --" + K
          + " must be in [2, " + points + "]");
    }
  }

  private static String divisors(int n) {
    StringBuilder sb = new StringBuilder();
    int shown = 0;
    for (int d = 1; d <= n && shown < 16; d++) {
      if (n % d == 0) {
        sb.append(shown++ == 0 ? "" : ", ").append(d);
      }
    }
    return shown < 16 ? sb.toString() : sb.append(", ...").toString();
  }
}
