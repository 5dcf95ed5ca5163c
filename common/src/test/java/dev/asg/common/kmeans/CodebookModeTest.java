package dev.asg.common.kmeans;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CodebookModeTest {

  @Test
  void conceptId_separate_offsetBySegmentTimesK() {
    assertEquals(3 * 256 + 7, CodebookMode.SEPARATE.conceptId(3, 7, 256));
  }

  @Test
  void conceptId_shared_isTheCentroidIndex() {
    assertEquals(7, CodebookMode.SHARED.conceptId(3, 7, 256));
  }

  @Test
  void toConceptIds_twoRowsThreeSegments_globalIdsPerMode() {
    int[] separate = {0, 1, 2, 3, 0, 1};
    CodebookMode.SEPARATE.toConceptIds(separate, 2, 3, 4);
    assertArrayEquals(new int[] {0, 5, 10, 3, 4, 9}, separate);
    int[] shared = {0, 1, 2, 3, 0, 1};
    CodebookMode.SHARED.toConceptIds(shared, 2, 3, 4);
    assertArrayEquals(new int[] {0, 1, 2, 3, 0, 1}, shared);
  }
}
