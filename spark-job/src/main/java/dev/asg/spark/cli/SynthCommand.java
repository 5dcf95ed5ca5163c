package dev.asg.spark.cli;

import dev.asg.common.InvalidInputException;
import dev.asg.common.synth.PlantedTable;
import dev.asg.common.tensor.DType;
import dev.asg.common.tensor.SafetensorsIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code asg synth}: writes a safetensors table with planted product-quantization structure (each row = the
 * concatenation of planted centroids + Gaussian noise) for tests and benchmarks.
 */
@Command(name = "synth", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Write a synthetic embedding table with planted PQ structure as .safetensors.")
public final class SynthCommand implements Callable<Integer> {
  @Option(names = "--rows", required = true, paramLabel = "V", description = "Rows (tokens).")
  int rows;

  @Option(names = "--dim", required = true, paramLabel = "D", description = "Columns.")
  int dim;

  @Option(names = "--m", required = true, paramLabel = "M", description = "Planted segments; must divide D.")
  int m;

  @Option(names = "--k", required = true, paramLabel = "K", description = "Planted centroids per segment.")
  int k;

  @Option(names = "--noise", defaultValue = "0.01", paramLabel = "S",
      description = "Noise standard deviation; planted centroid components are N(0,1) (default: ${DEFAULT-VALUE}).")
  double noise;

  @Option(names = "--dtype", defaultValue = "f32", paramLabel = "T", description = "f32, f16 or bf16.")
  String dtype;

  @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "Seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--planted", defaultValue = "shared", paramLabel = "MODE",
      description = "shared: one planted codebook reused by every segment (both codebook modes can recover it); "
          + "separate: one per segment (default: ${DEFAULT-VALUE}).")
  String planted;

  @Option(names = "--tensor", defaultValue = PlantedTable.DEFAULT_TENSOR, paramLabel = "NAME",
      description = "Tensor name (default: ${DEFAULT-VALUE}).")
  String tensor;

  @Option(names = "--shards", defaultValue = "1", paramLabel = "N",
      description = "1: one .safetensors file; N >= 2: a Hugging Face sharded checkpoint in the --output directory "
          + "(N shard files and model.safetensors.index.json, the path to quantize); the table fills the first "
          + "shard, the others hold small stand-in tensors (default: ${DEFAULT-VALUE}).")
  int shards;

  @Option(names = "--output", required = true, paramLabel = "PATH",
      description = "The .safetensors file to write, or the directory for --shards N >= 2.")
  Path output;

  @Option(names = "--overwrite", description = "Replace an existing file.")
  boolean overwrite;

  @Override
  public Integer call() throws Exception {
    if (rows < 1) {
      throw new InvalidInputException("--rows " + rows + " is out of range; --rows must be >= 1");
    }
    if (dim < 1) {
      throw new InvalidInputException("--dim " + dim + " is out of range; --dim must be >= 1");
    }
    if (m < 1 || dim % m != 0) {
      throw new InvalidInputException("--m " + m + " does not divide --dim " + dim + "; --m must be a divisor of "
          + dim);
    }
    if (k < 1) {
      throw new InvalidInputException("--k " + k + " is out of range; --k must be >= 1");
    }
    if (!(noise >= 0) || Double.isInfinite(noise)) {
      throw new InvalidInputException("--noise " + noise + " is out of range; --noise must be finite and >= 0");
    }
    DType t = parseDtype(dtype);
    PlantedTable.Mode mode = parseMode(planted);
    if (shards < 1) {
      throw new InvalidInputException("--shards " + shards + " is out of range; --shards must be >= 1");
    }
    if (shards > 1) {
      return writeSharded(t, mode);
    }
    if (Files.exists(output) && !overwrite) {
      throw new dev.asg.common.OutputExistsException("--output " + output + " already exists; pass --overwrite to replace it");
    }
    Path tmp = output.resolveSibling(output.getFileName() + ".tmp");
    new PlantedTable(rows, dim, m, k, noise, seed, mode).writeSafetensors(tmp, t, tensor);
    Files.move(tmp, output, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    System.err.printf(Locale.ROOT, "wrote %s: %d x %d %s, planted %s m=%d k=%d noise=%s%n", output, rows, dim, t,
        planted, m, k, noise);
    return AsgMain.EXIT_OK;
  }

  /** --shards N >= 2: the checkpoint directory; an existing index is only replaced with --overwrite. */
  private int writeSharded(DType t, PlantedTable.Mode mode) throws Exception {
    if (Files.exists(output) && !Files.isDirectory(output)) {
      throw new InvalidInputException("--output " + output + " is a file; with --shards " + shards
          + " --output must be a directory (it gets the shards and " + SafetensorsIndex.DEFAULT_FILE_NAME + ")");
    }
    Path index = output.resolve(SafetensorsIndex.DEFAULT_FILE_NAME);
    if (Files.exists(index) && !overwrite) {
      throw new dev.asg.common.OutputExistsException("--output " + output + " already holds " + index.getFileName()
          + "; pass --overwrite to replace it");
    }
    Files.createDirectories(output);
    // The index goes last: an interrupted run leaves no index, so no half-written checkpoint can be quantized.
    Files.deleteIfExists(index);
    new PlantedTable(rows, dim, m, k, noise, seed, mode).writeShardedSafetensors(output, t, tensor, shards);
    System.err.printf(Locale.ROOT, "wrote %s: %d x %d %s in shard 1 of %d, planted %s m=%d k=%d noise=%s%n", index,
        rows, dim, t, shards, planted, m, k, noise);
    return AsgMain.EXIT_OK;
  }

  public static DType parseDtype(String s) {
    switch (s.toLowerCase(Locale.ROOT)) {
      case "f32":
        return DType.F32;
      case "f16":
        return DType.F16;
      case "bf16":
        return DType.BF16;
      default:
        throw new InvalidInputException("--dtype " + s + " is not allowed; --dtype must be one of: f32, f16, bf16");
    }
  }

  static PlantedTable.Mode parseMode(String s) {
    try {
      return PlantedTable.Mode.valueOf(s.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("--planted " + s + " is not allowed; --planted must be one of: shared, "
          + "separate");
    }
  }
}
