package dev.asg.common.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.io.LocalFileRangeSource;
import dev.asg.common.tensor.DType;
import dev.asg.common.tensor.HalfFloats;
import dev.asg.common.tensor.RowReader;
import dev.asg.common.tensor.SafetensorsFormat;
import dev.asg.common.tensor.SafetensorsHeader;
import dev.asg.common.tensor.SafetensorsIndex;
import dev.asg.common.tensor.TableSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PlantedTableTest {
  @TempDir Path dir;

  private static float[] all(PlantedTable t) {
    float[] out = new float[t.rows() * t.dim()];
    t.fillRows(0, t.rows(), out, 0);
    return out;
  }

  @Test
  void fillRows_sameParameters_sameValues() {
    assertArrayEquals(all(new PlantedTable(50, 12, 3, 5, 0.3, 42)), all(new PlantedTable(50, 12, 3, 5, 0.3, 42)));
  }

  @Test
  void fillRows_anyChunking_sameValues() {
    PlantedTable t = new PlantedTable(53, 12, 4, 6, 0.2, 9, PlantedTable.Mode.SEPARATE);
    float[] whole = all(t);
    float[] chunked = new float[whole.length];
    for (int r = 0; r < t.rows(); r += 7) {
      int n = Math.min(7, t.rows() - r);
      t.fillRows(r, n, chunked, r * t.dim());
    }
    assertArrayEquals(whole, chunked);
    float[] backwards = new float[whole.length];
    for (int r = t.rows() - 1; r >= 0; r--) {
      new PlantedTable(53, 12, 4, 6, 0.2, 9, PlantedTable.Mode.SEPARATE).fillRows(r, 1, backwards, r * 12);
    }
    assertArrayEquals(whole, backwards);
  }

  @Test
  void fillRows_differentSeed_differentValues() {
    assertFalse(Arrays.equals(all(new PlantedTable(20, 8, 2, 4, 0.1, 1)), all(new PlantedTable(20, 8, 2, 4, 0.1, 2))));
  }

  @ParameterizedTest
  @EnumSource(PlantedTable.Mode.class)
  void fillRows_noNoise_rowIsConcatenationOfPlantedCentroids(PlantedTable.Mode mode) {
    PlantedTable t = new PlantedTable(30, 12, 3, 5, 0.0, 5, mode);
    float[] rows = all(t);
    float[][] c = t.plantedCentroids();
    for (int r = 0; r < t.rows(); r++) {
      int[] a = t.plantedAssignment(r);
      for (int s = 0; s < t.m(); s++) {
        for (int j = 0; j < t.dsub(); j++) {
          assertEquals(c[s][a[s] * t.dsub() + j], rows[r * t.dim() + s * t.dsub() + j], 0.0f);
        }
      }
    }
  }

  @Test
  void plantedCentroids_sharedMode_sameForEverySegment() {
    float[][] c = new PlantedTable(10, 12, 3, 4, 0.1, 5).plantedCentroids();
    assertEquals(3, c.length);
    assertEquals(4 * 4, c[0].length);
    assertArrayEquals(c[0], c[1]);
    assertArrayEquals(c[0], c[2]);
  }

  @Test
  void plantedCentroids_separateMode_differPerSegment() {
    float[][] c = new PlantedTable(10, 12, 3, 4, 0.1, 5, PlantedTable.Mode.SEPARATE).plantedCentroids();
    assertFalse(Arrays.equals(c[0], c[1]));
    assertFalse(Arrays.equals(c[1], c[2]));
  }

  @Test
  void plantedCentroids_componentsAreStandardNormal() {
    float[][] c = new PlantedTable(1, 64, 1, 500, 0, 3).plantedCentroids(); // 32000 values
    double sum = 0;
    double sq = 0;
    for (float v : c[0]) {
      sum += v;
      sq += (double) v * v;
    }
    int n = c[0].length;
    assertEquals(0.0, sum / n, 0.03); // 5 standard errors of 1/sqrt(32000)
    assertEquals(1.0, sq / n, 0.04);
  }

  @Test
  void plantedAssignment_isUniformOverK() {
    PlantedTable t = new PlantedTable(8000, 4, 2, 4, 0, 17);
    int[] counts = new int[4];
    for (int r = 0; r < t.rows(); r++) {
      for (int a : t.plantedAssignment(r)) {
        counts[a]++;
      }
    }
    for (int cnt : counts) { // 16000 draws: expected 4000 each, sd ~55
      assertEquals(4000, cnt, 300);
    }
  }

  @Test
  void noiseEnergyFraction_matchesEmpiricalNoiseShare() {
    PlantedTable t = new PlantedTable(4000, 16, 4, 8, 0.5, 21, PlantedTable.Mode.SEPARATE);
    float[] rows = all(t);
    float[][] c = t.plantedCentroids();
    double noise = 0;
    double total = 0;
    for (int r = 0; r < t.rows(); r++) {
      int[] a = t.plantedAssignment(r);
      for (int s = 0; s < t.m(); s++) {
        for (int j = 0; j < t.dsub(); j++) {
          double x = rows[r * t.dim() + s * t.dsub() + j];
          double e = x - c[s][a[s] * t.dsub() + j];
          noise += e * e;
          total += x * x;
        }
      }
    }
    assertEquals(0.25, noise / (t.rows() * t.dim()), 0.01); // per-element noise variance is noise^2
    assertEquals(noise / total, t.noiseEnergyFraction(), 0.03 * t.noiseEnergyFraction());
  }

  @Test
  void noiseEnergyFraction_noNoise_isZero() {
    assertEquals(0.0, new PlantedTable(5, 4, 2, 3, 0, 1).noiseEnergyFraction());
  }

  @Test
  void constructor_invalidParameters_rejected() {
    assertThrows(IllegalArgumentException.class, () -> new PlantedTable(10, 10, 3, 4, 0.1, 1)); // 10 % 3 != 0
    assertThrows(IllegalArgumentException.class, () -> new PlantedTable(10, 12, 3, 0, 0.1, 1));
    assertThrows(IllegalArgumentException.class, () -> new PlantedTable(0, 12, 3, 4, 0.1, 1));
    assertThrows(IllegalArgumentException.class, () -> new PlantedTable(10, 12, 0, 4, 0.1, 1));
    assertThrows(IllegalArgumentException.class, () -> new PlantedTable(10, 12, 3, 4, -0.1, 1));
    assertThrows(IllegalArgumentException.class, () -> new PlantedTable(10, 12, 3, 4, Double.NaN, 1));
    assertThrows(IllegalArgumentException.class, () -> new PlantedTable(10, 12, 3, 4, Double.POSITIVE_INFINITY, 1));
  }

  @Test
  void constructor_minimalParameters_accepted() {
    PlantedTable t = new PlantedTable(1, 1, 1, 1, 0, 0);
    float[] row = all(t);
    assertEquals(t.plantedCentroids()[0][0], row[0]);
  }

  @Test
  void fillRows_rangeOutsideTable_rejected() {
    PlantedTable t = new PlantedTable(10, 4, 2, 3, 0, 1);
    assertThrows(IllegalArgumentException.class, () -> t.fillRows(8, 3, new float[12], 0));
    assertThrows(IllegalArgumentException.class, () -> t.fillRows(0, 2, new float[7], 0));
    assertThrows(IllegalArgumentException.class, () -> t.plantedAssignment(10));
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void writeSafetensors_readBack_equalsFillRowsAfterRounding(DType dtype) throws IOException {
    PlantedTable t = new PlantedTable(2100, 8, 2, 4, 0.1, 77); // more rows than one write chunk
    Path f = dir.resolve("synth.safetensors");
    t.writeSafetensors(f, dtype);
    float[] want = all(t);
    try (LocalFileRangeSource src = new LocalFileRangeSource(f)) {
      TableSpec spec = SafetensorsFormat.resolve(src, null); // the default name is auto-detected
      assertEquals(PlantedTable.DEFAULT_TENSOR, spec.tensor());
      assertEquals(dtype, spec.dtype());
      float[] got = new float[want.length];
      RowReader.readRows(src, spec, 0, t.rows(), got, 0);
      for (int i = 0; i < want.length; i++) {
        float w = dtype == DType.F32 ? want[i]
            : dtype == DType.F16 ? HalfFloats.halfToFloat(HalfFloats.floatToHalf(want[i]))
            : HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(want[i]));
        assertEquals(w, got[i], 0.0f);
      }
      assertTrue(SafetensorsHeader.read(src).metadata().get("asg.synth").contains("seed=77"));
    }
  }

  @Test
  void writeShardedSafetensors_indexPointsAtTheTableInShardOne_rowsEqualFillRows() throws IOException {
    PlantedTable t = new PlantedTable(1500, 8, 2, 4, 0.1, 5);
    Path index = t.writeShardedSafetensors(dir.resolve("ckpt"), DType.BF16, "model.embed_tokens.weight", 3);
    assertEquals(dir.resolve("ckpt").resolve(SafetensorsIndex.DEFAULT_FILE_NAME), index);
    SafetensorsIndex idx;
    try (LocalFileRangeSource src = new LocalFileRangeSource(index)) {
      idx = SafetensorsIndex.read(src);
    }
    assertEquals(List.of("model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
        "model-00003-of-00003.safetensors"), idx.shards());
    assertEquals("model-00001-of-00003.safetensors", idx.shardOf("model.embed_tokens.weight"));
    float[] want = all(t);
    try (LocalFileRangeSource src = new LocalFileRangeSource(index.resolveSibling(idx.shards().get(0)))) {
      TableSpec spec = SafetensorsFormat.resolve(src, null); // Llama's name is auto-detected too
      assertEquals(DType.BF16, spec.dtype());
      assertEquals(t.rows(), spec.rows());
      float[] got = new float[want.length];
      RowReader.readRows(src, spec, 0, t.rows(), got, 0);
      for (int i = 0; i < want.length; i++) {
        assertEquals(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(want[i])), got[i], 0.0f);
      }
    }
  }

  @Test
  void writeShardedSafetensors_oneShard_rejected() {
    PlantedTable t = new PlantedTable(10, 8, 2, 4, 0.1, 5);
    assertThrows(IllegalArgumentException.class,
        () -> t.writeShardedSafetensors(dir.resolve("one"), DType.F32, "w.embed_tokens.weight", 1));
  }
}
