package dev.asg.common.artifact;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asg.common.kmeans.CodebookMode;
import org.junit.jupiter.api.Test;

class CompressionTest {

  @Test
  void of_xlmrPaperExample_matchesAppendixB() {
    // Appendix B: V = 250,000, D = 768, k = 1024, m = 48 -> k*D params, ratio k/V ~ 0.4%.
    Compression c = Compression.of(250_000, 768, 48, 1024, CodebookMode.SEPARATE);
    assertEquals(250_000L * 768, c.embeddingParamsBefore);
    assertEquals(1024L * 768, c.embeddingParamsAfter);
    assertEquals(1024.0 / 250_000, c.ratio, 1e-12);
    // 48 * 1024 ConceptIDs need 16 bits.
    assertEquals(2, c.mappingIdBytes);
    assertEquals(250_000L * 48 * 2, c.mappingBytes);
  }

  @Test
  void of_shared_countsOneCodebook() {
    Compression c = Compression.of(1000, 64, 4, 256, CodebookMode.SHARED);
    assertEquals(256L * 16, c.embeddingParamsAfter);
    assertEquals(1, c.mappingIdBytes);
  }

  @Test
  void of_idWidthLimits_switchAtByteBoundaries() {
    assertEquals(1, Compression.of(10, 2, 1, 256, CodebookMode.SEPARATE).mappingIdBytes);
    assertEquals(2, Compression.of(10, 2, 1, 257, CodebookMode.SEPARATE).mappingIdBytes);
    assertEquals(2, Compression.of(10, 2, 1, 65536, CodebookMode.SEPARATE).mappingIdBytes);
    assertEquals(4, Compression.of(10, 2, 1, 65537, CodebookMode.SEPARATE).mappingIdBytes);
  }
}
