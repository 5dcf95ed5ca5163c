package dev.asg.tests.consume;

import static dev.asg.tests.consume.MiniLmConsumerFixture.asg;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.tensor.DType;
import dev.asg.common.tensor.SafetensorsWriter;
import dev.asg.common.tensor.TensorDecl;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to export and decode (and evaluate's digest check): exit 2, one line naming the flag or file, and
 * nothing written (an existing output byte-identical, no temporary file left next to it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExportDecodeBadInputTest {
  private MiniLmConsumerFixture fx;
  @TempDir
  Path tmp;

  @BeforeAll
  void fixture() throws Exception {
    fx = MiniLmConsumerFixture.get();
  }

  /** Runs the command, expects exit 2 with one line containing {@code fragment}, and no change in {@code tmp}. */
  private void refused(String fragment, String... args) throws Exception {
    List<String> before = listing();
    MiniLmConsumerFixture.Run r = asg(args);
    assertEquals(2, r.exit(), () -> String.join(" ", args) + ": " + r.err());
    List<String> lines = r.err().lines().toList();
    assertEquals(1, lines.size(), () -> "one line expected: " + r.err());
    assertTrue(lines.get(0).contains(fragment), () -> "'" + fragment + "' not in: " + lines.get(0));
    assertEquals(before, listing(), "nothing written");
  }

  private List<String> listing() throws Exception {
    try (Stream<Path> s = Files.walk(tmp)) {
      return s.map(p -> tmp.relativize(p) + ":" + (Files.isRegularFile(p) ? p.toFile().length() : -1)).sorted()
          .toList();
    }
  }

  /** A copy of the separate artifact, changed by {@code edit}. */
  private Path brokenCopy(String name, ThrowingEdit edit) throws Exception {
    Path copy = tmp.resolve(name);
    try (Stream<Path> s = Files.walk(fx.separate)) {
      for (Path p : s.toList()) {
        Path t = copy.resolve(fx.separate.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
    edit.apply(copy);
    return copy;
  }

  interface ThrowingEdit {
    void apply(Path dir) throws Exception;
  }

  @Test
  void export_missingArtifact_exit2() throws Exception {
    refused("does not exist", "export", "--artifacts", tmp.resolve("nope").toString(), "--output",
        tmp.resolve("x.safetensors").toString());
  }

  @Test
  void exportAndDecode_noSuccessMarker_exit2() throws Exception {
    Path a = brokenCopy("no-success", d -> Files.delete(d.resolve("_SUCCESS")));
    refused("_SUCCESS", "export", "--artifacts", a.toString(), "--output", tmp.resolve("x.safetensors").toString());
    refused("_SUCCESS", "decode", "--artifacts", a.toString(), "--output", tmp.resolve("t.safetensors").toString());
  }

  @Test
  void export_partialArtifact_exit2() throws Exception {
    Path a = brokenCopy("partial", d -> MiniLmConsumerFixture.deleteTree(d.resolve("mapping")));
    refused("mapping/", "export", "--artifacts", a.toString(), "--output", tmp.resolve("x.safetensors").toString());
  }

  /** A copy of the separate artifact whose manifest.json digests.{@code part} is zeroed, as a hand edit would. */
  private Path tamperedDigest(String name, String part) throws Exception {
    return brokenCopy(name, d -> {
      Path mf = d.resolve("manifest.json");
      String text = Files.readString(mf, StandardCharsets.UTF_8);
      String digest = text.replaceFirst("(?s).*\"" + part + "\"\\s*:\\s*\"([0-9a-f]{64})\".*", "$1");
      Files.writeString(mf, text.replace(digest, "0".repeat(64)), StandardCharsets.UTF_8);
      // Hadoop's local checksum would otherwise refuse the file before the digest check.
      Files.deleteIfExists(d.resolve(".manifest.json.crc"));
    });
  }

  @Test
  void exportAndDecode_digestMismatch_exit2() throws Exception {
    Path a = tamperedDigest("tampered", "codebook");
    refused("SHA-256", "export", "--artifacts", a.toString(), "--output", tmp.resolve("x.safetensors").toString());
    refused("SHA-256", "decode", "--artifacts", a.toString(), "--output", tmp.resolve("t.safetensors").toString());
  }

  @Test
  void evaluate_digestMismatch_exit2() throws Exception {
    // evaluate reads codebook and mapping through the same loader as export and decode, so it checks them too.
    refused("digests.mapping", "evaluate", "--artifacts", tamperedDigest("tampered-eval", "mapping").toString());
  }

  @Test
  void decode_modelNotTheSource_exit2() throws Exception {
    // The right name and shape, other values: row 0 of the table doubled.
    Path other = tmp.resolve("other.safetensors");
    float[] t = fx.table.clone();
    t[0] *= 2;
    try (SafetensorsWriter w = SafetensorsWriter.create(other, List.of(new TensorDecl(
        MiniLmConsumerFixture.WORD, DType.F32, MiniLmConsumerFixture.V, MiniLmConsumerFixture.D)), Map.of())) {
      w.writeRows(t, 0, MiniLmConsumerFixture.V);
    }
    refused("source.sha256", "decode", "--artifacts", fx.separate.toString(), "--model", other.toString(),
        "--output", tmp.resolve("out.safetensors").toString());
  }

  @Test
  void decode_modelWithOtherShape_exit2() throws Exception {
    Path small = tmp.resolve("small.safetensors");
    try (SafetensorsWriter w = SafetensorsWriter.create(small, List.of(new TensorDecl(MiniLmConsumerFixture.WORD,
        DType.F32, 10, MiniLmConsumerFixture.D)), Map.of())) {
      w.writeRows(fx.table, 0, 10);
    }
    refused("shape", "decode", "--artifacts", fx.separate.toString(), "--model", small.toString(), "--output",
        tmp.resolve("out.safetensors").toString());
    refused("has no tensor 'lm_head.weight'", "decode", "--artifacts", fx.decoder.toString(), "--model",
        fx.shardedIndex.toString(), "--output", tmp.resolve("out").toString());
  }

  /** Every file under the fixture's model folders with its bytes' hash: the user's files, which must survive. */
  private Map<String, Integer> modelFiles() throws Exception {
    Map<String, Integer> out = new java.util.TreeMap<>();
    for (Path root : List.of(fx.model.getParent(), fx.shardedIndex.getParent(), fx.separate)) {
      try (Stream<Path> s = Files.walk(root)) {
        for (Path p : s.filter(Files::isRegularFile).toList()) {
          out.put(p.toString(), java.util.Arrays.hashCode(Files.readAllBytes(p)));
        }
      }
    }
    return out;
  }

  @Test
  void exportAndDecode_outputOverInput_exit2() throws Exception {
    Map<String, Integer> before = modelFiles();
    refused("overlaps the input", "export", "--artifacts", fx.separate.toString(), "--output",
        fx.separate.resolve("x.safetensors").toString(), "--overwrite");
    refused("overlaps the input", "decode", "--artifacts", fx.separate.toString(), "--model", fx.model.toString(),
        "--output", fx.model.toString(), "--overwrite");
    refused("overlaps the input", "decode", "--artifacts", fx.separate.toString(), "--model",
        fx.shardedIndex.toString(), "--output", fx.shardedIndex.getParent().toString(), "--overwrite");
    assertFalse(Files.exists(fx.separate.resolve("x.safetensors")));
    assertEquals(before, modelFiles(), "the model's and the artifact's files are untouched");
  }

  @Test
  void export_outputPathHadoopCannotParse_exit2() throws Exception {
    refused("cannot be checked", "export", "--artifacts", fx.separate.toString(), "--output", "a:b.safetensors");
    refused("--artifacts", "export", "--artifacts", "x:y", "--output", tmp.resolve("z.safetensors").toString());
  }

  @Test
  void export_existingOutputWithoutOverwrite_exit2AndUntouched() throws Exception {
    Path out = tmp.resolve("keep.safetensors");
    Files.writeString(out, "earlier export");
    refused("already exists", "export", "--artifacts", fx.separate.toString(), "--output", out.toString());
    assertArrayEquals("earlier export".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(out));
  }

  @Test
  void decode_badDtypeFlags_exit2() throws Exception {
    refused("--dtype f8", "decode", "--artifacts", fx.separate.toString(), "--output",
        tmp.resolve("t.safetensors").toString(), "--dtype", "f8");
    refused("does not apply with --model", "decode", "--artifacts", fx.separate.toString(), "--model",
        fx.model.toString(), "--output", tmp.resolve("t.safetensors").toString(), "--dtype", "f16");
    refused("is sharded", "decode", "--artifacts", fx.separate.toString(), "--model", fx.shardedIndex.toString(),
        "--output", tmp.resolve("t.safetensors").toString());
  }

  @Test
  void exportAndDecode_overwriteOfAUsersDirectoryOrFile_exit2AndUntouched() throws Exception {
    Path mine = tmp.resolve("my-project");
    Files.createDirectories(mine.resolve("src"));
    Files.writeString(mine.resolve("src/notes.txt"), "keep me");
    refused("not only a safetensors checkpoint", "decode", "--artifacts", fx.separate.toString(), "--model",
        fx.shardedIndex.toString(), "--output", mine.toString(), "--overwrite");
    refused("not only a safetensors checkpoint", "export", "--artifacts", fx.separate.toString(), "--output",
        mine.toString(), "--overwrite");
    Path notes = tmp.resolve("notes.txt");
    Files.writeString(notes, "keep me too");
    refused("is not a .safetensors file", "export", "--artifacts", fx.separate.toString(), "--output",
        notes.toString(), "--overwrite");
    assertEquals("keep me", Files.readString(mine.resolve("src/notes.txt")));
    assertEquals("keep me too", Files.readString(notes));
  }

  @Test
  void exportAndDecode_outputIsALinkIntoTheInput_exit2() throws Exception {
    // A link to the model's folder: string comparison would miss it and --overwrite would replace the shards.
    Path link = tmp.resolve("link-to-shards");
    Files.createSymbolicLink(link, fx.shardedIndex.getParent());
    refused("overlaps the input", "decode", "--artifacts", fx.separate.toString(), "--model",
        fx.shardedIndex.toString(), "--output", link.toString(), "--overwrite");
    Path artifactLink = tmp.resolve("link-to-artifact");
    Files.createSymbolicLink(artifactLink, fx.separate);
    refused("overlaps the input", "export", "--artifacts", fx.separate.toString(), "--output",
        artifactLink.resolve("x.safetensors").toString(), "--overwrite");
    assertFalse(Files.exists(fx.separate.resolve("x.safetensors")));
  }
}
