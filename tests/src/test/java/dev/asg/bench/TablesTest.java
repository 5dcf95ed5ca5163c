package dev.asg.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asg.common.io.LocalFileRangeSource;
import dev.asg.common.io.RangeSource;
import dev.asg.common.tensor.DType;
import dev.asg.common.tensor.RowReader;
import dev.asg.common.tensor.SafetensorsWriter;
import dev.asg.common.tensor.TableSpec;
import dev.asg.common.tensor.TensorDecl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's derived tables: a cached file is reused only when it has exactly the asked-for shape. */
class TablesTest {
  private static final int DIM = 8;

  @TempDir Path dir;

  @Test
  void writeF32_noFile_writesFirstRowsOfSourceAsF32() throws IOException {
    Path src = table("src.safetensors", DType.F16, 50, 1f);
    Path out = dir.resolve("first20.safetensors");

    Tables.writeF32(src, 20, out);

    TableSpec spec = Tables.spec(out);
    assertEquals(20, spec.rows());
    assertEquals(DIM, spec.dim());
    assertEquals(DType.F32, spec.dtype());
    assertArrayEquals(rows(src, 20), rows(out, 20));
  }

  @Test
  void writeF32_rowsAboveSource_cutToSourceRows() throws IOException {
    Path src = table("src.safetensors", DType.F32, 30, 1f);
    Path out = dir.resolve("all.safetensors");

    Tables.writeF32(src, 1000, out);

    assertEquals(30, Tables.spec(out).rows());
  }

  @Test
  void writeF32_cachedFileOfOtherRowCount_rewritten() throws IOException {
    // The bug this guards against: a --quick run's 10,000-row subset stood in for a full run's 119,547 rows.
    Path src = table("src.safetensors", DType.F32, 60, 1f);
    Path out = dir.resolve("subset.safetensors");
    Tables.writeF32(src, 10, out);

    Tables.writeF32(src, 40, out);

    assertEquals(40, Tables.spec(out).rows());
    assertArrayEquals(rows(src, 40), rows(out, 40));
  }

  @Test
  void writeF32_cachedFileNotSafetensors_rewritten() throws IOException {
    Path src = table("src.safetensors", DType.F32, 12, 1f);
    Path out = dir.resolve("broken.safetensors");
    Files.write(out, new byte[] {1, 2, 3});

    Tables.writeF32(src, 12, out);

    assertArrayEquals(rows(src, 12), rows(out, 12));
  }

  @Test
  void writeF32_cachedFileOfSameShape_reusedUnchanged() throws IOException {
    Path src = table("src.safetensors", DType.F32, 25, 1f);
    // Same shape, other values, written after src: if writeF32 rewrote it, the values would become src's.
    Path out = table("cached.safetensors", DType.F32, 25, 7f);
    byte[] before = Files.readAllBytes(out);

    Tables.writeF32(src, 25, out);

    assertArrayEquals(before, Files.readAllBytes(out));
  }

  @Test
  void writeF32_cachedFileOlderThanSource_rewritten() throws IOException {
    Path src = table("src.safetensors", DType.F32, 25, 1f);
    Path out = table("stale.safetensors", DType.F32, 25, 7f);
    Files.setLastModifiedTime(out, FileTime.fromMillis(Files.getLastModifiedTime(src).toMillis() - 60_000));

    Tables.writeF32(src, 25, out);

    assertArrayEquals(rows(src, 25), rows(out, 25));
  }

  @Test
  void writeF32_cachedFileOfSameShapeButF16_rewrittenAsF32() throws IOException {
    Path src = table("src.safetensors", DType.F32, 16, 1f);
    Path out = table("half.safetensors", DType.F16, 16, 1f);

    Tables.writeF32(src, 16, out);

    assertEquals(DType.F32, Tables.spec(out).dtype());
  }

  /** A table whose value at (r, d) is {@code scale * (r * DIM + d) / 64}: exact in F16 for the sizes used here. */
  private Path table(String name, DType dtype, int nRows, float scale) throws IOException {
    float[] v = new float[nRows * DIM];
    for (int i = 0; i < v.length; i++) {
      v[i] = scale * i / 64f;
    }
    Path p = dir.resolve(name);
    try (SafetensorsWriter w = SafetensorsWriter.create(p, List.of(new TensorDecl(Tables.TENSOR, dtype, nRows, DIM)),
        Map.of())) {
      w.writeRows(v, 0, nRows);
    }
    return p;
  }

  private static float[] rows(Path file, int nRows) throws IOException {
    float[] out = new float[nRows * DIM];
    try (RangeSource src = new LocalFileRangeSource(file)) {
      RowReader.readRows(src, Tables.spec(file), 0, nRows, out, 0);
    }
    return out;
  }
}
