package dev.asg.spark.output;

import java.io.IOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a finished temporary file or directory in place of the output. An existing output is renamed aside first
 * and deleted only once the new one is in place, so a crash at any point leaves the old or the new output whole.
 * quantize's {@link ArtifactWriter} (directories) and export/decode's OutputTarget (files) both commit through it.
 */
public final class AtomicReplace {
  private static final Logger LOG = LoggerFactory.getLogger("dev.asg.progress");

  private AtomicReplace() {}

  /**
   * Renames {@code tmp} to {@code output}.
   *
   * @param aside where an existing output waits until the new one is in place; a name no one else uses
   */
  public static void commit(FileSystem fs, Path tmp, Path output, Path aside) throws IOException {
    boolean replacing = fs.exists(output);
    if (replacing) {
      rename(fs, output, aside);
    }
    rename(fs, tmp, output);
    if (replacing) {
      fs.delete(aside, true);
    }
    LOG.info("wrote {}", output);
  }

  /**
   * Removes the temporary output after a failure; logs and never throws, since the failure itself is what the
   * user needs to see.
   *
   * @param what the flag and value the output belongs to, for the log line
   */
  public static void discard(FileSystem fs, Path tmp, String what) {
    try {
      if (fs.exists(tmp)) {
        fs.delete(tmp, true);
      }
    } catch (IOException e) {
      LOG.warn("{}: could not remove the temporary {}: {}; delete it by hand", what, tmp, e.getMessage());
    }
  }

  private static void rename(FileSystem fs, Path from, Path to) throws IOException {
    if (!fs.rename(from, to)) {
      throw new IOException("could not rename " + from + " to " + to);
    }
  }
}
