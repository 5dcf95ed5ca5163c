package dev.asg.spark.io;

import dev.asg.common.InputBoundary;
import dev.asg.common.InvalidInputException;
import dev.asg.common.Messages;
import dev.asg.common.io.RangeSource;
import dev.asg.common.tensor.SafetensorsFormat;
import dev.asg.common.tensor.SafetensorsIndex;
import dev.asg.common.tensor.TableSpec;
import dev.asg.common.tensor.npy.NpyFormat;
import dev.asg.common.tensor.onnx.OnnxFormat;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Driver side: finds the embedding table inside the input file by reading only its header, and returns where
 * its rows are. The table itself is never read here.
 */
public final class TableResolver {
  private TableResolver() {}

  /** Resolves {@code input} in format {@code format} ("auto" detects it) to a byte-range table. */
  public static TableSpec resolve(String input, String format, String tensor, Configuration conf) {
    return InputBoundary.read("--input " + Messages.quote(input), ADVICE,
        () -> resolveHeader(input, format, tensor, conf));
  }

  /** What a failed read of the input tells the user to do. */
  private static final String ADVICE = "check the path and that the file is complete";

  private static TableSpec resolveHeader(String input, String format, String tensor, Configuration conf) {
    String fmt = format.equals("auto") ? detect(input, conf) : format;
    try (RangeSource src = open(input, conf)) {
      switch (fmt) {
        case "safetensors":
          return SafetensorsFormat.resolve(src, tensor);
        case "onnx":
          return OnnxFormat.resolve(src, tensor);
        case "npy":
          if (tensor != null) {
            throw new InvalidInputException("--tensor " + tensor + " does not apply to " + input
                + ": a .npy file holds exactly one array; drop --tensor");
          }
          return NpyFormat.resolve(src);
        default:
          // Parquet has no byte range per row: QuantizePlan reads it with Spark (engine.ParquetTableSource).
          throw new InvalidInputException("--input-format " + fmt + " (" + input + ") cannot be read by byte "
              + "ranges; Parquet tables are read with Spark through QuantizePlan");
      }
    } catch (IOException e) {
      throw new InvalidInputException("--input " + input + ": cannot read (" + Messages.quote(e.getMessage())
          + "); check the path and "
          + "that the file is complete", e);
    }
  }

  /**
   * The input's format: by extension first (.safetensors, .json index, .onnx, .npy, .parquet or a directory),
   * then by magic bytes.
   */
  public static String detect(String input, Configuration conf) {
    return InputBoundary.read("--input " + Messages.quote(input), ADVICE, () -> detectFormat(input, conf));
  }

  private static String detectFormat(String input, Configuration conf) {
    String lower = input.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".safetensors") || lower.endsWith(".safetensors.index.json")) {
      return "safetensors";
    }
    if (lower.endsWith(".onnx")) {
      return "onnx";
    }
    if (lower.endsWith(".npy")) {
      return "npy";
    }
    if (lower.endsWith(".parquet")) {
      return "parquet";
    }
    try {
      Path p = HadoopRangeSource.toPath(input);
      FileSystem fs = p.getFileSystem(conf);
      if (!fs.exists(p)) {
        throw new InvalidInputException("--input " + input + " does not exist; pass a .safetensors, "
            + "model.safetensors.index.json, .onnx, .npy file or a Parquet directory");
      }
      if (fs.getFileStatus(p).isDirectory()) {
        return "parquet";
      }
      try (RangeSource src = open(input, conf)) {
        long len = src.length();
        byte[] head = new byte[(int) Math.min(16, len)];
        src.readFully(0, head, 0, head.length);
        if (head.length >= 6 && (head[0] & 0xff) == 0x93 && head[1] == 'N' && head[2] == 'U' && head[3] == 'M'
            && head[4] == 'P' && head[5] == 'Y') {
          return "npy";
        }
        if (head.length >= 9 && head[8] == '{') {
          return "safetensors";
        }
        if (head.length >= 4 && (head[0] & 0xff) == 0x50 && head[1] == 'A' && head[2] == 'R'
            && head[3] == '1') {
          return "parquet";
        }
        if (head.length >= 1 && head[0] == 0x08) {
          // ModelProto.ir_version (field 1, varint) is what every ONNX exporter writes first.
          return "onnx";
        }
      }
    } catch (IOException e) {
      throw new InvalidInputException("--input " + input + ": cannot read (" + Messages.quote(e.getMessage()) + ")", e);
    }
    throw new InvalidInputException("--input " + input + ": cannot tell its format from the extension or the "
        + "first bytes; pass --input-format safetensors|onnx|npy|parquet");
  }

  /**
   * Every shard file a sharded checkpoint's index lists (as paths next to the index), so an output can be checked
   * against all of them; empty for any other input.
   */
  public static List<String> shardPaths(String input, Configuration conf) {
    if (!input.toLowerCase(Locale.ROOT).endsWith(".safetensors.index.json")) {
      return List.of();
    }
    return InputBoundary.read("--input " + Messages.quote(input), ADVICE, () -> {
      try (RangeSource src = open(input, conf)) {
        Path parent = HadoopRangeSource.toPath(input).getParent();
        List<String> out = new ArrayList<>();
        for (String shard : SafetensorsIndex.read(src).shards()) {
          out.add(new Path(parent, shard).toString());
        }
        return out;
      }
    });
  }

  static RangeSource open(String input, Configuration conf) throws IOException {
    try {
      return HadoopRangeSource.open(input, conf);
    } catch (FileNotFoundException e) {
      throw new InvalidInputException("--input " + Messages.quote(input) + " does not exist; check the path or URI",
          e);
    } catch (HadoopRangeSource.NotAFileException e) {
      throw new InvalidInputException("--input " + Messages.quote(input) + ": " + e.getMessage() + "; pass a "
          + ".safetensors, model.safetensors.index.json, .onnx or .npy file, or a Parquet file or directory", e);
    }
  }
}
