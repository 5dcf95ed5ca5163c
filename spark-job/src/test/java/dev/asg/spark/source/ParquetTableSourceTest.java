package dev.asg.spark.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.InvalidInputException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParquetTableSourceTest {

  @Test
  void rangesPartitioner_everyId_landsInTheRangeThatHoldsIt() {
    for (int rows : new int[] {1, 2, 7, 100, 1001}) {
      for (int parts : new int[] {1, 2, 3, 8, 64, 2000}) {
        List<RowRange> ranges = RowRange.split(rows, parts);
        ParquetTableSource.RangesPartitioner p = new ParquetTableSource.RangesPartitioner(ranges);
        assertEquals(ranges.size(), p.numPartitions());
        for (int id = 0; id < rows; id++) {
          RowRange r = ranges.get(p.getPartition(id));
          assertTrue(id >= r.first() && id < r.first() + r.count(),
              "rows " + rows + " parts " + parts + ": id " + id + " sent to " + r);
        }
      }
    }
  }

  @Test
  void toFloats_doublesWithinRange_convertedToNearestFloat() {
    float[] v = ParquetTableSource.toFloats(Arrays.asList(0.1, -2.5, 1e-3), 3, 4, "f", "token_id", "embedding");
    assertArrayEquals(new float[] {0.1f, -2.5f, 1e-3f}, v);
  }

  @Test
  void toFloats_nullElement_rejectedNamingIdAndPosition() {
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> ParquetTableSource.toFloats(Arrays.asList(1f, null, 2f), 3, 17, "f.parquet", "token_id", "emb"));
    assertTrue(e.getMessage().contains("token_id 17") && e.getMessage().contains("null at position 1")
        && e.getMessage().contains("emb"), e.getMessage());
  }

  @Test
  void toFloats_nan_rejectedNamingIt() {
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> ParquetTableSource.toFloats(Arrays.asList(1f, 2f, Float.NaN), 3, 0, "f", "id", "vec"));
    assertTrue(e.getMessage().contains("id 0 is NaN at position 2"), e.getMessage());
  }
}
