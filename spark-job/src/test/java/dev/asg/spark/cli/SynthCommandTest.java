package dev.asg.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.InvalidInputException;
import dev.asg.common.OutputExistsException;
import dev.asg.common.io.LocalFileRangeSource;
import dev.asg.common.tensor.SafetensorsIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SynthCommandTest {
  @TempDir
  Path dir;

  private static int synth(String... args) throws Exception {
    SynthCommand c = new SynthCommand();
    new CommandLine(c).parseArgs(args);
    return c.call();
  }

  private String[] sharded(Path out, String shards, String... extra) {
    List<String> a = new java.util.ArrayList<>(List.of("--rows", "50", "--dim", "16", "--m", "4", "--k", "8",
        "--dtype", "bf16", "--shards", shards, "--tensor", "model.embed_tokens.weight", "--output", out.toString()));
    a.addAll(List.of(extra));
    return a.toArray(new String[0]);
  }

  @Test
  void call_shardsThree_writesIndexAndShardsIntoTheDirectory() throws Exception {
    Path out = dir.resolve("ckpt");
    assertEquals(AsgMain.EXIT_OK, synth(sharded(out, "3")));
    try (LocalFileRangeSource src = new LocalFileRangeSource(out.resolve(SafetensorsIndex.DEFAULT_FILE_NAME))) {
      SafetensorsIndex idx = SafetensorsIndex.read(src);
      assertEquals(3, idx.shards().size());
      assertEquals("model-00001-of-00003.safetensors", idx.shardOf("model.embed_tokens.weight"));
      for (String shard : idx.shards()) {
        assertTrue(Files.isRegularFile(out.resolve(shard)), shard);
      }
    }
  }

  @Test
  void call_existingIndexWithoutOverwrite_refusedAndUntouched() throws Exception {
    Path out = dir.resolve("ckpt");
    synth(sharded(out, "2"));
    Path index = out.resolve(SafetensorsIndex.DEFAULT_FILE_NAME);
    long before = Files.getLastModifiedTime(index).toMillis();
    assertThrows(OutputExistsException.class, () -> synth(sharded(out, "2")));
    assertEquals(before, Files.getLastModifiedTime(index).toMillis());
    assertEquals(AsgMain.EXIT_OK, synth(sharded(out, "2", "--overwrite")));
  }

  @Test
  void call_badShards_namesTheFlag() throws Exception {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> synth(sharded(dir.resolve("x"), "0")));
    assertTrue(e.getMessage().startsWith("--shards 0 is out of range"), e.getMessage());
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    e = assertThrows(InvalidInputException.class, () -> synth(sharded(file, "2")));
    assertTrue(e.getMessage().contains("must be a directory"), e.getMessage());
  }
}
