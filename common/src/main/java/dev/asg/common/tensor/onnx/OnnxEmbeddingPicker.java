package dev.asg.common.tensor.onnx;

import dev.asg.common.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Guesses which initializer is the token-embedding table when the user gave no --tensor.
 *
 * <p>TODO(lead): use EmbeddingTensorPicker (dev.asg.common.tensor) once merged; this copy follows the same rule.
 *
 * <p>Rule: exactly one 2-D tensor whose name ends with a known embedding suffix (BERT {@code word_embeddings},
 * LLaMA/Mistral {@code embed_tokens}, T5 {@code shared}, GPT-2 {@code wte}). Guessing by shape alone (e.g. "the
 * largest 2-D tensor") is refused on purpose: an LM head or a large FFN weight can be as big, and compressing the
 * wrong matrix would succeed silently.
 */
final class OnnxEmbeddingPicker {
  static final List<String> SUFFIXES =
      List.of("word_embeddings.weight", "embed_tokens.weight", "shared.weight", "wte.weight");

  private OnnxEmbeddingPicker() {}

  static OnnxInitializer pick(String uri, List<OnnxInitializer> initializers) {
    List<OnnxInitializer> twoD = initializers.stream().filter(OnnxInitializer::is2d).collect(Collectors.toList());
    List<OnnxInitializer> matches = new ArrayList<>();
    for (OnnxInitializer t : twoD) {
      if (SUFFIXES.stream().anyMatch(t.name::endsWith)) {
        matches.add(t);
      }
    }
    if (matches.size() == 1) {
      return matches.get(0);
    }
    String why = matches.isEmpty()
        ? "no 2-D initializer name ends with " + String.join(", ", SUFFIXES)
        : "several 2-D initializers look like embedding tables ("
            + matches.stream().map(t -> t.name).collect(Collectors.joining(", ")) + ")";
    throw new InvalidInputException(uri + ": cannot tell which tensor is the embedding table: " + why
        + "; 2-D initializers: " + listTwoD(twoD) + "; pass --tensor NAME");
  }

  /** Every 2-D candidate with its shape, or "(none)". */
  static String listTwoD(List<OnnxInitializer> initializers) {
    String list = initializers.stream().filter(OnnxInitializer::is2d).map(OnnxInitializer::describe)
        .collect(Collectors.joining(", "));
    return list.isEmpty() ? "(none)" : list;
  }
}
