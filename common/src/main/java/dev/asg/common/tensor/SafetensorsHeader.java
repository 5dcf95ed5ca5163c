package dev.asg.common.tensor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asg.common.InvalidInputException;
import dev.asg.common.io.RangeSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and validated header of one safetensors file: an 8-byte little-endian u64 header length N, then N
 * bytes of UTF-8 JSON mapping tensor names to {dtype, shape, data_offsets} (offsets relative to the data region,
 * which starts at byte 8 + N), plus an optional "__metadata__" object of strings.
 *
 * <p>Validation follows the reference implementation (huggingface/safetensors): every tensor's byte range must
 * match its dtype and shape, and the ranges must tile the data region exactly, with no overlap, no gap and nothing
 * after the last tensor. A file that breaks this is truncated, corrupt or crafted, and reading "what looks fine"
 * out of it would silently quantize garbage. Every error is one line naming the file, the fault and the rule.
 */
public final class SafetensorsHeader {
  /**
   * Largest header we accept. Real headers are kilobytes to a few MiB even for thousands of tensors; the
   * reference implementation allows 100 MB, but parsing that much JSON took the driver 28 s and most of its
   * heap, so a header above 16 MiB is refused at once as corrupt or hostile.
   */
  public static final long MAX_HEADER_BYTES = 16L << 20;

  /** The reserved key of the string-to-string metadata object. */
  public static final String METADATA_KEY = "__metadata__";

  /**
   * Element size in bits of every dtype the format defines, so that tensors we never read (position ids in I64,
   * FP8 scales, ...) are still checked against their byte ranges. Sub-byte types (F4, F6) are packed.
   */
  private static final Map<String, Integer> DTYPE_BITS = Map.ofEntries(
      Map.entry("BOOL", 8), Map.entry("U8", 8), Map.entry("I8", 8), Map.entry("F8_E5M2", 8),
      Map.entry("F8_E4M3", 8), Map.entry("F8_E8M0", 8), Map.entry("F4", 4), Map.entry("F6_E2M3", 6),
      Map.entry("F6_E3M2", 6), Map.entry("I16", 16), Map.entry("U16", 16), Map.entry("F16", 16),
      Map.entry("BF16", 16), Map.entry("I32", 32), Map.entry("U32", 32), Map.entry("F32", 32),
      Map.entry("I64", 64), Map.entry("U64", 64), Map.entry("F64", 64), Map.entry("C64", 64));

  /** One tensor entry of the header. Offsets are relative to the data region. */
  public static final class TensorInfo {
    private final String name;
    private final String dtype;
    private final long[] shape;
    private final long begin;
    private final long end;

    TensorInfo(String name, String dtype, long[] shape, long begin, long end) {
      this.name = name;
      this.dtype = dtype;
      this.shape = shape.clone();
      this.begin = begin;
      this.end = end;
    }

    public String name() {
      return name;
    }

    /** The dtype string as written in the file ("F32", "I64", ...). */
    public String dtype() {
      return dtype;
    }

    public long[] shape() {
      return shape.clone();
    }

    public int rank() {
      return shape.length;
    }

    /** Start of the bytes, relative to the data region. */
    public long begin() {
      return begin;
    }

    /** End (exclusive) of the bytes, relative to the data region. */
    public long end() {
      return end;
    }

    public TensorCandidate toCandidate() {
      return new TensorCandidate(name, shape);
    }

    @Override
    public String toString() {
      return name + " " + dtype + " " + Arrays.toString(shape) + " [" + begin + ", " + end + ")";
    }
  }

  private final String uri;
  private final long headerLength;
  private final List<TensorInfo> tensors;
  private final Map<String, String> metadata;

  private SafetensorsHeader(String uri, long headerLength, List<TensorInfo> tensors, Map<String, String> metadata) {
    this.uri = uri;
    this.headerLength = headerLength;
    this.tensors = Collections.unmodifiableList(tensors);
    this.metadata = Collections.unmodifiableMap(metadata);
  }

  /** The file this header came from. */
  public String uri() {
    return uri;
  }

  /** N, the JSON length in bytes. */
  public long headerLength() {
    return headerLength;
  }

  /** Absolute file offset of the data region (8 + N). */
  public long dataStart() {
    return 8 + headerLength;
  }

  /** The tensors in header order. */
  public List<TensorInfo> tensors() {
    return tensors;
  }

  /** The tensor with this name, or null. */
  public TensorInfo tensor(String name) {
    for (TensorInfo t : tensors) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    return null;
  }

  /** The "__metadata__" entries (empty when absent), in file order. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** The 2-D tensors, in header order: the candidates for an embedding table. */
  public List<TensorCandidate> twoDCandidates() {
    List<TensorCandidate> out = new ArrayList<>();
    for (TensorInfo t : tensors) {
      if (t.rank() == 2) {
        out.add(t.toCandidate());
      }
    }
    return out;
  }

  /**
   * Reads and validates the header of {@code src}.
   *
   * @throws InvalidInputException if the file is not a well-formed safetensors file
   */
  public static SafetensorsHeader read(RangeSource src) throws IOException {
    String uri = src.uri();
    long fileLength = src.length();
    if (fileLength < 8) {
      throw new InvalidInputException(uri + ": the file is " + fileLength + " bytes; a safetensors file starts with"
          + " an 8-byte little-endian header length, so it is not a safetensors file or it is truncated");
    }
    byte[] lenBytes = new byte[8];
    src.readFully(0, lenBytes, 0, 8);
    long n = ByteBuffer.wrap(lenBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (n == 0) {
      throw new InvalidInputException(uri + ": safetensors header length is 0; it must be 1.." + MAX_HEADER_BYTES
          + " bytes, so the file is corrupt or not a safetensors file");
    }
    if (Long.compareUnsigned(n, MAX_HEADER_BYTES) > 0) {
      throw new InvalidInputException(uri + ": safetensors header length " + Long.toUnsignedString(n)
          + " is above the limit of " + MAX_HEADER_BYTES + " bytes (" + (MAX_HEADER_BYTES >> 20) + " MiB); a header that big is corrupt or"
          + " hostile, refusing to read it");
    }
    if (8 + n > fileLength) {
      throw new InvalidInputException(uri + ": safetensors header length " + n + " runs past the end of the file"
          + " (8 + " + n + " > file length " + fileLength + "); the file is truncated or not a safetensors file");
    }
    byte[] json = new byte[(int) n];
    src.readFully(8, json, 0, json.length);
    String text = JsonText.decodeUtf8(json, 0, json.length, uri, "safetensors header");
    JsonNode root = JsonText.parse(text, uri, "safetensors header");
    if (root == null || !root.isObject()) {
      throw new InvalidInputException(uri + ": the safetensors header must be a JSON object mapping tensor names to"
          + " {dtype, shape, data_offsets}, found " + describe(root));
    }
    long dataLength = fileLength - 8 - n;
    Map<String, String> metadata = new LinkedHashMap<>();
    List<TensorInfo> tensors = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      if (e.getKey().equals(METADATA_KEY)) {
        readMetadata(uri, e.getValue(), metadata);
      } else {
        tensors.add(readTensor(uri, e.getKey(), e.getValue(), dataLength));
      }
    }
    checkLayout(uri, tensors, dataLength, fileLength, n);
    return new SafetensorsHeader(uri, n, tensors, metadata);
  }

  private static void readMetadata(String uri, JsonNode node, Map<String, String> out) {
    if (!node.isObject()) {
      throw new InvalidInputException(uri + ": safetensors " + METADATA_KEY + " must be an object of string to"
          + " string, found " + describe(node));
    }
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      if (!e.getValue().isTextual()) {
        throw new InvalidInputException(uri + ": safetensors " + METADATA_KEY + " key '" + e.getKey() + "' has a "
            + describe(e.getValue()) + " value; metadata values must be strings");
      }
      out.put(e.getKey(), e.getValue().textValue());
    }
  }

  private static TensorInfo readTensor(String uri, String name, JsonNode node, long dataLength) {
    String where = uri + ": safetensors tensor '" + name + "'";
    if (!node.isObject()) {
      throw new InvalidInputException(where + " must be an object with dtype, shape and data_offsets, found "
          + describe(node));
    }
    JsonNode dtypeNode = required(where, node, "dtype");
    if (!dtypeNode.isTextual()) {
      throw new InvalidInputException(where + " has a " + describe(dtypeNode) + " dtype; dtype must be a string"
          + " such as \"F32\"");
    }
    String dtype = dtypeNode.textValue();
    long[] shape = longArray(where, "shape", required(where, node, "shape"), -1);
    long[] offsets = longArray(where, "data_offsets", required(where, node, "data_offsets"), 2);
    long begin = offsets[0];
    long end = offsets[1];
    String range = "data_offsets [" + begin + ", " + end + "]";
    if (end < begin) {
      throw new InvalidInputException(where + " has " + range + " with end before begin; data_offsets must be"
          + " [begin, end] with begin <= end");
    }
    if (end > dataLength) {
      throw new InvalidInputException(where + " has " + range + " past the end of the data region ("
          + dataLength + " bytes after the header); the file is truncated or corrupt");
    }
    Integer bits = DTYPE_BITS.get(dtype);
    // Unknown dtype strings are tolerated here (their size cannot be checked) so that a checkpoint carrying a
    // newer exotic type next to the embedding still opens; such a tensor can never be selected as the table.
    if (bits != null) {
      long numel;
      long wantBytes;
      try {
        numel = 1;
        for (long d : shape) {
          numel = Math.multiplyExact(numel, d);
        }
        long totalBits = Math.multiplyExact(numel, (long) bits);
        if (totalBits % 8 != 0) {
          throw new InvalidInputException(where + " has dtype " + dtype + " and shape " + Arrays.toString(shape)
              + ", which is not a whole number of bytes; packed " + dtype + " tensors must fill whole bytes");
        }
        wantBytes = totalBits / 8;
      } catch (ArithmeticException e) {
        throw new InvalidInputException(where + " has shape " + Arrays.toString(shape) + " whose size overflows"
            + " 64 bits; the header is corrupt");
      }
      if (wantBytes != end - begin) {
        throw new InvalidInputException(where + " has dtype " + dtype + " and shape " + Arrays.toString(shape)
            + " = " + wantBytes + " bytes, but " + range + " cover " + (end - begin) + " bytes; they must match");
      }
    }
    return new TensorInfo(name, dtype, shape, begin, end);
  }

  /** The tensors must tile [0, dataLength) exactly, as the reference implementation requires. */
  private static void checkLayout(String uri, List<TensorInfo> tensors, long dataLength, long fileLength, long n) {
    List<TensorInfo> sorted = new ArrayList<>(tensors);
    sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
    long covered = 0;
    TensorInfo prev = null;
    for (TensorInfo t : sorted) {
      if (t.begin() < covered) {
        throw new InvalidInputException(uri + ": safetensors tensors '" + prev.name() + "' [" + prev.begin() + ", "
            + prev.end() + ") and '" + t.name() + "' [" + t.begin() + ", " + t.end() + ") overlap; each tensor"
            + " must have its own byte range");
      }
      if (t.begin() > covered) {
        throw new InvalidInputException(uri + ": safetensors data bytes [" + covered + ", " + t.begin() + ") "
            + (prev == null ? "before the first tensor" : "between '" + prev.name() + "' and '" + t.name() + "'")
            + " belong to no tensor; the format requires contiguous tensors covering the whole data region");
      }
      covered = t.end();
      prev = t;
    }
    if (covered != dataLength) {
      throw new InvalidInputException(uri + ": safetensors data bytes [" + covered + ", " + dataLength + ") "
          + (prev == null ? "(the header lists no tensors)" : "after the last tensor '" + prev.name() + "'")
          + " belong to no tensor (file length " + fileLength + ", header " + n + " bytes); the format requires"
          + " contiguous tensors covering the whole data region");
    }
  }

  private static JsonNode required(String where, JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null) {
      throw new InvalidInputException(where + " has no '" + field + "' field; every tensor entry needs dtype,"
          + " shape and data_offsets");
    }
    return v;
  }

  /** A JSON array of non-negative integers that fit in a long; {@code length} -1 means any length. */
  private static long[] longArray(String where, String field, JsonNode node, int length) {
    String rule = field + " must be an array of " + (length < 0 ? "" : length + " ") + "non-negative integers";
    if (!node.isArray() || (length >= 0 && node.size() != length)) {
      throw new InvalidInputException(where + " has " + field + " " + JsonText.abbreviate(node.toString()) + "; "
          + rule);
    }
    long[] out = new long[node.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = node.get(i);
      if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
        throw new InvalidInputException(where + " has " + field + " " + JsonText.abbreviate(node.toString()) + "; "
            + rule + " below 2^63");
      }
      out[i] = v.longValue();
    }
    return out;
  }

  private static String describe(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    return node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
  }
}
