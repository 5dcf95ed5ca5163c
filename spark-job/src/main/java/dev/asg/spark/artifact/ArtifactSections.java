package dev.asg.spark.artifact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.asg.common.InputBoundary;
import dev.asg.common.InvalidInputException;
import dev.asg.common.Messages;
import dev.asg.common.artifact.Manifest;
import dev.asg.spark.output.ArtifactWriter;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The top level of the decoder layout ({@code asg quantize --output-tensor}): a manifest.json whose "sections"
 * name complete artifact directories (input/, output/), and no mapping/ or codebook/ of its own. evaluate and
 * inspect open each section as an {@link ArtifactDir} and report them side by side; export and decode read
 * {@link #committed} sets.
 *
 * @param path the top-level directory, qualified
 * @param fs its filesystem
 * @param tree the top-level manifest.json as read, for rewrites that keep unknown fields
 * @param sectionDirs section name (input, output) to its artifact directory, in manifest order
 */
public record ArtifactSections(Path path, FileSystem fs, ObjectNode tree, Map<String, String> sectionDirs) {
  /** One artifact set; {@code name} is null for the single layout, else the section ("input", "output"). */
  public record Section(String name, ArtifactDir dir) {}

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
      try (InputStream in = ArtifactWriter.raw(fs).open(mf)) {
        tree = Manifest.mapper().readTree(in);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        return null;
      }
      if (tree == null || !tree.isObject() || !tree.path("sections").isObject()) {
        return null;
      }
      Map<String, String> dirs = new LinkedHashMap<>();
      for (Iterator<String> it = tree.get("sections").fieldNames(); it.hasNext();) {
        String name = it.next();
        // A plain name, so a crafted manifest cannot point a section outside the artifact.
        if (!name.matches("[a-z]+")) {
          throw new InvalidInputException("--artifacts " + artifacts + ": manifest.json names a section '"
              + Messages.quote(name) + "'; sections are plain names such as input and output");
        }
        dirs.put(name, new Path(p, name).toString());
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

  /**
   * The artifact sets of a committed output (consumers must only read committed output): the directory itself for
   * the single layout, else its sections. Exit 2 if it is missing, not a directory or has no {@code _SUCCESS}.
   */
  public static List<Section> committed(String artifacts, Configuration conf) {
    InputBoundary.read("--artifacts " + Messages.quote(artifacts),
        "pass the --output directory of an 'asg quantize' run", () -> {
      Path p = new Path(artifacts);
      FileSystem fs = p.getFileSystem(conf);
      if (!fs.exists(p) || !fs.getFileStatus(p).isDirectory()) {
        throw new InvalidInputException("--artifacts " + artifacts + " does not exist or is not a directory; pass "
            + "the --output directory of an 'asg quantize' run");
      }
      if (!fs.exists(new Path(p, ArtifactWriter.SUCCESS))) {
        throw new InvalidInputException("--artifacts " + artifacts + " has no " + ArtifactWriter.SUCCESS
            + ", so it is not a committed artifact (an interrupted or still running quantize); rerun 'asg quantize'");
      }
      return p;
    });
    ArtifactSections top = find(artifacts, conf);
    List<Section> out = new ArrayList<>();
    if (top == null) {
      out.add(new Section(null, ArtifactDir.open(artifacts, conf)));
    } else {
      top.sectionDirs().forEach((name, dir) -> out.add(new Section(name, ArtifactDir.open(dir, conf))));
    }
    return out;
  }

  /** Sets the top-level manifest's "evaluation" (one entry per section) and rewrites it atomically. */
  public void writeEvaluation(Map<String, Object> evaluation) throws IOException {
    tree.set("evaluation", Manifest.mapper().valueToTree(evaluation));
    writeAtomically(ArtifactDir.MANIFEST, Manifest.mapper().writerWithDefaultPrettyPrinter()
        .writeValueAsString(tree));
  }

  public void writeAtomically(String name, String text) throws IOException {
    ArtifactDir.writeAtomically(fs, path, name, text);
  }
}
