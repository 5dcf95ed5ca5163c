package dev.asg.common.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.InvalidInputException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EmbeddingTensorPickerTest {
  private static TensorCandidate c(String name, long rows, long dim) {
    return new TensorCandidate(name, new long[] {rows, dim});
  }

  @ParameterizedTest
  @ValueSource(strings = {"bert.embeddings.word_embeddings.weight", "model.embed_tokens.weight", "shared.weight",
      "transformer.wte.weight", "word_embeddings.weight"})
  void pick_oneEmbeddingName_returnsIt(String name) {
    TensorCandidate e = c(name, 100, 8);
    assertEquals(e, EmbeddingTensorPicker.pick("m.onnx", List.of(c("lm_head.weight", 100, 8), e,
        c("layer.0.dense.weight", 8, 8))));
  }

  @ParameterizedTest
  @ValueSource(strings = {"unshared.weight", "xwte.weight", "wte.weight.bias", "lm_head.weight",
      "position_embeddings.weight"})
  void looksLikeEmbedding_nonMatchingNames_false(String name) {
    assertFalse(EmbeddingTensorPicker.looksLikeEmbedding(name));
  }

  @Test
  void pick_noMatch_listsEveryCandidateWithShape() {
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> EmbeddingTensorPicker.pick("model.safetensors", List.of(c("a.weight", 10, 4), c("b.weight", 3, 8))));
    assertTrue(e.getMessage().startsWith("model.safetensors: found no embedding tensor"), e.getMessage());
    assertTrue(e.getMessage().contains("pass --tensor NAME"), e.getMessage());
    assertTrue(e.getMessage().endsWith("2-D tensors: a.weight [10, 4], b.weight [3, 8]"), e.getMessage());
  }

  @Test
  void pick_noCandidatesAtAll_saysNone() {
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> EmbeddingTensorPicker.pick("x.onnx", List.of()));
    assertTrue(e.getMessage().endsWith("2-D tensors: none"), e.getMessage());
  }

  @Test
  void pick_severalMatches_rejectedNamingThem() {
    List<TensorCandidate> all = List.of(c("encoder.embed_tokens.weight", 32, 4), c("shared.weight", 32, 4),
        c("other.weight", 4, 4));
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> EmbeddingTensorPicker.pick("t5.safetensors", all));
    assertTrue(e.getMessage().contains("found 2 embedding tensors (encoder.embed_tokens.weight [32, 4], "
        + "shared.weight [32, 4])"), e.getMessage());
    assertTrue(e.getMessage().contains("other.weight [4, 4]"), e.getMessage());
    assertTrue(e.getMessage().contains("--tensor"), e.getMessage());
  }

  @Test
  void tensorCandidate_shapeArray_isDefensivelyCopied() {
    long[] shape = {2, 3};
    TensorCandidate t = new TensorCandidate("a", shape);
    shape[0] = 99;
    t.shape()[1] = 99;
    assertEquals("a [2, 3]", t.toString());
  }
}
