package dev.asg.common.tensor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Writes one safetensors file holding several 2-D tensors, streaming their rows so that a table of any size is
 * never held in memory. The header is fully determined by the declarations, so it is written first; then the
 * caller supplies every tensor's rows, in declaration order, through {@link #writeRows}.
 *
 * <p>Layout matches the reference writer: "__metadata__" first (only when non-empty), tensors contiguous in
 * declaration order, and the JSON padded with spaces to a multiple of 8 bytes so the data region is 8-byte aligned.
 * The file is written under a temporary name and renamed into place by a successful {@link #close()}, so an
 * interrupted or incomplete write never leaves a file that looks valid.
 */
public final class SafetensorsWriter implements Closeable {
  /** Encoding buffer size: large enough for efficient writes, small enough to not matter next to the table. */
  private static final int CHUNK_BYTES = 1 << 20;

  private final Path out;
  private final Path tmp;
  private final List<TensorDecl> tensors;
  private final OutputStream stream;
  private final byte[] chunk;
  private int current;
  private long rowsWritten;
  private boolean closed;

  private SafetensorsWriter(Path out, Path tmp, List<TensorDecl> tensors, OutputStream stream) {
    this.out = out;
    this.tmp = tmp;
    this.tensors = tensors;
    this.stream = stream;
    this.chunk = new byte[CHUNK_BYTES];
    skipEmpty();
  }

  /**
   * Starts a file: validates the declarations and writes the header.
   *
   * @param tensors the tensors, in the order their rows will be written; names must be distinct
   * @param metadata the "__metadata__" strings (may be empty), in the order given
   */
  public static SafetensorsWriter create(Path out, List<TensorDecl> tensors, Map<String, String> metadata)
      throws IOException {
    Objects.requireNonNull(out, "out");
    List<TensorDecl> decls = List.copyOf(tensors);
    Set<String> names = new HashSet<>();
    for (TensorDecl t : decls) {
      if (!names.add(t.name())) {
        throw new IllegalArgumentException("tensor name '" + t.name() + "' is declared twice");
      }
    }
    byte[] header = header(decls, metadata);
    Path dir = out.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(dir, "." + out.getFileName() + ".", ".partial");
    OutputStream stream = null;
    try {
      stream = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
      byte[] len = new byte[8];
      long n = header.length;
      for (int i = 0; i < 8; i++) {
        len[i] = (byte) (n >>> (8 * i));
      }
      stream.write(len);
      stream.write(header);
      return new SafetensorsWriter(out, tmp, decls, stream);
    } catch (IOException | RuntimeException e) {
      if (stream != null) {
        stream.close();
      }
      Files.deleteIfExists(tmp);
      throw e;
    }
  }

  /** The header JSON, padded with spaces to a multiple of 8 bytes. */
  static byte[] header(List<TensorDecl> tensors, Map<String, String> metadata) throws IOException {
    List<HeaderEntry> entries = new java.util.ArrayList<>();
    for (TensorDecl t : tensors) {
      entries.add(new HeaderEntry(t.name(), t.dtype().safetensorsName(), new long[] {t.rows(), t.dim()},
          t.byteSize()));
    }
    return headerOf(entries, metadata);
  }

  /**
   * One tensor of a header built by {@link #header(List, Map)}: any safetensors dtype string (I32 for an id
   * table, say), so writers of other element types share this layout code.
   */
  public record HeaderEntry(String name, String dtype, long[] shape, long bytes) {}

  /**
   * The header of a file holding {@code tensors} contiguously in the given order, padded with spaces to a multiple
   * of 8 bytes, exactly as {@link #create} writes it; for writers that stream the bytes themselves (to a Hadoop
   * FileSystem, say).
   */
  public static byte[] headerOf(List<HeaderEntry> tensors, Map<String, String> metadata) throws IOException {
    ObjectMapper mapper = JsonText.MAPPER;
    ObjectNode root = mapper.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode md = root.putObject(SafetensorsHeader.METADATA_KEY);
      metadata.forEach((k, v) -> md.put(Objects.requireNonNull(k), Objects.requireNonNull(v)));
    }
    long offset = 0;
    for (HeaderEntry t : tensors) {
      ObjectNode node = root.putObject(t.name());
      node.put("dtype", t.dtype());
      com.fasterxml.jackson.databind.node.ArrayNode shape = node.putArray("shape");
      for (long d : t.shape()) {
        shape.add(d);
      }
      node.putArray("data_offsets").add(offset).add(offset + t.bytes());
      offset += t.bytes();
    }
    byte[] json = mapper.writeValueAsBytes(root);
    int padded = (json.length + 7) / 8 * 8;
    byte[] out = Arrays.copyOf(json, padded);
    Arrays.fill(out, json.length, padded, (byte) ' ');
    return out;
  }

  /** The tensor the next rows belong to, or null when every declared row has been written. */
  public TensorDecl currentTensor() {
    return current < tensors.size() ? tensors.get(current) : null;
  }

  /**
   * Appends {@code nRows} rows ({@code nRows * dim} floats from {@code rows[off ..]}) to the current tensor,
   * converting to its dtype. A call never spans two tensors; once a tensor is complete the next one becomes current.
   *
   * @throws IllegalStateException if there are more rows than the current tensor has left (or no tensor is left)
   */
  public void writeRows(float[] rows, int off, int nRows) throws IOException {
    if (closed) {
      throw new IllegalStateException("writer for " + out + " is closed");
    }
    TensorDecl t = currentTensor();
    if (nRows < 0 || t == null || rowsWritten + nRows > t.rows()) {
      throw new IllegalStateException("cannot write " + nRows + " rows: "
          + (t == null ? "all declared tensors are complete"
              : "tensor " + t.name() + " has " + (t.rows() - rowsWritten) + " rows left"));
    }
    long elements = (long) nRows * t.dim();
    Objects.checkFromIndexSize(off, elements, rows.length);
    int perChunk = chunk.length / t.dtype().bytes();
    for (long done = 0; done < elements; ) {
      int n = (int) Math.min(perChunk, elements - done);
      RowEncoder.encode(t.dtype(), rows, off + (int) done, chunk, 0, n);
      stream.write(chunk, 0, n * t.dtype().bytes());
      done += n;
    }
    rowsWritten += nRows;
    skipEmpty();
  }

  /** Moves past complete tensors (including declared zero-row ones, which need no writeRows call). */
  private void skipEmpty() {
    while (current < tensors.size() && rowsWritten == tensors.get(current).rows()) {
      current++;
      rowsWritten = 0;
    }
  }

  /**
   * Finishes the file and moves it into place.
   *
   * @throws IllegalStateException if some declared rows were not written; the partial file is deleted
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    TensorDecl missing = currentTensor();
    try {
      stream.close();
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    if (missing != null) {
      Files.deleteIfExists(tmp);
      throw new IllegalStateException(out + " not written: tensor " + missing.name() + " got " + rowsWritten
          + " of " + missing.rows() + " rows");
    }
    try {
      Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
    }
  }

}
