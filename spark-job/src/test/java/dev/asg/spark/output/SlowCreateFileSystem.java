package dev.asg.spark.output;

import java.io.IOException;
import java.net.URI;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * The local filesystem as {@code file:} gives it (checksummed LocalFileSystem), under the scheme {@code slowfile:},
 * whose create (recursive or not) of a task attempt's file first waits {@link #DELAY_MS} without yielding to an
 * interrupt, as a CPU-bound task or a busy HDFS client would: a task killed in that window shows whether it still
 * writes afterwards, whatever interrupts it gets.
 */
public final class SlowCreateFileSystem extends LocalFileSystem {
  static final String SCHEME = "slowfile";
  static final long DELAY_MS = 4000;
  /** Counted down when a create starts waiting (tasks run in the test's JVM). */
  static volatile java.util.concurrent.CountDownLatch waiting = new java.util.concurrent.CountDownLatch(1);

  public SlowCreateFileSystem() {
    super(new Raw());
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
      short replication, long blockSize, Progressable progress) throws IOException {
    pause(f);
    return super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
  }

  @Override
  public FSDataOutputStream createNonRecursive(Path f, FsPermission permission, boolean overwrite, int bufferSize,
      short replication, long blockSize, Progressable progress) throws IOException {
    pause(f);
    return super.createNonRecursive(f, permission, overwrite, bufferSize, replication, blockSize, progress);
  }

  /** Sleeps out the whole delay even when interrupted, then restores the interrupt for whoever looks next. */
  private static void pause(Path f) {
    if (!f.getName().contains(".attempt-")) {
      return;
    }
    waiting.countDown();
    boolean interrupted = false;
    long end = System.nanoTime() + DELAY_MS * 1_000_000;
    for (long left; (left = end - System.nanoTime()) > 0; ) {
      try {
        Thread.sleep(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** The raw local filesystem under {@code slowfile:}, so paths of that scheme pass its checks. */
  public static final class Raw extends RawLocalFileSystem {
    @Override
    public URI getUri() {
      return URI.create(SCHEME + ":///");
    }

    @Override
    public String getScheme() {
      return SCHEME;
    }
  }
}
