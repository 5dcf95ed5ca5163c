package dev.asg.common.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.InvalidInputException;
import dev.asg.common.io.LocalFileRangeSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RowReaderTest {
  private static final int ROWS = 37;
  private static final int DIM = 6;
  private static final String NAME = "word_embeddings.weight";

  @TempDir Path dir;

  private static float[] randomTable(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] t = new float[ROWS * DIM];
    for (int i = 0; i < t.length; i++) {
      t[i] = (float) (rnd.nextGaussian() * 3);
    }
    return t;
  }

  /** Writes {@code table} as {@link #NAME} after a small unrelated tensor, so row 0 is not at data offset 0. */
  private Path write(DType dtype, float[] table) throws IOException {
    Path f = dir.resolve(dtype + ".safetensors");
    try (SafetensorsWriter w = SafetensorsWriter.create(f, List.of(new TensorDecl("bias", DType.F32, 1, 3),
        new TensorDecl(NAME, dtype, ROWS, DIM)), Map.of())) {
      w.writeRows(new float[] {1, 2, 3}, 0, 1);
      w.writeRows(table, 0, ROWS);
    }
    return f;
  }

  private static float[] read(Path f, int firstRow, int nRows) throws IOException {
    try (LocalFileRangeSource src = new LocalFileRangeSource(f)) {
      TableSpec spec = SafetensorsFormat.resolve(src, null);
      float[] out = new float[nRows * DIM];
      RowReader.readRows(src, spec, firstRow, nRows, out, 0);
      return out;
    }
  }

  @Test
  void readRows_f32_returnsExactlyWhatWasWritten() throws IOException {
    float[] table = randomTable(1);
    assertArrayEquals(table, read(write(DType.F32, table), 0, ROWS));
  }

  @ParameterizedTest
  @EnumSource(value = DType.class, names = {"F16", "BF16"})
  void readRows_halfTypes_returnWrittenValuesWithinPrecision(DType dtype) throws IOException {
    float[] table = randomTable(2);
    float[] back = read(write(dtype, table), 0, ROWS);
    // Relative half-ulp bound of round-to-nearest: 2^-11 for F16 (10-bit mantissa), 2^-8 for BF16 (7-bit).
    double rel = dtype == DType.F16 ? Math.scalb(1.0, -11) : Math.scalb(1.0, -8);
    for (int i = 0; i < table.length; i++) {
      double tol = Math.abs(table[i]) * rel + (dtype == DType.F16 ? Math.scalb(1.0, -25) : 0);
      assertEquals(table[i], back[i], tol, "element " + i);
    }
  }

  @Test
  void readRows_partialRangeAtOffset_matchesThoseRows() throws IOException {
    float[] table = randomTable(3);
    Path f = write(DType.F32, table);
    try (LocalFileRangeSource src = new LocalFileRangeSource(f)) {
      TableSpec spec = SafetensorsFormat.resolve(src, null);
      float[] out = new float[2 + 5 * DIM];
      RowReader.readRows(src, spec, 30, 5, out, 2);
      assertArrayEquals(Arrays.copyOfRange(table, 30 * DIM, 35 * DIM), Arrays.copyOfRange(out, 2, out.length));
      assertEquals(0f, out[0]);
    }
  }

  @Test
  void readRows_rangeBelowLimit_isOnePositionedRead() throws IOException {
    float[] table = randomTable(4);
    Path f = write(DType.F32, table);
    MemoryRangeSource src = new MemoryRangeSource("mem", Files.readAllBytes(f), Files.size(f));
    TableSpec spec = SafetensorsFormat.resolve(src, null);
    src.reads = 0;
    float[] out = new float[ROWS * DIM];
    RowReader.readRows(src, spec, 0, ROWS, out, 0);
    assertEquals(1, src.reads);
    assertArrayEquals(table, out);
  }

  @Test
  void readRows_smallScratch_readsInChunksWithSameResult() throws IOException {
    float[] table = randomTable(5);
    Path f = write(DType.F16, table);
    MemoryRangeSource src = new MemoryRangeSource("mem", Files.readAllBytes(f), Files.size(f));
    TableSpec spec = SafetensorsFormat.resolve(src, null);
    float[] whole = new float[ROWS * DIM];
    RowReader.readRows(src, spec, 0, ROWS, whole, 0);
    src.reads = 0;
    float[] chunked = new float[ROWS * DIM];
    RowReader.readRows(src, spec, 0, ROWS, chunked, 0, new byte[14]); // 7 F16 values: chunks cut rows
    assertEquals((ROWS * DIM + 6) / 7, src.reads);
    assertArrayEquals(whole, chunked);
  }

  @Test
  void readRows_scratchBelowOneElement_rejected() throws IOException {
    Path f = write(DType.F32, randomTable(6));
    try (LocalFileRangeSource src = new LocalFileRangeSource(f)) {
      TableSpec spec = SafetensorsFormat.resolve(src, null);
      assertThrows(IllegalArgumentException.class,
          () -> RowReader.readRows(src, spec, 0, 1, new float[DIM], 0, new byte[3]));
    }
  }

  private static String errorReading(Path f, int firstRow, int nRows) throws IOException {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> read(f, firstRow, nRows));
    return e.getMessage();
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void readRows_nanInRow7_reportsAbsoluteRowAndColumn(DType dtype) throws IOException {
    float[] table = randomTable(7);
    table[7 * DIM + 3] = Float.NaN;
    Path f = write(dtype, table);
    String want = f + ": tensor '" + NAME + "' row 7 column 3 is NaN; the table must be finite";
    assertTrue(errorReading(f, 0, ROWS).startsWith(want), errorReading(f, 0, ROWS));
    assertTrue(errorReading(f, 5, 4).startsWith(want)); // the row is the token id, not the index in the range
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void readRows_infinities_reportedWithSign(DType dtype) throws IOException {
    float[] table = randomTable(8);
    table[2 * DIM] = Float.POSITIVE_INFINITY;
    Path f = write(dtype, table);
    assertTrue(errorReading(f, 0, ROWS).contains("row 2 column 0 is +Infinity"));
    table[2 * DIM] = 0;
    table[ROWS * DIM - 1] = Float.NEGATIVE_INFINITY;
    f = write(dtype, table);
    assertTrue(errorReading(f, 0, ROWS).contains("row " + (ROWS - 1) + " column " + (DIM - 1) + " is -Infinity"));
  }

  @Test
  void readRows_f16Overflow_isReportedAsInfinity() throws IOException {
    float[] table = randomTable(9);
    table[DIM + 1] = 70000f; // finite in float32, beyond the F16 range, so the file holds +inf
    Path f = write(DType.F16, table);
    assertTrue(errorReading(f, 0, ROWS).contains("row 1 column 1 is +Infinity"));
  }

  @Test
  void readRows_rangeOutsideTable_rejected() throws IOException {
    Path f = write(DType.F32, randomTable(10));
    try (LocalFileRangeSource src = new LocalFileRangeSource(f)) {
      TableSpec spec = SafetensorsFormat.resolve(src, null);
      float[] out = new float[(ROWS + 1) * DIM];
      RowReader.readRows(src, spec, ROWS - 1, 1, out, 0); // the last row is fine
      RowReader.readRows(src, spec, ROWS, 0, out, 0); // an empty range at the end is fine
      assertThrows(IllegalArgumentException.class, () -> RowReader.readRows(src, spec, ROWS - 1, 2, out, 0));
      assertThrows(IllegalArgumentException.class, () -> RowReader.readRows(src, spec, -1, 1, out, 0));
      assertThrows(IllegalArgumentException.class, () -> RowReader.readRows(src, spec, 0, 2, new float[11], 0));
    }
  }
}
