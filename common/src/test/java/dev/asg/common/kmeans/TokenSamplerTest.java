package dev.asg.common.kmeans;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokenSamplerTest {

  @Test
  void selected_fraction_matchesExpectedRate() {
    int n = 200000;
    int hits = 0;
    for (int t = 0; t < n; t++) {
      if (TokenSampler.selected(1234, TokenSampler.SALT_TRAINING, t, 0.1)) {
        hits++;
      }
    }
    // Binomial(200000, 0.1): sd ~ 134; 5 sd.
    assertEquals(20000, hits, 700);
  }

  @Test
  void uniform_sameInputs_sameValue_differentSeedsDiffer() {
    assertEquals(TokenSampler.uniform(1, 2, 3), TokenSampler.uniform(1, 2, 3));
    assertNotEquals(TokenSampler.uniform(1, 2, 3), TokenSampler.uniform(5, 2, 3));
    assertNotEquals(TokenSampler.uniform(1, 2, 3), TokenSampler.uniform(1, 9, 3));
  }

  @Test
  void uniform_range_isHalfOpenUnitInterval() {
    for (long t = 0; t < 10000; t++) {
      double u = TokenSampler.uniform(42, 0, t);
      assertTrue(u >= 0 && u < 1, "u=" + u);
    }
  }

  @Test
  void selected_fractionOne_keepsEverything() {
    for (long t = 0; t < 1000; t++) {
      assertTrue(TokenSampler.selected(9, 9, t, 1.0));
    }
  }
}
