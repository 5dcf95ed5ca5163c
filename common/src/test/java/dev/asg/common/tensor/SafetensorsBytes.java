package dev.asg.common.tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes safetensors files byte by byte, independently of {@link SafetensorsWriter}, so tests can build the
 * malformed files the reader must reject.
 */
final class SafetensorsBytes {
  private SafetensorsBytes() {}

  /** 8-byte little-endian length of the JSON, the JSON as UTF-8, then {@code dataBytes} zero bytes. */
  static Path write(Path file, String headerJson, int dataBytes) throws IOException {
    byte[] json = headerJson.getBytes(StandardCharsets.UTF_8);
    return write(file, json.length, json, new byte[dataBytes]);
  }

  /** 8-byte little-endian {@code declaredLength}, then {@code header} and {@code data} verbatim. */
  static Path write(Path file, long declaredLength, byte[] header, byte[] data) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(declaredLength).put(header).put(data);
    Files.write(file, b.array());
    return file;
  }

  /** Little-endian float32 bytes of {@code values}, via ByteBuffer (not RowEncoder). */
  static byte[] f32(float... values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  /** A header entry: {@code "name": {"dtype": ..., "shape": [...], "data_offsets": [b, e]}}. */
  static String entry(String name, String dtype, String shape, long begin, long end) {
    return "\"" + name + "\": {\"dtype\": \"" + dtype + "\", \"shape\": " + shape + ", \"data_offsets\": [" + begin
        + ", " + end + "]}";
  }
}
