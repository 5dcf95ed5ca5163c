package dev.asg.spark.consume;

import com.fasterxml.jackson.databind.JsonNode;
import dev.asg.common.InvalidInputException;
import dev.asg.common.artifact.Manifest;
import dev.asg.spark.eval.ArtifactDir;
import dev.asg.spark.output.ArtifactWriter;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The artifact sets of one committed {@code asg quantize} output: the directory itself (single layout), or its
 * {@code input/} and {@code output/} sets (decoder layout, announced by the top-level manifest's "sections").
 * Consumers must only read committed output, so a directory without {@code _SUCCESS} is refused.
 */
public final class ArtifactSections {
  /** One artifact set; {@code name} is null for the single layout, else "input" or "output". */
  public record Section(String name, ArtifactDir dir) {}

  private ArtifactSections() {}

  /** Opens {@code artifacts} (any Hadoop URI); exit 2 if it is missing, uncommitted or not an artifact. */
  public static List<Section> open(String artifacts, Configuration conf) {
    try {
      Path p = new Path(artifacts);
      FileSystem fs = p.getFileSystem(conf);
      p = fs.makeQualified(p);
      if (!fs.exists(p) || !fs.getFileStatus(p).isDirectory()) {
        throw new InvalidInputException("--artifacts " + artifacts + " does not exist or is not a directory; pass "
            + "the --output directory of an 'asg quantize' run");
      }
      if (!fs.exists(new Path(p, ArtifactWriter.SUCCESS))) {
        throw new InvalidInputException("--artifacts " + artifacts + " has no " + ArtifactWriter.SUCCESS
            + ", so it is not a committed artifact (an interrupted or still running quantize); rerun 'asg quantize'");
      }
      Path mf = new Path(p, ArtifactDir.MANIFEST);
      JsonNode sections = null;
      if (fs.exists(mf)) {
        try (InputStream in = fs.open(mf)) {
          JsonNode tree = Manifest.mapper().readTree(in);
          sections = tree == null ? null : tree.get("sections");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          throw new InvalidInputException("--artifacts " + artifacts + ": manifest.json is not valid JSON ("
              + e.getOriginalMessage() + "); rerun 'asg quantize'", e);
        }
      }
      List<Section> out = new ArrayList<>();
      if (sections == null || !sections.isObject() || sections.isEmpty()) {
        out.add(new Section(null, ArtifactDir.open(artifacts, conf)));
        return out;
      }
      for (var e : sections.properties()) {
        String name = e.getKey();
        if (!name.matches("[a-z]+")) {
          throw new InvalidInputException("--artifacts " + artifacts + ": manifest.json names a section '" + name
              + "'; sections are plain names such as input and output");
        }
        out.add(new Section(name, ArtifactDir.open(new Path(p, name).toString(), conf)));
      }
      return out;
    } catch (IOException e) {
      throw new InvalidInputException("--artifacts " + artifacts + ": cannot read (" + e.getMessage() + ")", e);
    }
  }
}
