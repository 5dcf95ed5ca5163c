package dev.asg.tests.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;

/**
 * Entry point of every Master and Worker JVM that {@link StandaloneSparkCluster} starts: runs the real main class
 * given as the first argument, and exits as soon as the parent (test) JVM is gone.
 *
 * <p>Why: a JVM shutdown hook covers a normal exit or Ctrl-C of the test JVM, but not a kill -9, an OOM kill or a
 * surefire fork timeout. The parent holds the write end of this JVM's stdin pipe; the kernel closes it when the
 * parent dies, whatever the cause, so end-of-file on stdin means "parent gone". {@link System#exit} then runs
 * Spark's own shutdown hooks, and the Worker's hook kills its executor JVMs, so nothing is orphaned.
 */
public final class ParentWatchdogMain {

  private ParentWatchdogMain() {
  }

  public static void main(String[] args) throws Throwable {
    if (args.length == 0) {
      System.err.println("ParentWatchdogMain: no main class given; usage: ParentWatchdogMain <main class> [args...]");
      System.exit(2);
    }
    Thread watchdog = new Thread(() -> {
      drain(System.in);
      System.err.println("ParentWatchdogMain: stdin closed, the parent JVM is gone; exiting so that no orphan"
          + " Spark process remains");
      System.exit(143);
    }, "parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    try {
      Class.forName(args[0]).getMethod("main", String[].class)
          .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** Reads until end-of-file; a read error means the pipe is broken, which also means the parent is gone. */
  private static void drain(InputStream in) {
    byte[] buffer = new byte[256];
    try {
      while (in.read(buffer) >= 0) {
        // Nothing is ever sent; the loop only waits for the pipe to close.
      }
    } catch (IOException e) {
      // Broken pipe: treated like end-of-file.
    }
  }
}
