package dev.asg.spark.consume;

import dev.asg.common.InputBoundary;
import dev.asg.common.InvalidInputException;
import dev.asg.common.Messages;
import dev.asg.spark.io.RealPaths;
import dev.asg.spark.output.ArtifactWriter;
import dev.asg.spark.output.AtomicReplace;
import java.io.IOException;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Where export and decode write: one file, or one directory (a sharded checkpoint), on any Hadoop FileSystem.
 * Everything goes to a hidden sibling {@code .<name>._tmp-<id>} first and is renamed into place only when complete,
 * so a failure or a kill leaves no file that looks valid and an existing output untouched until the new one is
 * whole: {@link AtomicReplace}, as quantize's ArtifactWriter.
 */
public final class OutputTarget {
  private final String flag;
  private final Path output;
  private final FileSystem fs;
  private final Path tmp;

  private OutputTarget(String flag, Path output, FileSystem fs) {
    this.flag = flag;
    this.output = output;
    this.fs = fs;
    this.tmp = new Path(output.getParent(), "." + output.getName() + "._tmp-" + UUID.randomUUID());
  }

  /**
   * Checks the location before any work; writes nothing.
   *
   * @param inputs the paths being read (artifact directory, model files); the output may be none of them and
   *     may not lie inside or contain any of them
   */
  public static OutputTarget preflight(String output, boolean overwrite, Configuration conf, List<String> inputs) {
    return InputBoundary.check("--output " + Messages.quote(output), "choose another output path",
        () -> checked(output, overwrite, conf, inputs));
  }

  private static OutputTarget checked(String output, boolean overwrite, Configuration conf, List<String> inputs)
      throws IOException {
    Path out = new Path(output);
    FileSystem fs = out.getFileSystem(conf);
    out = fs.makeQualified(out);
    if (out.getParent() == null) {
      throw new InvalidInputException("--output " + output + " is a filesystem root; name a file below it");
    }
    // Links resolved on both sides, so a link into the artifact or to the model's folder cannot get past it.
    Path outReal = RealPaths.resolve(fs, out);
    for (String in : inputs) {
      Path ip = new Path(in);
      FileSystem ifs = ip.getFileSystem(conf);
      Path inReal = RealPaths.resolve(ifs, ifs.makeQualified(ip));
      if (isSameOrBelow(outReal, inReal) || isSameOrBelow(inReal, outReal)) {
        throw new InvalidInputException("--output " + Messages.quote(output) + " overlaps the input "
            + Messages.quote(in) + " (links resolved); writing there would replace or change what is being "
            + "read, choose an output outside it");
      }
    }
    if (fs.exists(out) && !overwrite) {
      throw new InvalidInputException("--output " + Messages.quote(output) + " already exists; pass --overwrite "
          + "to replace it (the old one stays intact until the new one is complete) or choose another path");
    }
    if (fs.exists(out)) {
      String notOurs = notReplaceable(fs, out);
      if (notOurs != null) {
        throw new InvalidInputException("--output " + Messages.quote(output) + " exists and " + notOurs
            + "; --overwrite replaces only a .safetensors file or a directory holding nothing but a "
            + "safetensors checkpoint (shards and index): choose another path, or move it away yourself");
      }
    }
    Path ancestor = out.getParent();
    while (ancestor != null && !fs.exists(ancestor)) {
      ancestor = ancestor.getParent();
    }
    if (ancestor == null || !fs.getFileStatus(ancestor).isDirectory()) {
      throw new InvalidInputException("--output " + output + ": its parent is not a directory");
    }
    ArtifactWriter.probeWritable(fs, ancestor, out.getName() + "._probe-" + UUID.randomUUID(),
        "--output " + Messages.quote(output));
    // Hadoop's local FileSystem would add a .crc sidecar next to the file; PyTorch users copy files around
    // without it, so output is written through the checksum-free filesystem.
    return new OutputTarget("--output " + output, out, ArtifactWriter.raw(fs));
  }

  /**
   * Why an existing {@code out} may not be replaced, or null if it may: what export and decode write is one
   * .safetensors file, or a directory of .safetensors shards and their .json index. Anything else is the user's.
   */
  static String notReplaceable(FileSystem fs, Path out) throws IOException {
    if (fs.getFileStatus(out).isFile()) {
      return out.getName().endsWith(".safetensors") ? null : "is not a .safetensors file";
    }
    for (org.apache.hadoop.fs.FileStatus st : fs.listStatus(out)) {
      String name = st.getPath().getName();
      if (!st.isFile() || !(name.endsWith(".safetensors") || name.endsWith(".safetensors.index.json"))) {
        return "is a directory holding " + Messages.quote(name) + ", not only a safetensors checkpoint";
      }
    }
    return null;
  }

  private static boolean isSameOrBelow(Path p, Path ancestor) {
    for (Path q = p; q != null; q = q.getParent()) {
      if (q.equals(ancestor)) {
        return true;
      }
    }
    return false;
  }

  public FileSystem fs() {
    return fs;
  }

  public Path output() {
    return output;
  }

  /** The temporary path to write (a file, or a directory the caller creates). */
  public Path tmp() {
    return tmp;
  }

  /** Moves the finished temporary output into place, replacing an old output only now. */
  public void commit() throws IOException {
    AtomicReplace.commit(fs, tmp, output, new Path(output.getParent(), "." + output.getName() + "._old-"
        + UUID.randomUUID()));
  }

  /** Removes the temporary output after a failure; never throws. */
  public void abort() {
    AtomicReplace.discard(fs, tmp, flag);
  }
}
