package dev.asg.common.tensor;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asg.common.InvalidInputException;
import dev.asg.common.io.RangeSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The index of a sharded safetensors checkpoint ({@code model.safetensors.index.json}, as written by Hugging Face
 * {@code save_pretrained}): {"metadata": {...}, "weight_map": {tensor name: shard file name}}. Only weight_map is
 * used; metadata (e.g. total_size) is informational and not validated.
 */
public final class SafetensorsIndex {
  /** The name Hugging Face gives the index file. */
  public static final String DEFAULT_FILE_NAME = "model.safetensors.index.json";

  /** Same bound as for a safetensors header: real indexes are kilobytes, so a bigger one is corrupt or hostile. */
  public static final long MAX_INDEX_BYTES = SafetensorsHeader.MAX_HEADER_BYTES;

  private final String uri;
  private final Map<String, String> weightMap;

  private SafetensorsIndex(String uri, Map<String, String> weightMap) {
    this.uri = uri;
    this.weightMap = Collections.unmodifiableMap(weightMap);
  }

  public String uri() {
    return uri;
  }

  /** Tensor name to shard file name, in file order. */
  public Map<String, String> weightMap() {
    return weightMap;
  }

  /** The shard holding {@code tensor}, or null if the index does not list it. */
  public String shardOf(String tensor) {
    return weightMap.get(tensor);
  }

  /** Distinct shard file names, in order of first appearance. */
  public List<String> shards() {
    return new ArrayList<>(new LinkedHashSet<>(weightMap.values()));
  }

  /**
   * Reads and validates an index file.
   *
   * @throws InvalidInputException if it is not UTF-8 JSON with a non-empty weight_map of plain shard file names
   */
  public static SafetensorsIndex read(RangeSource src) throws IOException {
    String uri = src.uri();
    long length = src.length();
    if (length > MAX_INDEX_BYTES) {
      throw new InvalidInputException(uri + ": the sharded-checkpoint index is " + length + " bytes, above the limit"
          + " of " + MAX_INDEX_BYTES + " bytes (" + (MAX_INDEX_BYTES >> 20) + " MiB); it is corrupt or not an index file");
    }
    byte[] bytes = new byte[(int) length];
    src.readFully(0, bytes, 0, bytes.length);
    JsonNode root = JsonText.parse(JsonText.decodeUtf8(bytes, 0, bytes.length, uri, "sharded-checkpoint index"),
        uri, "sharded-checkpoint index");
    JsonNode map = root == null ? null : root.get("weight_map");
    if (map == null || !map.isObject() || map.isEmpty()) {
      throw new InvalidInputException(uri + ": a sharded-checkpoint index must be a JSON object with a non-empty"
          + " \"weight_map\" object of tensor name to shard file name (" + DEFAULT_FILE_NAME + "); pass the index"
          + " file or a single .safetensors file");
    }
    Map<String, String> weightMap = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : map.properties()) {
      JsonNode v = e.getValue();
      if (!v.isTextual() || !isPlainFileName(v.textValue())) {
        throw new InvalidInputException(uri + ": weight_map entry '" + e.getKey() + "' names shard "
            + JsonText.abbreviate(v.toString()) + "; shards must be plain file names in the index's directory"
            + " (no '/', '\\', '.' or '..')");
      }
      weightMap.put(e.getKey(), v.textValue());
    }
    return new SafetensorsIndex(uri, weightMap);
  }

  /**
   * Shards are looked up next to the index, so a name with a path separator or a ".." could make a crafted index
   * read any file the job can reach; Hugging Face always writes plain names.
   */
  private static boolean isPlainFileName(String name) {
    return !name.isEmpty() && !name.equals(".") && !name.equals("..") && name.indexOf('/') < 0
        && name.indexOf('\\') < 0 && name.indexOf('\0') < 0;
  }
}
