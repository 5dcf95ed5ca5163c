package dev.asg.spark.consume;

import dev.asg.common.InvalidInputException;
import java.io.IOException;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsAction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where export and decode write: one file, or one directory (a sharded checkpoint), on any Hadoop FileSystem.
 * Everything goes to a hidden sibling {@code .<name>._tmp-<id>} first and is renamed into place only when complete,
 * so a failure or a kill leaves no file that looks valid and an existing output untouched until the new one is
 * whole (the same rule as quantize's ArtifactWriter, for plain files).
 */
public final class OutputTarget {
  private static final Logger LOG = LoggerFactory.getLogger("dev.asg.progress");

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
    try {
      Path out = new Path(output);
      FileSystem fs = out.getFileSystem(conf);
      out = fs.makeQualified(out);
      if (out.getParent() == null) {
        throw new InvalidInputException("--output " + output + " is a filesystem root; name a file below it");
      }
      for (String in : inputs) {
        Path ip = new Path(in);
        FileSystem ifs = ip.getFileSystem(conf);
        ip = ifs.makeQualified(ip);
        if (isSameOrBelow(out, ip) || isSameOrBelow(ip, out)) {
          throw new InvalidInputException("--output " + output + " overlaps the input " + in + "; writing there "
              + "would replace or change what is being read, choose an output outside it");
        }
      }
      if (fs.exists(out) && !overwrite) {
        throw new InvalidInputException("--output " + output + " already exists; pass --overwrite to replace it "
            + "(the old one stays intact until the new one is complete) or choose another path");
      }
      Path ancestor = out.getParent();
      while (ancestor != null && !fs.exists(ancestor)) {
        ancestor = ancestor.getParent();
      }
      if (ancestor == null || !fs.getFileStatus(ancestor).isDirectory()) {
        throw new InvalidInputException("--output " + output + ": its parent is not a directory");
      }
      try {
        fs.access(ancestor, FsAction.WRITE);
      } catch (IOException e) {
        throw new InvalidInputException("--output " + output + " is not writable: no write permission on "
            + ancestor + "; choose a writable location", e);
      }
      // Hadoop's local FileSystem would add a .crc sidecar next to the file; PyTorch users copy files around
      // without it, so local output is written through the raw (checksum-free) filesystem.
      FileSystem writeFs = fs instanceof ChecksumFileSystem ? ((ChecksumFileSystem) fs).getRawFileSystem() : fs;
      return new OutputTarget("--output " + output, out, writeFs);
    } catch (IOException e) {
      throw new InvalidInputException("--output " + output + ": cannot check the location (" + e.getMessage()
          + ")", e);
    }
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
    Path old = null;
    if (fs.exists(output)) {
      old = new Path(output.getParent(), "." + output.getName() + "._old-" + UUID.randomUUID());
      rename(output, old);
    }
    rename(tmp, output);
    if (old != null) {
      fs.delete(old, true);
    }
    LOG.info("wrote {}", output);
  }

  /** Removes the temporary output after a failure; never throws. */
  public void abort() {
    try {
      if (fs.exists(tmp)) {
        fs.delete(tmp, true);
      }
    } catch (IOException e) {
      LOG.warn("{}: could not remove the temporary {}: {}; delete it by hand", flag, tmp, e.getMessage());
    }
  }

  private void rename(Path from, Path to) throws IOException {
    if (!fs.rename(from, to)) {
      throw new IOException("could not rename " + from + " to " + to);
    }
  }
}
