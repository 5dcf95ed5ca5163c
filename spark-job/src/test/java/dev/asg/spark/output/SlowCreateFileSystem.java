package dev.asg.spark.output;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * The local filesystem under the scheme {@code slowfile:}, whose create of a task attempt's file first waits
 * {@link #DELAY_MS} (interruptibly): a task killed in that window shows whether it still writes afterwards.
 */
public final class SlowCreateFileSystem extends RawLocalFileSystem {
  static final String SCHEME = "slowfile";
  static final long DELAY_MS = 4000;
  /** Counted down when a create starts waiting (tasks run in the test's JVM). */
  static volatile java.util.concurrent.CountDownLatch waiting = new java.util.concurrent.CountDownLatch(1);

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
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
  public FSDataOutputStream create(Path f, boolean overwrite, int bufferSize, short replication, long blockSize,
      Progressable progress) throws IOException {
    pause(f);
    return super.create(f, overwrite, bufferSize, replication, blockSize, progress);
  }

  private static void pause(Path f) throws InterruptedIOException {
    if (!f.getName().contains(".attempt-")) {
      return;
    }
    try {
      waiting.countDown();
      Thread.sleep(DELAY_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted before creating " + f);
    }
  }
}
