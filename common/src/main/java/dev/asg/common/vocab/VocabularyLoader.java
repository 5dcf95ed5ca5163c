package dev.asg.common.vocab;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.asg.common.InvalidInputException;
import dev.asg.common.io.RangeSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Loads a {@link Vocabulary} from a Hugging Face {@code tokenizer.json}, a GPT-2 style {@code vocab.json}
 * ({token: id}), or a plain list with one token per line ({@code vocab.txt}, id = line number). Files ending in
 * {@code .json} are parsed as JSON, everything else as a list.
 */
public final class VocabularyLoader {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Largest vocabulary file we read into memory. The biggest tokenizer.json files in use (250k-token multilingual
   * models) are 20-35 MB; 64 MiB leaves room while a wrong file fails at once instead of filling the driver's heap.
   */
  public static final long MAX_FILE_BYTES = 64L << 20;
  /** Most tokens a vocabulary may have: the largest in use have about 256k; ids beyond are not a vocabulary. */
  public static final int MAX_TOKENS = 4 << 20;

  private VocabularyLoader() {}

  public static Vocabulary load(RangeSource src) throws IOException {
    long length = src.length();
    if (length > MAX_FILE_BYTES) {
      throw new InvalidInputException("vocab file " + src.uri() + " has " + length + " bytes; at most "
          + MAX_FILE_BYTES + " are allowed; pass a tokenizer.json or vocab.txt");
    }
    byte[] bytes = new byte[(int) length];
    src.readFully(0, bytes, 0, bytes.length);
    return parse(bytes, src.uri());
  }

  /** @param name the file name or URI: picks the parser by its extension and names the file in errors */
  public static Vocabulary load(InputStream in, String name) throws IOException {
    return parse(in.readAllBytes(), name);
  }

  /**
   * Vocabulary files that may sit next to {@code modelFileName}, in the order to try them, keeping those for
   * which {@code exists} says yes: {@code tokenizer.json} (the Hugging Face layout), then
   * {@code <model-basename>-tokenizer.json} (several models side by side in one folder), then {@code vocab.txt}.
   *
   * @param modelFileName a file name or path; only its last segment is used
   * @return sibling names (relative, for {@link RangeSource#openSibling}); empty if none exists
   */
  public static List<String> findNextTo(String modelFileName, Predicate<String> exists) {
    String file = modelFileName.substring(Math.max(modelFileName.lastIndexOf('/'),
        modelFileName.lastIndexOf('\\')) + 1);
    int dot = file.lastIndexOf('.');
    String base = dot > 0 ? file.substring(0, dot) : file;
    List<String> out = new ArrayList<>();
    for (String candidate : List.of("tokenizer.json", base + "-tokenizer.json", "vocab.txt")) {
      if (!out.contains(candidate) && exists.test(candidate)) {
        out.add(candidate);
      }
    }
    return out;
  }

  static Vocabulary parse(byte[] bytes, String name) throws IOException {
    if (name.toLowerCase(Locale.ROOT).endsWith(".json")) {
      return fromJson(bytes, name);
    }
    return fromLines(bytes, name);
  }

  /** One token per line; only the line ending is removed, so a token of spaces or an empty line keeps its id. */
  private static Vocabulary fromLines(byte[] bytes, String name) {
    String text = utf8Text(bytes, name);
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1); // byte-order mark written by some Windows editors; never part of a token
    }
    List<String> tokens = new ArrayList<>();
    int start = 0;
    while (start < text.length()) {
      int nl = text.indexOf('\n', start);
      int end = nl < 0 ? text.length() : nl;
      int stop = end > start && text.charAt(end - 1) == '\r' ? end - 1 : end;
      tokens.add(text.substring(start, stop));
      start = end + 1;
      if (tokens.size() > MAX_TOKENS) {
        throw new InvalidInputException("vocab file " + name + " has more than " + MAX_TOKENS + " lines; a "
            + "vocabulary has at most " + MAX_TOKENS + " tokens, so this is not a token list");
      }
    }
    if (tokens.isEmpty()) {
      throw new InvalidInputException("vocab file " + name + " is empty; pass a vocab.txt with one token per line "
          + "or a tokenizer.json");
    }
    return new Vocabulary(tokens.toArray(new String[0]));
  }

  /**
   * The file as text: strict UTF-8 with no NUL character, which every tokenizer.json and vocab.txt is and a
   * binary file (a model given as --vocab by mistake) almost never is.
   */
  private static String utf8Text(byte[] bytes, String name) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new InvalidInputException("vocab file " + name + " is not UTF-8 text; pass a tokenizer.json or a "
          + "vocab.txt with one token per line", e);
    }
    if (text.indexOf('\0') >= 0) {
      throw new InvalidInputException("vocab file " + name + " holds NUL characters, so it is binary, not text; "
          + "pass a tokenizer.json or a vocab.txt with one token per line");
    }
    return text;
  }

  private static Vocabulary fromJson(byte[] bytes, String name) {
    utf8Text(bytes, name);
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (IOException e) {
      throw new InvalidInputException("vocab file " + name + " is not valid JSON ("
          + firstLine(e) + "); pass a tokenizer.json or a vocab.txt", e);
    }
    if (root == null || !root.isObject()) {
      throw new InvalidInputException("vocab file " + name + " must be a JSON object (tokenizer.json or a "
          + "{token: id} vocab.json)");
    }
    Map<Integer, String> byId = new HashMap<>();
    JsonNode model = root.get("model");
    if (model == null) {
      // No "model": a GPT-2 style vocab.json, i.e. the map itself.
      readTokenToId(root, byId, name, "the file");
      return dense(byId, name);
    }
    String type = model.path("type").asText("(none)");
    JsonNode vocab = model.get("vocab");
    // Dispatch on the JSON shape rather than only on the type name, so WordLevel and future map-based models work.
    if (vocab != null && vocab.isObject()) {
      readTokenToId(vocab, byId, name, "model.vocab");
    } else if (vocab != null && vocab.isArray()) {
      readUnigram(vocab, byId, name);
    } else {
      throw new InvalidInputException("vocab file " + name + ": model.type " + type + " has no model.vocab map or "
          + "list; supported: WordPiece, BPE, WordLevel ({token: id}) and Unigram ([[token, score], ...])");
    }
    readAddedTokens(root.get("added_tokens"), byId, name);
    return dense(byId, name);
  }

  private static void readTokenToId(JsonNode map, Map<Integer, String> byId, String name, String where) {
    for (Map.Entry<String, JsonNode> e : map.properties()) {
      int id = id(e.getValue(), name, where + " entry '" + e.getKey() + "'");
      String previous = byId.put(id, e.getKey());
      if (previous != null) {
        throw new InvalidInputException("vocab file " + name + ": tokens '" + previous + "' and '" + e.getKey()
            + "' both have id " + id + " in " + where + "; each id must name one token");
      }
    }
  }

  /** Unigram (SentencePiece) lists [token, log-probability] pairs; a token's id is its index. */
  private static void readUnigram(JsonNode list, Map<Integer, String> byId, String name) {
    for (int i = 0; i < list.size(); i++) {
      JsonNode entry = list.get(i);
      JsonNode token = entry.isArray() && entry.size() > 0 ? entry.get(0) : null;
      if (token == null || !token.isTextual()) {
        throw new InvalidInputException("vocab file " + name + ": model.vocab[" + i + "] is " + entry
            + "; a Unigram vocab entry must be [token, score]");
      }
      byId.put(i, token.asText());
    }
  }

  /**
   * Special tokens ([CLS], <|endoftext|>) and user-added ones. Most repeat a model.vocab entry; some extend it.
   * Where they disagree the added token wins, as it does in the tokenizers library's id_to_token.
   */
  private static void readAddedTokens(JsonNode added, Map<Integer, String> byId, String name) {
    if (added == null || added.isNull()) {
      return;
    }
    if (!added.isArray()) {
      throw new InvalidInputException("vocab file " + name + ": added_tokens must be a list of {id, content}");
    }
    for (JsonNode t : added) {
      JsonNode content = t.get("content");
      if (content == null || !content.isTextual()) {
        throw new InvalidInputException("vocab file " + name + ": added_tokens entry " + t + " has no string "
            + "'content'");
      }
      byId.put(id(t.get("id"), name, "added_tokens entry '" + content.asText() + "'"), content.asText());
    }
  }

  private static int id(JsonNode node, String name, String what) {
    if (node == null || !node.canConvertToInt() || !node.isIntegralNumber() || node.intValue() < 0) {
      throw new InvalidInputException("vocab file " + name + ": " + what + " has id " + node + "; ids must be "
          + "integers >= 0");
    }
    return node.intValue();
  }

  /**
   * Ids must be exactly 0..n-1. With n distinct ids, any id >= n implies a hole below n, so the first empty slot
   * of an n-sized array is the first missing id; this never allocates for a huge bogus id.
   */
  private static Vocabulary dense(Map<Integer, String> byId, String name) {
    int n = byId.size();
    if (n > MAX_TOKENS) {
      throw new InvalidInputException("vocab file " + name + " has " + n + " tokens; at most " + MAX_TOKENS
          + " are allowed");
    }
    if (n == 0) {
      throw new InvalidInputException("vocab file " + name + " has no tokens; pass the model's tokenizer.json");
    }
    String[] tokens = new String[n];
    for (Map.Entry<Integer, String> e : byId.entrySet()) {
      if (e.getKey() < n) {
        tokens[e.getKey()] = e.getValue();
      }
    }
    for (int i = 0; i < n; i++) {
      if (tokens[i] == null) {
        throw new InvalidInputException("vocab file " + name + ": token ids must be dense 0.." + (n - 1)
            + " but id " + i + " is missing; pass a complete tokenizer.json or vocab.txt");
      }
    }
    return new Vocabulary(tokens);
  }

  private static String firstLine(IOException e) {
    String m = e instanceof JsonProcessingException ? ((JsonProcessingException) e).getOriginalMessage()
        : e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m.split("\n", 2)[0];
  }
}
