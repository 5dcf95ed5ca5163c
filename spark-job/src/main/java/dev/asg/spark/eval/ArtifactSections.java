package dev.asg.spark.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.asg.common.InvalidInputException;
import dev.asg.common.artifact.Manifest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The top level of the decoder layout ({@code asg quantize --output-tensor}): a manifest.json whose "sections"
 * name complete artifact directories (input/, output/), and no mapping/ or codebook/ of its own. evaluate and
 * inspect open each section as an {@link ArtifactDir} and report them side by side.
 */
public final class ArtifactSections {
  private final Path dir;
  private final FileSystem fs;
  private final ObjectNode tree;
  private final Map<String, String> sectionDirs;

  private ArtifactSections(Path dir, FileSystem fs, ObjectNode tree, Map<String, String> sectionDirs) {
    this.dir = dir;
    this.fs = fs;
    this.tree = tree;
    this.sectionDirs = sectionDirs;
  }

  /**
   * The sections of {@code artifacts}, or null if it is not a decoder layout's top level (a single artifact, or
   * nothing readable: {@link ArtifactDir#open} then says what is wrong).
   */
  public static ArtifactSections find(String artifacts, Configuration conf) {
    try {
      Path p = new Path(artifacts);
      FileSystem fs = p.getFileSystem(conf);
      p = fs.makeQualified(p);
      Path mf = new Path(p, ArtifactDir.MANIFEST);
      if (!fs.exists(mf) || fs.exists(new Path(p, "mapping"))) {
        return null;
      }
      JsonNode tree;
      try (InputStream in = fs.open(mf)) {
        tree = Manifest.mapper().readTree(in);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        return null;
      }
      if (tree == null || !tree.isObject() || !tree.path("sections").isObject()) {
        return null;
      }
      Map<String, String> dirs = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = tree.get("sections").fields(); it.hasNext();) {
        Map.Entry<String, JsonNode> e = it.next();
        String rel = e.getValue().path("manifest").asText(e.getKey() + "/" + ArtifactDir.MANIFEST);
        Path sectionManifest = new Path(p, rel);
        dirs.put(e.getKey(), sectionManifest.getParent().toString());
      }
      if (dirs.isEmpty()) {
        throw new InvalidInputException("--artifacts " + artifacts + ": manifest.json has an empty 'sections'; "
            + "pass a directory written by 'asg quantize'");
      }
      return new ArtifactSections(p, fs, (ObjectNode) tree, dirs);
    } catch (IOException e) {
      throw new InvalidInputException("--artifacts " + artifacts + ": cannot read (" + e.getMessage() + ")", e);
    }
  }

  /** Section name (input, output) to its artifact directory, in manifest order. */
  public Map<String, String> sectionDirs() {
    return sectionDirs;
  }

  public Path path() {
    return dir;
  }

  /** Sets the top-level manifest's "evaluation" (one entry per section) and rewrites it atomically. */
  void writeEvaluation(Map<String, Object> evaluation) throws IOException {
    tree.set("evaluation", Manifest.mapper().valueToTree(evaluation));
    writeAtomically(ArtifactDir.MANIFEST, Manifest.mapper().writerWithDefaultPrettyPrinter()
        .writeValueAsString(tree));
  }

  void writeAtomically(String name, String text) throws IOException {
    ArtifactDir.writeAtomically(fs, dir, name, text);
  }
}
