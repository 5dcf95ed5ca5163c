package dev.asg.spark.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.InvalidInputException;
import dev.asg.spark.engine.QuantizeRequest;
import org.junit.jupiter.api.Test;

/** The --engine / --mllib-segments checks that run before Spark starts. */
class MllibBaselineTest {
  private static QuantizeRequest params(int m, String codebook) {
    return QuantizeRequest.builder().input("x").output("y").m(m).codebook(codebook).build();
  }

  @Test
  void codebooksToTrain_zero_meansAllSeparateCodebooks() {
    assertEquals(12, MllibBaseline.codebooksToTrain("mllib", 0, params(12, "separate")));
  }

  @Test
  void codebooksToTrain_zeroShared_isTheOnePooledCodebook() {
    assertEquals(1, MllibBaseline.codebooksToTrain("mllib", 0, params(12, "shared")));
  }

  @Test
  void codebooksToTrain_minAndMax_areAccepted() {
    assertEquals(1, MllibBaseline.codebooksToTrain("mllib", 1, params(12, "separate")));
    assertEquals(12, MllibBaseline.codebooksToTrain("mllib", 12, params(12, "separate")));
  }

  @Test
  void codebooksToTrain_tooLarge_namesFlagAndRange() {
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> MllibBaseline.codebooksToTrain("mllib", 13, params(12, "separate")));
    assertTrue(e.getMessage().contains("--mllib-segments 13") && e.getMessage().contains("[0, 12]"),
        e.getMessage());
  }

  @Test
  void codebooksToTrain_tooSmall_isRefused() {
    assertThrows(InvalidInputException.class,
        () -> MllibBaseline.codebooksToTrain("mllib", -1, params(12, "separate")));
  }

  @Test
  void codebooksToTrain_sharedAboveOne_isRefused() {
    assertThrows(InvalidInputException.class,
        () -> MllibBaseline.codebooksToTrain("mllib", 2, params(12, "shared")));
  }

  @Test
  void codebooksToTrain_unknownEngine_listsChoices() {
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> MllibBaseline.codebooksToTrain("faiss", 0, params(12, "separate")));
    assertTrue(e.getMessage().contains("--engine faiss") && e.getMessage().contains("asg, mllib"), e.getMessage());
  }
}
