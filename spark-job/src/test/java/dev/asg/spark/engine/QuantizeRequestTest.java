package dev.asg.spark.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.InvalidInputException;
import dev.asg.common.kmeans.CodebookMode;
import dev.asg.common.kmeans.KMeansParams;
import org.junit.jupiter.api.Test;

class QuantizeRequestTest {

  private static QuantizeRequest.Builder base() {
    return QuantizeRequest.builder().input("in.safetensors").output("out");
  }

  private static void assertRejected(QuantizeRequest.Builder b, String... fragments) {
    InvalidInputException e = assertThrows(InvalidInputException.class, b::build);
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
    }
    assertEquals(1, e.getMessage().lines().count(), "one-line message");
  }

  @Test
  void build_defaults_matchConstants() {
    QuantizeRequest p = base().build();
    assertEquals(KMeansParams.DEFAULTS.m(), p.algorithm().m());
    assertEquals(KMeansParams.DEFAULTS.k(), p.algorithm().k());
    assertEquals(CodebookMode.SEPARATE, p.algorithm().codebook());
    assertEquals(25, p.algorithm().iterations());
  }

  @Test
  void build_mTooSmall_namesFlagValueAndRange() {
    assertRejected(base().m(0), "--m 0", "[1, 65536]");
  }

  @Test
  void build_mMinAndMax_accepted() {
    assertEquals(1, base().m(1).build().algorithm().m());
    assertEquals(KMeansParams.MAX_M, base().m(KMeansParams.MAX_M).build().algorithm().m());
  }

  @Test
  void build_mTooLarge_rejected() {
    assertRejected(base().m(KMeansParams.MAX_M + 1), "--m 65537");
  }

  @Test
  void build_kTooSmall_rejected() {
    assertRejected(base().k(1), "--k 1", "[2, ");
  }

  @Test
  void build_kMin_accepted() {
    assertEquals(2, base().k(2).build().algorithm().k());
  }

  @Test
  void build_kTooLarge_rejected() {
    assertRejected(base().k(KMeansParams.MAX_K + 1), "--k");
  }

  @Test
  void build_iterationsZero_rejected() {
    assertRejected(base().iterations(0), "--iterations 0");
  }

  @Test
  void build_tolNegativeOrOne_rejected() {
    assertRejected(base().tol(-0.1), "--tol -0.1", "[0, 1)");
    assertRejected(base().tol(1.0), "--tol 1.0");
    assertEquals(0.0, base().tol(0).build().algorithm().tol());
  }

  @Test
  void build_unknownEnums_listAllowedValues() {
    assertRejected(base().init("kmeans||"), "--init kmeans||", "kmeans++, random");
    assertRejected(base().kernel("gpu"), "--kernel gpu", "auto, vector, vector-256, vector-512, scalar");
    assertRejected(base().pruning("approx"), "--pruning approx", "exact, off");
    assertRejected(base().inputFormat("pt"), "--input-format pt");
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> base().codebook("pooled"));
    assertTrue(e.getMessage().contains("separate, shared"));
  }

  @Test
  void build_missingInputOrOutput_rejected() {
    assertRejected(QuantizeRequest.builder().output("o"), "--input is required");
    assertRejected(QuantizeRequest.builder().input("i"), "--output is required");
  }

  @Test
  void validateAgainst_mNotDividingD_listsDivisors() {
    QuantizeRequest p = base().m(7).k(4).build();
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> p.algorithm().validateAgainst(100, 768, "t"));
    assertTrue(e.getMessage().contains("--m 7 does not divide the embedding dimension D=768"), e.getMessage());
    assertTrue(e.getMessage().contains("48"), e.getMessage());
  }

  @Test
  void validateAgainst_kAbovePoints_separateVsShared() {
    QuantizeRequest sep = base().m(4).k(101).build();
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> sep.algorithm().validateAgainst(100, 8, "t"));
    assertTrue(e.getMessage().contains("--k 101 exceeds the 100 training points"), e.getMessage());
    // Shared pools m sub-vectors per row: 100 rows x 4 segments = 400 points, so k=101 is fine.
    base().m(4).k(101).codebook(CodebookMode.SHARED).build().algorithm().validateAgainst(100, 8, "t");
    QuantizeRequest sh = base().m(4).k(401).codebook(CodebookMode.SHARED).build();
    assertThrows(InvalidInputException.class, () -> sh.algorithm().validateAgainst(100, 8, "t"));
  }

  @Test
  void validateAgainst_kEqualsPoints_accepted() {
    base().m(4).k(100).build().algorithm().validateAgainst(100, 8, "t");
  }

  @Test
  void build_idColSameAsVectorCol_rejected() {
    assertRejected(base().idCol("v").vectorCol("v"), "--id-col", "--vector-col", "'v'");
  }

  @Test
  void build_nullColumnsAndVocab_fallBackToDefaults() {
    QuantizeRequest p = base().idCol(null).vectorCol(null).vocab(null).build();
    assertEquals(InputSpec.ID_COL_DEFAULT, p.input().idCol());
    assertEquals(InputSpec.VECTOR_COL_DEFAULT, p.input().vectorCol());
    assertEquals(InputSpec.VOCAB_DEFAULT, p.input().vocab());
  }

  @Test
  void build_outputTensorWithParquet_rejected() {
    assertRejected(base().inputFormat("parquet").outputTensor("lm_head.weight"), "--output-tensor",
        "--input-format parquet");
  }

  @Test
  void build_outputTensorWithSafetensors_keptInParams() {
    QuantizeRequest p = base().outputTensor("lm_head.weight").build();
    assertEquals("lm_head.weight", p.input().outputTensor());
    assertEquals("lm_head.weight", p.asMap().get(InputSpec.OUTPUT_TENSOR));
  }
}
