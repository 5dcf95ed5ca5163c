package dev.asg.spark.output;

import dev.asg.spark.engine.MappedBlock;
import dev.asg.spark.engine.QuantizeResult;
import dev.asg.spark.io.HadoopConfSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Writes a result's codebook/ and mapping/ into an (uncommitted) artifact directory with {@link ParquetParts}: the
 * codebook by the driver, the mapping by the executors, each task writing the part of its cached block, so the
 * mapping never passes through the driver or through Spark SQL. One Spark job.
 */
public final class ArtifactTables {
  /** Job description of the mapping write (one job per artifact set). */
  public static final String WRITE_JOB = "asg write mapping";
  /** Marks a task attempt's file, {@code .<part>.attempt-<id>}, before it is renamed into place. */
  private static final String ATTEMPT = ".attempt-";

  private ArtifactTables() {}

  /**
   * Writes {@code dir}/codebook/ and {@code dir}/mapping/, each with Spark's empty _SUCCESS marker. The executors
   * write the mapping while the driver writes the codebook (its first Parquet write also loads parquet-java's classes).
   */
  public static void write(QuantizeResult result, FileSystem fs, Path dir) throws IOException {
    String version = org.apache.spark.package$.MODULE$.SPARK_VERSION();
    String writeId = UUID.randomUUID().toString();
    Path codebook = new Path(dir, "codebook");
    Path mapping = new Path(dir, "mapping");
    mkdirs(fs, codebook);
    mkdirs(fs, mapping);
    Runnable awaitMapping = () -> { };
    if (result.mapping() instanceof QuantizeResult.Distributed d) {
      awaitMapping = startDistributed(d, mapping, writeId, version);
    } else {
      QuantizeResult.Local local = (QuantizeResult.Local) result.mapping();
      MappedBlock b = local.block();
      ParquetParts.writeMapping(fs.getConf(), new Path(mapping, ParquetParts.partName(0, writeId)), b.firstRow(),
          b.rows(), b.m(), b.conceptIds(), local.tokens(), version);
    }
    boolean done = false;
    try {
      ParquetParts.writeCodebook(fs.getConf(), new Path(codebook, ParquetParts.partName(0, writeId)),
          result.centroids(), result.mode(), result.k(), result.centroids()[0].length / result.k(), version);
      ParquetParts.markSuccess(fs, codebook);
      done = true;
    } finally {
      // A failed codebook write still waits for the job, so nothing writes into the directory once it is removed.
      if (done) {
        awaitMapping.run();
      } else {
        try {
          awaitMapping.run();
        } catch (RuntimeException ignored) {
          // the codebook's failure is the one to report
        }
      }
    }
    removeAttemptLeftovers(fs, mapping);
    ParquetParts.markSuccess(fs, mapping);
  }

  /**
   * Deletes the attempt files a failed or killed task attempt left in {@code dir} (readers skip dot-files, but the
   * committed artifact should hold only its parts); the parts and their checksums stay.
   */
  static void removeAttemptLeftovers(FileSystem fs, Path dir) throws IOException {
    for (FileStatus st : fs.listStatus(dir)) {
      String name = st.getPath().getName();
      if (name.startsWith(".") && name.contains(ATTEMPT)) {
        fs.delete(st.getPath(), false);
      }
    }
  }

  /** Submits the mapping write (one job) and returns what waits for it, rethrowing its failure. */
  private static Runnable startDistributed(QuantizeResult.Distributed d, Path dir, String writeId, String version) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(d.blocks().context());
    HadoopConfSnapshot conf = new HadoopConfSnapshot(jsc.hadoopConfiguration());
    Broadcast<String[]> tokens = d.tokens() == null ? null : jsc.broadcast(d.tokens());
    String dirUri = dir.toString();
    jsc.setJobDescription(WRITE_JOB);
    // Killed tasks (a sibling failed) run on after the driver removes the directory; spark.job.interruptOnCancel is
    // left off: they cannot recreate it anyway (non-recursive create, kill check before the rename), and
    // interrupting HDFS writers can mark datanodes dead (HDFS-1208).
    JavaFutureAction<Void> job = d.blocks().foreachPartitionAsync(blocks -> writePart(conf.toConfiguration(),
        new Path(dirUri), TaskContext.getPartitionId(), writeId, blocks, tokens == null ? null : tokens.value(),
        version));
    return () -> {
      try {
        job.get();
      } catch (InterruptedException e) {
        job.cancel(true);
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while writing " + dir, e);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
      } finally {
        if (tokens != null) {
          tokens.destroy();
        }
      }
    };
  }

  /**
   * A task's part: written under a name of its own attempt, then renamed into place, so a retried or speculative
   * attempt never leaves a half-written part under the final name (all attempts write the same bytes). The attempt
   * file is created without parents, so once the driver has removed the directory this task fails instead of
   * recreating it.
   */
  private static void writePart(Configuration conf, Path dir, int index, String writeId, Iterator<MappedBlock> blocks,
      String[] tokens, String version) {
    if (!blocks.hasNext()) {
      return;
    }
    MappedBlock b = blocks.next();
    if (blocks.hasNext()) {
      throw new IllegalStateException("mapping partition " + index + " holds more than one block");
    }
    String name = ParquetParts.partName(index, writeId);
    TaskContext task = TaskContext.get();
    Path attempt = new Path(dir, "." + name + ATTEMPT + (task == null ? 0 : task.taskAttemptId()));
    Path target = new Path(dir, name);
    try {
      checkNotKilled(task);
      ParquetParts.writeMapping(conf, attempt, b.firstRow(), b.rows(), b.m(), b.conceptIds(), tokens, version);
      checkNotKilled(task);
      FileSystem fs = dir.getFileSystem(conf);
      if (!fs.rename(attempt, target)) {
        if (!fs.exists(target)) {
          throw new IOException("could not rename " + attempt + " to " + target);
        }
        fs.delete(attempt, false); // another attempt put the same bytes in place first
      }
    } catch (IOException e) {
      deleteAttempt(conf, attempt, e);
      throw new UncheckedIOException("writing " + target + " failed", e);
    } catch (RuntimeException | Error e) {
      deleteAttempt(conf, attempt, e);
      throw e;
    }
  }

  /**
   * A killed attempt (its job failed or was cancelled, or it lost a speculative race) must not commit its part: the
   * driver may be removing the directory. Spark marks the kill in the TaskContext without interrupting the thread.
   */
  private static void checkNotKilled(TaskContext task) {
    if (Thread.currentThread().isInterrupted() || (task != null && task.isInterrupted())) {
      throw new org.apache.spark.TaskKilledException("mapping part write stopped: the task was killed");
    }
  }

  /** A failed attempt's file is a readable Parquet file with only some rows (close() writes a footer): remove it. */
  private static void deleteAttempt(Configuration conf, Path attempt, Throwable failure) {
    try {
      attempt.getFileSystem(conf).delete(attempt, false);
    } catch (IOException | RuntimeException cleanup) {
      failure.addSuppressed(cleanup);
    }
  }

  private static void mkdirs(FileSystem fs, Path p) throws IOException {
    if (!fs.mkdirs(p)) {
      throw new IOException("could not create " + p);
    }
  }
}
