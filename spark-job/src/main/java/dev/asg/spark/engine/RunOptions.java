package dev.asg.spark.engine;

import dev.asg.common.FlagChecks;
import dev.asg.common.kmeans.Pruning;
import java.io.Serializable;

/**
 * Where a quantize run writes and how it executes, validated. Keys are the flags without dashes, as in
 * conf/asg-defaults.properties (defaults and their reasons) and manifest.params.
 *
 * @param output the artifact directory to create
 * @param overwrite replace an existing artifact: nightly jobs must not silently clobber yesterday's
 * @param partitions row-range partitions; 0 derives them from the table's size and partitionMb
 * @param partitionMb MB of float32 rows per partition when partitions is 0: HDFS-block sized reads
 * @param kernel the assignment kernel
 * @param pruning whether bounds may skip distances (exact: bit-identical to off, which is brute force)
 * @param checkpointEvery write the Lloyd state to {@code <output>._ckpt} after every N-th iteration; 0 = never
 * @param resume continue from a matching checkpoint; a fresh run must not depend on leftovers unless asked
 */
public record RunOptions(String output, boolean overwrite, int partitions, int partitionMb, Kernel kernel,
    Pruning pruning, int checkpointEvery, boolean resume) implements Serializable {
  public static final String OUTPUT = "output";
  public static final String OVERWRITE = "overwrite";
  public static final String PARTITIONS = "partitions";
  public static final String PARTITION_MB = "partition-mb";
  public static final String KERNEL = "kernel";
  public static final String PRUNING = Pruning.FLAG;
  public static final String CHECKPOINT_EVERY = "checkpoint-every";
  public static final String RESUME = "resume";

  public static final int MAX_PARTITIONS = 1000000;

  /** Defaults as in conf/asg-defaults.properties (reasons there; AsgDefaultsTest keeps the two equal). */
  public static final int PARTITIONS_DEFAULT = 0;
  public static final int PARTITION_MB_DEFAULT = 64;
  public static final Kernel KERNEL_DEFAULT = Kernel.AUTO;
  public static final Pruning PRUNING_DEFAULT = Pruning.EXACT;
  public static final int CHECKPOINT_EVERY_DEFAULT = 0;

  /**
   * {@code --kernel}: AUTO picks the Vector API kernel when the JVM has it, else the bit-identical scalar one;
   * VECTOR is the widest width the CPU runs natively; the two VECTOR_ widths force one (tests, the bench).
   */
  public enum Kernel implements FlagChecks.Choice {
    AUTO, VECTOR, VECTOR_256, VECTOR_512, SCALAR;

    @Override
    public String flagValue() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** Parses {@code --kernel}'s value; a bad one fails naming the flag and the allowed values. */
    public static Kernel parse(String v) {
      return FlagChecks.parse(Kernel.class, KERNEL, v);
    }
  }

  public RunOptions {
    FlagChecks.require(output != null && !output.isBlank(), "--" + OUTPUT
        + " is required: the artifact directory to write");
    FlagChecks.checkRange(PARTITIONS, partitions, 0, MAX_PARTITIONS, "row-range partitions (0 = from table size)");
    FlagChecks.checkRange(CHECKPOINT_EVERY, checkpointEvery, 0, dev.asg.common.kmeans.KMeansParams.MAX_ITERATIONS,
        "Lloyd iterations between checkpoints (0 = none)");
    FlagChecks.checkRange(PARTITION_MB, partitionMb, 1, 1 << 16, "MB of float32 rows per partition");
    FlagChecks.require(kernel != null, "--" + KERNEL + " is required: auto, vector or scalar");
    FlagChecks.require(pruning != null, "--" + PRUNING + " is required: exact or off");
  }
}
