package dev.asg.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asg.common.io.LocalFileRangeSource;
import dev.asg.common.io.RangeSource;
import dev.asg.common.tensor.DType;
import dev.asg.common.tensor.RowReader;
import dev.asg.common.tensor.SafetensorsFormat;
import dev.asg.common.tensor.TableSpec;
import dev.asg.common.tensor.onnx.OnnxFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Derived benchmark tables: the first N rows of a table (scale curve) or an ONNX table (faiss only reads
 * safetensors), written as a float32 safetensors file with the project's readers doing the decoding.
 */
final class Tables {
  static final String TENSOR = "embeddings.word_embeddings.weight";
  private static final int CHUNK_ROWS = 4096;

  private Tables() {}

  static TableSpec spec(Path file) throws IOException {
    try (RangeSource src = new LocalFileRangeSource(file)) {
      return file.toString().endsWith(".onnx") ? OnnxFormat.resolve(src, null) : SafetensorsFormat.resolve(src, null);
    }
  }

  /**
   * Writes the first {@code rows} rows of {@code in} as float32 safetensors. Skipped when {@code out} already holds
   * a float32 table of exactly that shape, written after {@code in} last changed; any other file there (an earlier
   * run with another V, say a --quick one, a regenerated source, or a half-written file) is replaced, so a cached
   * table never stands in for a different one.
   */
  static void writeF32(Path in, int rows, Path out) throws IOException {
    TableSpec spec = spec(in);
    int dim = spec.dim();
    rows = Math.min(rows, spec.rows());
    if (upToDate(out, in, rows, dim)) {
      return;
    }
    long bytes = (long) rows * dim * Float.BYTES;
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("dtype", "F32");
    t.put("shape", List.of(rows, dim));
    t.put("data_offsets", List.of(0L, bytes));
    Map<String, Object> header = new LinkedHashMap<>();
    header.put(TENSOR, t);
    StringBuilder json = new StringBuilder(new ObjectMapper().writeValueAsString(header));
    while (json.length() % 8 != 0) {
      json.append(' '); // the format pads the header with spaces to an 8-byte boundary
    }
    byte[] h = json.toString().getBytes(StandardCharsets.UTF_8);
    Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
    try (RangeSource src = new LocalFileRangeSource(in); OutputStream os = Files.newOutputStream(tmp)) {
      os.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
      os.write(h);
      float[] buf = new float[CHUNK_ROWS * dim];
      ByteBuffer bb = ByteBuffer.allocate(buf.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      for (int r = 0; r < rows; r += CHUNK_ROWS) {
        int n = Math.min(CHUNK_ROWS, rows - r);
        RowReader.readRows(src, spec, r, n, buf, 0);
        bb.clear();
        bb.asFloatBuffer().put(buf, 0, n * dim);
        os.write(bb.array(), 0, n * dim * Float.BYTES);
      }
    }
    Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Whether {@code cached} is a float32 table of {@code rows} x {@code dim} written after {@code source} changed. */
  private static boolean upToDate(Path cached, Path source, int rows, int dim) {
    try {
      TableSpec s = spec(cached);
      return s.rows() == rows && s.dim() == dim && s.dtype() == DType.F32
          && !Files.getLastModifiedTime(cached).toInstant().isBefore(Files.getLastModifiedTime(source).toInstant());
    } catch (IOException | RuntimeException e) {
      return false; // missing, unreadable or not safetensors: (re)write it
    }
  }
}
