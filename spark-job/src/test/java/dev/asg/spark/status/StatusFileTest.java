package dev.asg.spark.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asg.common.InvalidInputException;
import dev.asg.common.artifact.Manifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusFileTest {
  @TempDir
  Path dir;

  private JsonNode read(Path p) throws Exception {
    return Manifest.mapper().readTree(Files.readString(p));
  }

  @Test
  void start_thenIterationsAndFailure_eachStateOnDiskAndNoTempFilesLeft() throws Exception {
    Path p = dir.resolve("sub/status.json");
    StatusFile f = StatusFile.start(p.toString(), new Configuration(), "quantize", dir.resolve("out").toString());
    JsonNode s = read(p);
    assertEquals("running", s.get("state").asText());
    assertEquals("preflight", s.get("phase").asText());
    assertTrue(s.get("exit_code").isNull());
    f.applicationId("app-1");
    f.onIteration(null, 2, 5, 12.5, 0.1);
    s = read(p);
    assertEquals(2, s.get("iteration").asInt());
    assertEquals(5, s.get("iterations").asInt());
    assertEquals(12.5, s.get("objective").asDouble());
    assertEquals("app-1", s.get("application_id").asText());
    f.failed(1, "executor lost\nat line 2");
    f.succeeded(); // a final state is never rewritten
    s = read(p);
    assertEquals("failed", s.get("state").asText());
    assertEquals(1, s.get("exit_code").asInt());
    assertFalse(s.get("error").asText().contains("\n"));
    assertNotNull(s.get("ended").asText(null));
    try (Stream<Path> files = Files.list(p.getParent())) {
      assertEquals(1, files.count(), "only the status file: temporary siblings are renamed or removed");
    }
  }

  @Test
  void start_directoryOrInsideOutput_refused() throws Exception {
    Configuration conf = new Configuration();
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> StatusFile.start(dir.toString(), conf, "quantize", null));
    assertTrue(e.getMessage().contains("--status-file") && e.getMessage().contains("directory"), e.getMessage());
    Path out = dir.resolve("out");
    assertThrows(InvalidInputException.class,
        () -> StatusFile.start(out.resolve("status.json").toString(), conf, "quantize", out.toString()));
    assertFalse(Files.exists(out), "nothing written");
  }

  @Test
  void skipped_recordsWhyAndExitZero() throws Exception {
    Path p = dir.resolve("s.json");
    StatusFile f = StatusFile.start(p.toString(), new Configuration(), "quantize", "o");
    f.skipped("o is up to date");
    JsonNode s = read(p);
    assertEquals("skipped", s.get("state").asText());
    assertEquals(0, s.get("exit_code").asInt());
    assertEquals("o is up to date", s.get("detail").asText());
    assertNull(s.get("error").textValue());
  }
}
