package dev.asg.common.tensor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.asg.common.InvalidInputException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 decoding and strict JSON parsing for the JSON embedded in tensor files (safetensors headers, the
 * sharded-checkpoint index). Strict because these bytes come from files we did not write: a malformed byte or a
 * duplicated tensor name is corruption (or an attempt to make two readers disagree), not something to guess at.
 */
final class JsonText {
  /** Duplicate keys and trailing garbage are errors, not "last one wins"/"ignored". */
  static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private JsonText() {}

  /**
   * Decodes UTF-8, reporting (not replacing) malformed or unmappable input.
   *
   * @param what what the bytes are, for the message ("safetensors header")
   */
  static String decodeUtf8(byte[] bytes, int off, int len, String uri, String what) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes, off, len);
    CharBuffer out = CharBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 8L, (long) len + 1));
    CoderResult r = decoder.decode(in, out, true);
    if (r.isUnderflow()) {
      r = decoder.flush(out);
    }
    if (r.isError()) {
      throw new InvalidInputException(uri + ": the " + what + " is not valid UTF-8 (bad byte sequence at byte "
          + (in.position() - off) + " of the " + what + "); it must be UTF-8 JSON, the file is corrupt");
    }
    if (r.isOverflow()) {
      // Cannot happen: UTF-8 never yields more chars than bytes. Kept as a guard, not as a code path.
      throw new IllegalStateException("UTF-8 decoding overflowed", new CharacterCodingException());
    }
    out.flip();
    return out.toString();
  }

  /** Parses JSON, turning Jackson's multi-line message into one line that names the file and position. */
  static JsonNode parse(String text, String uri, String what) {
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr();
      throw new InvalidInputException(uri + ": the " + what + " is not valid JSON" + where + " ("
          + oneLine(e.getOriginalMessage()) + "); the file is corrupt or not in this format");
    }
  }

  /** Collapses whitespace runs (including newlines) so that a message stays on one line. */
  static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s+", " ").trim();
  }

  /** One line of at most 200 characters, for quoting file content in a message. */
  static String abbreviate(String s) {
    String line = oneLine(s);
    return line.length() <= 200 ? line : line.substring(0, 200) + "...";
  }
}
