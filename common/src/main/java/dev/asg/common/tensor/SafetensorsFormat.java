package dev.asg.common.tensor;

import dev.asg.common.InvalidInputException;
import dev.asg.common.io.RangeSource;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Resolves the embedding table of a safetensors checkpoint (one file, or a sharded checkpoint through its
 * {@code .index.json}) to a {@link TableSpec}. Only headers are read here, on the driver; the rows are read later
 * by byte range ({@link RowReader}).
 */
public final class SafetensorsFormat {
  /** The {@link TableSpec#format()} of tables resolved here. */
  public static final String FORMAT = "safetensors";

  private SafetensorsFormat() {}

  /** A path ending in ".json" is taken to be a sharded-checkpoint index rather than a safetensors file. */
  public static boolean isIndex(String uri) {
    return uri.toLowerCase(Locale.ROOT).endsWith(".json");
  }

  /**
   * Resolves the table.
   *
   * @param src a .safetensors file, or a {@code model.safetensors.index.json} whose shards are its siblings
   * @param tensorOrNull the tensor named by {@code --tensor}, or null to auto-detect ({@link EmbeddingTensorPicker})
   * @throws InvalidInputException for a malformed file, a missing shard, a missing or ambiguous tensor, or a tensor
   *     that is not a non-empty 2-D F32/F16/BF16 table whose sizes fit in int
   */
  public static TableSpec resolve(RangeSource src, String tensorOrNull) throws IOException {
    if (isIndex(src.uri())) {
      return resolveSharded(src, SafetensorsIndex.read(src), tensorOrNull);
    }
    SafetensorsHeader header = SafetensorsHeader.read(src);
    String name = tensorOrNull;
    if (name == null) {
      name = EmbeddingTensorPicker.pick(src.uri(), header.twoDCandidates()).name();
    }
    SafetensorsHeader.TensorInfo info = header.tensor(name);
    if (info == null) {
      throw notFound(src.uri(), name, header.twoDCandidates());
    }
    return toSpec(header, info);
  }

  /** Every 2-D tensor of a file or (through its index) of all shards, in file order. */
  public static List<TensorCandidate> listTwoDTensors(RangeSource src) throws IOException {
    if (!isIndex(src.uri())) {
      return SafetensorsHeader.read(src).twoDCandidates();
    }
    List<TensorCandidate> out = new ArrayList<>();
    for (SafetensorsHeader h : shardHeaders(src, SafetensorsIndex.read(src))) {
      out.addAll(h.twoDCandidates());
    }
    return out;
  }

  private static TableSpec resolveSharded(RangeSource indexSrc, SafetensorsIndex index, String tensorOrNull)
      throws IOException {
    if (tensorOrNull == null) {
      List<SafetensorsHeader> headers = shardHeaders(indexSrc, index);
      List<TensorCandidate> all = new ArrayList<>();
      for (SafetensorsHeader h : headers) {
        all.addAll(h.twoDCandidates());
      }
      String name = EmbeddingTensorPicker.pick(index.uri(), all).name();
      for (SafetensorsHeader h : headers) {
        SafetensorsHeader.TensorInfo info = h.tensor(name);
        if (info != null) {
          return toSpec(h, info);
        }
      }
      throw new AssertionError("picked tensor " + name + " is in no shard");
    }
    String shard = index.shardOf(tensorOrNull);
    if (shard == null) {
      List<TensorCandidate> all = new ArrayList<>();
      for (SafetensorsHeader h : shardHeaders(indexSrc, index)) {
        all.addAll(h.twoDCandidates());
      }
      throw notFound(index.uri() + " (weight_map)", tensorOrNull, all);
    }
    SafetensorsHeader header = readShardHeader(indexSrc, index, shard, tensorOrNull);
    SafetensorsHeader.TensorInfo info = header.tensor(tensorOrNull);
    if (info == null) {
      throw new InvalidInputException(index.uri() + ": weight_map puts tensor '" + tensorOrNull + "' in shard '"
          + shard + "' but " + header.uri() + " has no such tensor; the index and the shards disagree (re-download"
          + " the checkpoint)");
    }
    return toSpec(header, info);
  }

  private static List<SafetensorsHeader> shardHeaders(RangeSource indexSrc, SafetensorsIndex index)
      throws IOException {
    List<SafetensorsHeader> out = new ArrayList<>();
    for (String shard : index.shards()) {
      out.add(readShardHeader(indexSrc, index, shard, null));
    }
    return out;
  }

  private static SafetensorsHeader readShardHeader(RangeSource indexSrc, SafetensorsIndex index, String shard,
      String forTensor) throws IOException {
    RangeSource s;
    try {
      s = indexSrc.openSibling(shard);
    } catch (NoSuchFileException | FileNotFoundException e) {
      throw new InvalidInputException(index.uri() + ": shard '" + shard + "' listed in weight_map"
          + (forTensor == null ? "" : " for tensor '" + forTensor + "'") + " does not exist next to the index;"
          + " every shard the index lists must be present (download the missing shard)", e);
    }
    try (RangeSource shardSrc = s) {
      return SafetensorsHeader.read(shardSrc);
    }
  }

  private static InvalidInputException notFound(String where, String name, List<TensorCandidate> candidates) {
    return new InvalidInputException(where + ": tensor '" + name + "' (from " + EmbeddingTensorPicker.FLAG
        + ") not found; pass " + EmbeddingTensorPicker.FLAG + " with one of the 2-D tensors: "
        + (candidates.isEmpty() ? "none" : EmbeddingTensorPicker.join(candidates)));
  }

  /** Checks that the tensor can be the embedding table and turns it into a spec with an absolute data offset. */
  private static TableSpec toSpec(SafetensorsHeader header, SafetensorsHeader.TensorInfo info) {
    String where = header.uri() + ": tensor '" + info.name() + "'";
    String shape = info.toCandidate().shapeString();
    if (info.rank() != 2) {
      throw new InvalidInputException(where + " has shape " + shape + "; the embedding table must be 2-D"
          + " [rows, dim] (pass " + EmbeddingTensorPicker.FLAG + " with a 2-D tensor)");
    }
    DType dtype;
    try {
      dtype = DType.fromSafetensors(info.dtype());
    } catch (InvalidInputException e) {
      throw new InvalidInputException(where + " has dtype " + info.dtype() + "; allowed: "
          + DType.SAFETENSORS_ALLOWED + " (convert the embedding table to one of these first)", e);
    }
    long[] s = info.shape();
    if (s[0] == 0 || s[1] == 0) {
      throw new InvalidInputException(where + " has shape " + shape + "; the embedding table needs at least one"
          + " row and one column");
    }
    if (s[0] > Integer.MAX_VALUE || s[1] > Integer.MAX_VALUE) {
      throw new InvalidInputException(where + " has shape " + shape + "; rows and dim must each be at most "
          + Integer.MAX_VALUE);
    }
    return new TableSpec(FORMAT, header.uri(), info.name(), dtype, (int) s[0], (int) s[1],
        header.dataStart() + info.begin());
  }
}
