package dev.asg.spark.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * A path with its symbolic links resolved, for "is this inside that" checks: comparing path strings lets a link
 * into the output directory (or an output that is a link to the model's folder) get past them. Paths that do not
 * exist yet resolve through their deepest existing ancestor.
 */
public final class RealPaths {
  private RealPaths() {}

  /** {@code qualified} with links resolved: by the OS on the local filesystem, by {@link FileSystem#resolvePath}. */
  public static Path resolve(FileSystem fs, Path qualified) throws IOException {
    if (fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem) {
      java.nio.file.Path p = Paths.get(qualified.toUri()).toAbsolutePath().normalize();
      java.nio.file.Path existing = p;
      while (existing != null && !Files.exists(existing)) {
        existing = existing.getParent();
      }
      if (existing == null) {
        return qualified;
      }
      java.nio.file.Path real = existing.toRealPath().resolve(existing.relativize(p));
      return fs.makeQualified(new Path("file", null, real.toString()));
    }
    try {
      return fs.resolvePath(qualified);
    } catch (FileNotFoundException e) {
      return qualified;
    }
  }
}
