package dev.asg.common.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class QuantilesTest {
  private static final double[] TWENTY = new double[20];

  static {
    for (int i = 0; i < 20; i++) {
      TWENTY[i] = i + 1; // 1..20
    }
  }

  @Test
  void nearestRank_fivePercentOfTwenty_isFirst() {
    assertEquals(1, Quantiles.nearestRank(TWENTY, 0.05));
  }

  @Test
  void nearestRank_justAboveARank_takesNext() {
    assertEquals(2, Quantiles.nearestRank(TWENTY, 0.051));
  }

  @Test
  void nearestRank_limits_minAndMax() {
    assertEquals(1, Quantiles.nearestRank(TWENTY, 0));
    assertEquals(20, Quantiles.nearestRank(TWENTY, 1));
  }

  @Test
  void nearestRank_pOutsideUnit_throws() {
    assertThrows(IllegalArgumentException.class, () -> Quantiles.nearestRank(TWENTY, -0.01));
    assertThrows(IllegalArgumentException.class, () -> Quantiles.nearestRank(TWENTY, 1.01));
    assertThrows(IllegalArgumentException.class, () -> Quantiles.nearestRank(new double[0], 0.5));
  }
}
