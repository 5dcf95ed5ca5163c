package dev.asg.tests.reliability;

import dev.asg.common.synth.PlantedTable;
import dev.asg.common.tensor.DType;
import dev.asg.common.tensor.SafetensorsWriter;
import dev.asg.common.tensor.TensorDecl;
import dev.asg.common.tensor.npy.NpyWriter;
import dev.asg.common.tensor.onnx.OnnxWriter;
import dev.asg.tests.TestTables;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes the inputs of the bad-input corpus ({@code bad-inputs/cases.json}) at test time: binary files are
 * generated rather than checked in, so each one's defect is visible in code. Malformed safetensors files are
 * assembled by hand (8-byte little-endian header length, JSON header, data) because the project's writer
 * refuses to produce them.
 */
final class BadInputFiles {
  /** Rows and columns of the well-formed tables: tiny, so a case that does reach Spark still takes seconds. */
  static final int ROWS = 200;
  static final int DIM = 32;
  private static final String TENSOR = PlantedTable.DEFAULT_TENSOR;

  private BadInputFiles() {}

  /** Writes the input of generator {@code generator} as {@code dir/file} and returns its path. */
  static Path generate(String generator, Path dir, String file) throws IOException {
    Path p = dir.resolve(file);
    switch (generator) {
      case "good" -> TestTables.safetensors(dir, file, table(), DType.F32);
      case "truncated" -> {
        TestTables.safetensors(dir, file, table(), DType.F32);
        try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
          raf.setLength(raf.length() - (long) ROWS * DIM * 4 / 2);
        }
      }
      case "header-length-beyond-file" -> rawSafetensors(p, 10_000, "{}".getBytes(StandardCharsets.UTF_8), 0);
      case "header-200mb" -> {
        // Only the 8-byte length claims 200 MB; the file is made that long sparsely so the claim is not refuted
        // by the file size alone: the reader must refuse it by its limit without allocating 200 MB.
        try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
          raf.write(le64(200L << 20));
          raf.setLength(8 + (200L << 20) + 64);
        }
      }
      case "empty" -> Files.write(p, new byte[0]);
      case "header-not-json" -> safetensors(p, "this is not json at all", new byte[0]);
      case "header-not-utf8" -> {
        byte[] json = header(TENSOR, "F32", "[20, 32]", 0, 20 * 32 * 4).getBytes(StandardCharsets.UTF_8);
        byte[] bad = new byte[json.length + 2];
        // "\xff\xfe" inside the tensor name: never valid UTF-8.
        System.arraycopy(json, 0, bad, 0, 2);
        bad[2] = (byte) 0xFF;
        bad[3] = (byte) 0xFE;
        System.arraycopy(json, 2, bad, 4, json.length - 2);
        rawSafetensors(p, bad.length, bad, 20 * 32 * 4);
      }
      case "offsets-overlap" -> safetensors(p, "{\"" + TENSOR + "\": " + entry("F32", "[10, 4]", 0, 160)
          + ", \"other.weight\": " + entry("F32", "[10, 4]", 80, 240) + "}", new byte[240]);
      case "offsets-gap" -> safetensors(p, header(TENSOR, "F32", "[10, 4]", 16, 176), new byte[176]);
      case "dtype-i64" -> safetensors(p, header(TENSOR, "I64", "[20, 32]", 0, 20 * 32 * 8), new byte[20 * 32 * 8]);
      case "one-d" -> safetensors(p, header(TENSOR, "F32", "[64]", 0, 256), new byte[256]);
      case "zero-rows" -> safetensors(p, header(TENSOR, "F32", "[0, 32]", 0, 0), new byte[0]);
      case "nan-row-7" -> withValueAt(p, 20, 7, Float.NaN);
      case "inf-row-3" -> withValueAt(p, 20, 3, Float.POSITIVE_INFINITY);
      case "index-missing-shard" -> Files.writeString(p, "{\"metadata\": {\"total_size\": 25600}, \"weight_map\": {\""
          + TENSOR + "\": \"model-00002-of-00002.safetensors\"}}");
      case "index-not-json" -> Files.writeString(p, "{\"weight_map\": ");
      case "onnx-empty" -> OnnxWriter.write(p, List.of());
      case "npy-3d" -> npy(p, "(2, 4, 8)", 2 * 4 * 8);
      case "npy-good" -> NpyWriter.write(p, values(ROWS * DIM), ROWS, DIM, false);
      case "parquet-null-vector" -> parquet(p, 1, null);
      case "parquet-wrong-length" -> parquet(p, 2, new float[DIM - 1]);
      case "parquet-duplicate-ids" -> parquet(p, 3, null);
      case "unknown-format" -> Files.write(p, "not a tensor file, just some bytes".getBytes(StandardCharsets.UTF_8));
      case "good-d16" -> TestTables.safetensors(dir, file,
          new PlantedTable(ROWS, 16, 4, 4, 0.1, 3, PlantedTable.Mode.SEPARATE), DType.F32);
      case "good-other" -> TestTables.safetensors(dir, file,
          new PlantedTable(ROWS, DIM, 4, 8, 0.1, 2, PlantedTable.Mode.SHARED), DType.F32);
      case "huge-value" -> withValueAt(p, 20, 9, 1e25f);
      case "npy-shape-overflow" -> npy(p, "(2147483647, 2147483647)", 0);
      case "npy-deep-nesting" -> npy(p, "[".repeat(5000) + "]".repeat(5000), 0);
      case "index-colon-shard" -> Files.writeString(p, "{\"metadata\": {}, \"weight_map\": {\"" + TENSOR
          + "\": \"model:00001.safetensors\"}}");
      case "onnx-many-initializers" -> Files.write(p, onnxEmptyInitializers(100_001));
      case "names-with-newlines" -> safetensors(p, "{\"a\\nat fake.Frame(X.java:1)\": " + entry("F32", "[4, 4]", 0, 64)
          + ", \"b\\nException in thread \\\"main\\\"\": " + entry("F32", "[4, 4]", 64, 128) + "}", new byte[128]);
      case "many-candidates" -> manyCandidates(p, 50_000);
      case "fifo" -> mkfifo(p);
      case "directory" -> Files.createDirectories(p);
      case "parquet-empty-dir" -> Files.createDirectories(p);
      case "parquet-only-success" -> Files.write(Files.createDirectories(p).resolve("_SUCCESS"), new byte[0]);
      case "parquet-readme" -> Files.writeString(Files.createDirectories(p).resolve("README.md"), "# embeddings\n");
      case "parquet-text-part" -> Files.writeString(Files.createDirectories(p).resolve("part-00000.parquet"),
          "this is not parquet\n");
      case "parquet-good" -> parquet(p, 0, null);
      case "parquet-truncated-part" -> damagePart(parquet(p, 0, null), 0, true);
      case "parquet-corrupt-second-part" -> damagePart(parquet(p, 0, null), 1, false);
      case "parquet-odd-column-names" -> sqlParquet(p, "cast(id as int) as `token.id`",
          "CASE WHEN id = 5 THEN NULL ELSE " + VECTOR + " END as `vec``tor`");
      case "parquet-id-near-long-max" -> sqlParquet(p, "CASE WHEN id = 19 THEN 9223372036854775806 ELSE id END as "
          + "token_id", VECTOR + " as embedding");
      case "parquet-id-far-gap" -> sqlParquet(p, "CASE WHEN id = 19 THEN 2000000000 ELSE id END as token_id",
          VECTOR + " as embedding");
      default -> throw new IllegalArgumentException("bad-inputs/cases.json names generator '" + generator
          + "', which BadInputFiles does not know; add it there");
    }
    return p;
  }

  /** A distinct float vector of DIM values per row id, as Spark SQL. */
  private static final String VECTOR = "transform(sequence(0, " + (DIM - 1) + "), d -> cast(id * 0.01 + d * 0.001 "
      + "as float))";

  /** A 20-row Parquet table with the two given column expressions over {@code id} 0..19. */
  private static void sqlParquet(Path p, String idExpr, String vectorExpr) {
    dev.asg.tests.LocalSpark.start("local[1]").range(20).selectExpr(idExpr, vectorExpr).coalesce(1).write()
        .parquet(p.toString());
  }

  /** Truncates part {@code index} (sorted by name) to half, or overwrites its middle with 0xFF bytes. */
  private static void damagePart(Path dir, int index, boolean truncate) throws IOException {
    List<Path> parts;
    try (var s = Files.list(dir)) {
      parts = s.filter(f -> f.getFileName().toString().endsWith(".parquet")).sorted().toList();
    }
    Path part = parts.get(index);
    try (RandomAccessFile raf = new RandomAccessFile(part.toFile(), "rw")) {
      long len = raf.length();
      if (truncate) {
        raf.setLength(len / 2);
      } else {
        byte[] junk = new byte[(int) (len / 2)];
        java.util.Arrays.fill(junk, (byte) 0xFF);
        raf.seek(4);
        raf.write(junk);
      }
    }
  }

  /** An ONNX ModelProto whose graph holds {@code n} empty initializers (field 5, length 0): 2 bytes each. */
  private static byte[] onnxEmptyInitializers(int n) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(0x08); // ir_version = 7
    out.write(0x07);
    out.write(0x3A); // graph, length-delimited
    long len = 2L * n;
    while (len >= 0x80) {
      out.write((int) (len & 0x7F) | 0x80);
      len >>>= 7;
    }
    out.write((int) len);
    for (int i = 0; i < n; i++) {
      out.write(0x2A);
      out.write(0x00);
    }
    return out.toByteArray();
  }

  /** {@code n} 2-D tensors of one float, none an embedding by name: the error lists them all as candidates. */
  private static void manyCandidates(Path p, int n) throws IOException {
    StringBuilder h = new StringBuilder("{");
    for (int i = 0; i < n; i++) {
      h.append(i == 0 ? "" : ", ").append("\"layer.").append(i).append(".w\": ")
          .append(entry("F32", "[1, 1]", 4L * i, 4L * i + 4));
    }
    safetensors(p, h.append('}').toString(), new byte[4 * n]);
  }

  private static void mkfifo(Path p) throws IOException {
    try {
      Process pr = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
      if (pr.waitFor() != 0) {
        throw new IOException("mkfifo " + p + " failed");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /**
   * A 20-row Parquet table (ids 0..19) in two parts with one defect: generator 0 none, 1 nulls row 5's vector, 2
   * gives row 5 the vector {@code bad}, 3 gives row 6 the id 5. Written with the test JVM's Spark.
   */
  private static Path parquet(Path p, int defect, float[] bad) {
    int rows = 20;
    Integer[] ids = new Integer[rows];
    float[][] vectors = new float[rows][];
    float[] v = values(rows * DIM);
    for (int r = 0; r < rows; r++) {
      ids[r] = r;
      vectors[r] = java.util.Arrays.copyOfRange(v, r * DIM, (r + 1) * DIM);
    }
    switch (defect) {
      case 0 -> { }
      case 1 -> vectors[5] = null;
      case 2 -> vectors[5] = bad;
      default -> ids[6] = 5;
    }
    return dev.asg.tests.ParquetTables.write(dev.asg.tests.LocalSpark.start("local[1]"), p, ids, vectors, false, 2);
  }

  static PlantedTable table() {
    return new PlantedTable(ROWS, DIM, 4, 8, 0.1, 1, PlantedTable.Mode.SHARED);
  }

  private static void withValueAt(Path p, int rows, int row, float value) throws IOException {
    float[] v = values(rows * DIM);
    v[row * DIM + 5] = value;
    try (SafetensorsWriter w = SafetensorsWriter.create(p, List.of(new TensorDecl(TENSOR, DType.F32, rows, DIM)),
        Map.of())) {
      w.writeRows(v, 0, rows);
    }
  }

  private static float[] values(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (i * 7919 % 101) * 0.01f;
    }
    return v;
  }

  private static String header(String name, String dtype, String shape, long begin, long end) {
    return "{\"" + name + "\": " + entry(dtype, shape, begin, end) + "}";
  }

  static String entry(String dtype, String shape, long begin, long end) {
    return "{\"dtype\": \"" + dtype + "\", \"shape\": " + shape + ", \"data_offsets\": [" + begin + ", " + end + "]}";
  }

  static void safetensors(Path p, String json, byte[] data) throws IOException {
    byte[] h = json.getBytes(StandardCharsets.UTF_8);
    rawSafetensors(p, h.length, h, data.length);
  }

  /** 8-byte length (as claimed, not necessarily true), header bytes, then {@code dataBytes} zero bytes. */
  private static void rawSafetensors(Path p, long claimedHeaderLength, byte[] header, int dataBytes)
      throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(claimedHeaderLength).put(header);
    Files.write(p, b.array());
  }

  /** A version 1.0 .npy file with the given shape and {@code count} float32 zeros. */
  private static void npy(Path p, String shape, int count) throws IOException {
    StringBuilder h = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }");
    while ((10 + h.length() + 1) % 64 != 0) {
      h.append(' ');
    }
    h.append('\n');
    byte[] hb = h.toString().getBytes(StandardCharsets.US_ASCII);
    ByteBuffer b = ByteBuffer.allocate(10 + hb.length + count * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
    b.putShort((short) hb.length).put(hb);
    Files.write(p, b.array());
  }

  private static byte[] le64(long v) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
  }
}
