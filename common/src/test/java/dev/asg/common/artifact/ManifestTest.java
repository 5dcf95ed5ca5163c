package dev.asg.common.artifact;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ManifestTest {

  @Test
  void toJson_roundTrip_keepsSnakeCaseFields() throws Exception {
    Manifest m = new Manifest();
    m.source = new Manifest.Source();
    m.source.shape = new long[] {30522, 384};
    m.result = new Manifest.Result();
    m.result.objective.add(1.5);
    m.result.relativeMse = 0.25;
    m.digests.put("codebook", "ab");
    String json = m.toJson();
    assertTrue(json.contains("\"format_version\" : 1"), json);
    assertTrue(json.contains("\"relative_mse\" : 0.25"), json);
    Manifest back = Manifest.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    assertArrayEquals(new long[] {30522, 384}, back.source.shape);
    assertEquals(1.5, back.result.objective.get(0));
    assertEquals("ab", back.digests.get("codebook"));
  }

  @Test
  void ofFloats_littleEndianFloat32_matchesManualBytes() throws Exception {
    float[] v = {1.0f, -2.5f};
    java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    bb.putFloat(1.0f).putFloat(-2.5f);
    java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
    assertEquals(java.util.HexFormat.of().formatHex(md.digest(bb.array())), Digests.ofFloats(v));
  }
}
