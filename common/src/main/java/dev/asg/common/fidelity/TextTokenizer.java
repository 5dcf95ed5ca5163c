package dev.asg.common.fidelity;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.asg.common.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A model's own tokenizer, from its Hugging Face {@code tokenizer.json}, through DJL's binding of the Hugging Face
 * tokenizers library (native, shipped inside its jar): normalizer, pre-tokenizer, WordPiece/BPE/Unigram model,
 * special-token template and truncation exactly as the model was trained with, instead of a re-implementation.
 */
public final class TextTokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer tok;

  private TextTokenizer(HuggingFaceTokenizer tok) {
    this.tok = tok;
  }

  /** Loads {@code tokenizerJson}; exit 2 (naming --tokenizer) if it is missing or not a tokenizer.json. */
  public static TextTokenizer open(Path tokenizerJson) {
    if (!Files.isRegularFile(tokenizerJson)) {
      throw new InvalidInputException("--tokenizer " + tokenizerJson + " does not exist; pass the model's "
          + "Hugging Face tokenizer.json");
    }
    try {
      return new TextTokenizer(HuggingFaceTokenizer.newInstance(tokenizerJson));
    } catch (IOException | RuntimeException e) {
      String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
      throw new InvalidInputException("--tokenizer " + tokenizerJson + " is not a readable Hugging Face "
          + "tokenizer.json (" + why + "); pass the tokenizer.json saved with the model", e);
    }
  }

  /** Each text's ids with the tokenizer's special tokens and truncation; padding positions are dropped. */
  public TokenizedTexts encode(List<String> texts) {
    long[][] ids = new long[texts.size()][];
    long[][] types = new long[texts.size()][];
    for (int i = 0; i < ids.length; i++) {
      Encoding e = tok.encode(texts.get(i));
      long[] mask = e.getAttentionMask();
      long[] all = e.getIds();
      long[] allTypes = e.getTypeIds();
      int n = 0;
      ids[i] = new long[all.length];
      types[i] = new long[all.length];
      for (int p = 0; p < all.length; p++) {
        if (mask[p] != 0) {
          ids[i][n] = all[p];
          types[i][n++] = allTypes[p];
        }
      }
      ids[i] = Arrays.copyOf(ids[i], n);
      types[i] = Arrays.copyOf(types[i], n);
    }
    return new TokenizedTexts(ids, types);
  }

  /** The tokens (strings) of one text, for messages and tests. */
  public String[] tokens(String text) {
    Encoding e = tok.encode(text);
    long[] mask = e.getAttentionMask();
    String[] all = e.getTokens();
    int n = 0;
    while (n < all.length && mask[n] != 0) {
      n++;
    }
    return Arrays.copyOf(all, n);
  }

  @Override
  public void close() {
    tok.close();
  }
}
