package dev.asg.common.tensor;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a sharded safetensors checkpoint the way Hugging Face lays it out: shard files named
 * {@code model-00001-of-0000N.safetensors} plus {@link SafetensorsIndex#DEFAULT_FILE_NAME} mapping every tensor to
 * its shard. Rows stream through {@link #writeRows} exactly as with {@link SafetensorsWriter}, shard after shard;
 * the index is written by {@link #close()}, after every shard is complete, so a checkpoint with an index is whole.
 */
public final class SafetensorsShardedWriter implements Closeable {
  private final Path dir;
  private final List<List<TensorDecl>> shards;
  private final Map<String, String> metadata;
  private SafetensorsWriter writer;
  private int shard = -1;
  private boolean closed;

  private SafetensorsShardedWriter(Path dir, List<List<TensorDecl>> shards, Map<String, String> metadata) {
    this.dir = dir;
    this.shards = shards;
    this.metadata = metadata;
  }

  /** The Hugging Face shard name for shard {@code index} (0-based) of {@code count}. */
  public static String shardName(int index, int count) {
    return String.format(Locale.ROOT, "model-%05d-of-%05d.safetensors", index + 1, count);
  }

  /**
   * Starts a checkpoint in {@code dir}.
   *
   * @param shards the tensors of each shard, in writing order; names must be distinct across all shards
   * @param metadata the "__metadata__" strings written into every shard
   */
  public static SafetensorsShardedWriter create(Path dir, List<List<TensorDecl>> shards, Map<String, String> metadata)
      throws IOException {
    Objects.requireNonNull(dir, "dir");
    List<List<TensorDecl>> copy = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (List<TensorDecl> s : shards) {
      copy.add(List.copyOf(s));
      for (TensorDecl t : s) {
        if (names.contains(t.name())) {
          throw new IllegalArgumentException("tensor name '" + t.name() + "' is declared twice");
        }
        names.add(t.name());
      }
    }
    if (copy.isEmpty()) {
      throw new IllegalArgumentException("a sharded checkpoint needs at least one shard");
    }
    SafetensorsShardedWriter w = new SafetensorsShardedWriter(dir, copy, Map.copyOf(metadata));
    w.advance();
    return w;
  }

  /** The index file this writer produces. */
  public Path indexPath() {
    return dir.resolve(SafetensorsIndex.DEFAULT_FILE_NAME);
  }

  /** The tensor the next rows belong to, or null when all are written. */
  public TensorDecl currentTensor() {
    return writer == null ? null : writer.currentTensor();
  }

  /** Appends rows to the current tensor; see {@link SafetensorsWriter#writeRows}. */
  public void writeRows(float[] rows, int off, int nRows) throws IOException {
    if (closed || writer == null) {
      throw new IllegalStateException("cannot write " + nRows + " rows: "
          + (closed ? "the writer is closed" : "all declared tensors are complete"));
    }
    writer.writeRows(rows, off, nRows);
    advance();
  }

  /** Closes finished shards and opens the next one until the current shard still wants rows. */
  private void advance() throws IOException {
    while (writer == null || writer.currentTensor() == null) {
      if (writer != null) {
        SafetensorsWriter done = writer;
        writer = null;
        done.close();
      }
      if (shard + 1 >= shards.size()) {
        return;
      }
      shard++;
      writer = SafetensorsWriter.create(dir.resolve(shardName(shard, shards.size())), shards.get(shard), metadata);
    }
  }

  /**
   * Writes the index.
   *
   * @throws IllegalStateException if rows are missing; the unfinished shard is discarded and no index is written
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (writer != null) {
      writer.close(); // throws: the current shard is incomplete
    }
    ObjectNode root = JsonText.MAPPER.createObjectNode();
    long total = 0;
    ObjectNode weightMap = JsonText.MAPPER.createObjectNode();
    for (int i = 0; i < shards.size(); i++) {
      for (TensorDecl t : shards.get(i)) {
        weightMap.put(t.name(), shardName(i, shards.size()));
        total += t.byteSize();
      }
    }
    root.putObject("metadata").put("total_size", total);
    root.set("weight_map", weightMap);
    Files.write(indexPath(), JsonText.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
  }
}
