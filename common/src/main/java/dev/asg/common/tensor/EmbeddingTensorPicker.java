package dev.asg.common.tensor;

import dev.asg.common.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Finds the token-embedding table among a model file's 2-D tensors when the user did not pass {@code --tensor}.
 * Shared by every format (safetensors here, ONNX elsewhere) so that all of them pick, and fail, the same way.
 *
 * <p>The rule is deliberately narrow: exactly one 2-D tensor whose name ends with one of {@link #SUFFIXES}. Those
 * are the input-embedding names of the common Hugging Face families (BERT/XLM-R {@code word_embeddings}, Llama/
 * Mistral/T5-decoder {@code embed_tokens}, T5 {@code shared}, GPT-2 {@code wte}). Anything looser (largest tensor,
 * first tensor) would silently quantize an LM head or a projection; when the rule does not give one answer the user
 * is shown every 2-D tensor and asked to name one.
 */
public final class EmbeddingTensorPicker {
  /** Name endings that mark an input-embedding table. */
  public static final List<String> SUFFIXES =
      List.of("word_embeddings.weight", "embed_tokens.weight", "shared.weight", "wte.weight");

  /** The flag that overrides auto-detection; named in the errors. */
  public static final String FLAG = "--tensor";

  private EmbeddingTensorPicker() {}

  /** True when {@code name} is, or ends at a "." boundary with, one of {@link #SUFFIXES}. */
  public static boolean looksLikeEmbedding(String name) {
    for (String s : SUFFIXES) {
      // The dot boundary keeps e.g. "unshared.weight" or "xwte.weight" from matching.
      if (name.equals(s) || name.endsWith("." + s)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns the one candidate that {@link #looksLikeEmbedding}.
   *
   * @param sourceDescription the file (or checkpoint) the candidates come from, first word of the error message
   * @param twoDCandidates every 2-D tensor in it
   * @throws InvalidInputException if none or several match; the message lists every 2-D candidate with its shape
   */
  public static TensorCandidate pick(String sourceDescription, List<TensorCandidate> twoDCandidates) {
    List<TensorCandidate> matches = new ArrayList<>();
    for (TensorCandidate c : twoDCandidates) {
      if (looksLikeEmbedding(c.name())) {
        matches.add(c);
      }
    }
    if (matches.size() == 1) {
      return matches.get(0);
    }
    String found = matches.isEmpty()
        ? "found no embedding tensor (a 2-D tensor whose name ends with " + String.join(", ", SUFFIXES) + ")"
        : "found " + matches.size() + " embedding tensors (" + join(matches) + ")";
    throw new InvalidInputException(sourceDescription + ": " + found + "; pass " + FLAG + " NAME. 2-D tensors: "
        + (twoDCandidates.isEmpty() ? "none" : join(twoDCandidates)));
  }

  /** "a.weight [10, 4], b.weight [3, 8]", the candidate list used in error messages. */
  public static String join(List<TensorCandidate> candidates) {
    return candidates.stream().map(TensorCandidate::toString).collect(Collectors.joining(", "));
  }
}
