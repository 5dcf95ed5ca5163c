package dev.asg.tests.hdfs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real HDFS (one NameNode, one DataNode) in the test JVM, one per test class: {@code @RegisterExtension static
 * final MiniHdfs HDFS = new MiniHdfs();}. Hadoop's shaded minicluster at the Hadoop version Spark ships, so
 * Spark, the job and the test all talk to it through the ordinary {@code hdfs://} client. Reusable by any test
 * that needs a Hadoop filesystem that is not the local one (artifacts, checkpoints, status files, saved models).
 */
public final class MiniHdfs implements BeforeAllCallback, AfterAllCallback {
  private MiniDFSCluster cluster;
  private Path baseDir;
  private long startMillis;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    long t0 = System.nanoTime();
    baseDir = Files.createDirectories(Path.of("target", "minihdfs")).toAbsolutePath();
    baseDir = Files.createTempDirectory(baseDir, context.getRequiredTestClass().getSimpleName() + "-");
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, baseDir.toString());
    // One DataNode: files keep one replica, and the NameNode must not wait for more.
    conf.setInt("dfs.replication", 1);
    // Only loopback, as every test here; a fixed port is not needed: the URI carries the chosen one.
    conf.set("dfs.namenode.rpc-bind-host", "127.0.0.1");
    cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    cluster.waitActive();
    startMillis = (System.nanoTime() - t0) / 1_000_000;
    System.out.printf("[MiniHdfs] %s: HDFS up at %s in %.1f s%n", context.getRequiredTestClass().getSimpleName(),
        uri(""), startMillis / 1000.0);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (cluster != null) {
      cluster.shutdown(true);
    }
  }

  /** {@code hdfs://localhost:PORT/<path>}: what a user would pass to --input or --output. */
  public String uri(String path) {
    return "hdfs://localhost:" + cluster.getNameNodePort() + "/" + path.replaceFirst("^/+", "");
  }

  /** A client of this HDFS (the test's own view; the job builds its own from the URI). */
  public FileSystem fs() {
    try {
      return cluster.getFileSystem();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Copies a local file or directory (a Parquet table, a sharded checkpoint) to {@code path}; returns its URI. */
  public String put(Path local, String path) throws IOException {
    fs().copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(local.toUri()),
        new org.apache.hadoop.fs.Path(uri(path)));
    return uri(path);
  }

  public boolean exists(String path) throws IOException {
    return fs().exists(new org.apache.hadoop.fs.Path(uri(path)));
  }

  public InputStream open(String path) throws IOException {
    return fs().open(new org.apache.hadoop.fs.Path(uri(path)));
  }

  /** The manifest of a committed artifact at {@code path}; fails the test when _SUCCESS is missing. */
  public dev.asg.common.artifact.Manifest manifest(String path) throws IOException {
    org.junit.jupiter.api.Assertions.assertTrue(exists(path + "/_SUCCESS"), "no _SUCCESS in " + uri(path));
    try (InputStream in = open(path + "/manifest.json")) {
      return dev.asg.common.artifact.Manifest.read(in);
    }
  }

  /** Milliseconds the NameNode and DataNode took to come up (for the README's timings). */
  public long startMillis() {
    return startMillis;
  }
}
