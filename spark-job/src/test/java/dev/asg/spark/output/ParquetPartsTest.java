package dev.asg.spark.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.artifact.Digests;
import dev.asg.common.artifact.Manifest;
import dev.asg.common.kmeans.CodebookMode;
import dev.asg.spark.engine.MappedBlock;
import dev.asg.spark.engine.QuantizeResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The direct Parquet writer against Spark's own: for the same numbers, codebook/ and mapping/ parts must carry the
 * schema and footer Spark's writer gives them, read back through Spark with the same schema and rows, and give the
 * digests manifest.digests records.
 */
class ParquetPartsTest {
  private static final int K = 5;
  private static final int DSUB = 3;
  private static final int M = 2;
  private static final int ROWS = 7;
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("parquet parts test")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  @Test
  void writeCodebook_separateAndShared_sameFooterSchemaAndRowsAsSparkWriter(@TempDir Path dir) throws Exception {
    for (CodebookMode mode : CodebookMode.values()) {
      float[][] centroids = centroids(mode.codebooks(M), 11);
      Path direct = dir.resolve(mode + "-direct");
      Files.createDirectories(direct);
      ParquetParts.writeCodebook(new Configuration(), hpath(direct.resolve(ParquetParts.partName(0, "x"))),
          centroids, mode, K, DSUB, spark.version());
      Path viaSpark = dir.resolve(mode + "-spark");
      ArtifactSchemas.codebookFrame(spark, centroids, mode, K, DSUB).write().parquet(viaSpark.toString());

      assertSameFooter(viaSpark, direct);
      Dataset<Row> a = spark.read().parquet(direct.toString());
      Dataset<Row> b = spark.read().parquet(viaSpark.toString());
      assertEquals(b.schema(), a.schema());
      assertEquals(b.orderBy("row").collectAsList(), a.orderBy("row").collectAsList(), mode + " codebook rows");
      assertEquals(Digests.ofFloatArrays(centroids), codebookDigest(a), mode + " codebook digest");
    }
  }

  @Test
  void writeMapping_withAndWithoutTokens_sameFooterSchemaAndRowsAsSparkWriter(@TempDir Path dir) throws Exception {
    int[] ids = ids(ROWS, 3);
    // Tokens a vocabulary really holds: multi-byte UTF-8, an empty string, a space.
    String[] tokens = {"[PAD]", "héllo", "", " ", "##ing", "日本", "\uD83D\uDE00"};
    for (String[] t : new String[][] {null, tokens}) {
      String name = t == null ? "plain" : "tokens";
      Path direct = dir.resolve(name + "-direct");
      Files.createDirectories(direct);
      ParquetParts.writeMapping(new Configuration(), hpath(direct.resolve(ParquetParts.partName(0, "x"))), 0, ROWS,
          M, ids, t, spark.version());
      Path viaSpark = dir.resolve(name + "-spark");
      spark.createDataFrame(ArtifactSchemas.mappingRows(0, ROWS, M, ids, t),
          t == null ? ArtifactSchemas.MAPPING : ArtifactSchemas.MAPPING_WITH_TOKEN).coalesce(1)
          .write().parquet(viaSpark.toString());

      assertSameFooter(viaSpark, direct);
      Dataset<Row> a = spark.read().parquet(direct.toString());
      Dataset<Row> b = spark.read().parquet(viaSpark.toString());
      assertEquals(b.schema(), a.schema());
      assertEquals(b.orderBy("token_id").collectAsList(), a.orderBy("token_id").collectAsList(), name + " rows");
      assertEquals(Digests.ofInts(ids), mappingDigest(a), name + " mapping digest");
    }
  }

  @Test
  void writeMapping_directoryGone_failsWithoutRecreatingIt(@TempDir Path dir) {
    // file: (LocalFileSystem) as the jobs use it: a part whose directory was removed must not bring it back.
    Path gone = dir.resolve("removed");
    org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> ParquetParts.writeMapping(
        new Configuration(), hpath(gone.resolve(ParquetParts.partName(0, "x"))), 0, 1, M, new int[M], null,
        spark.version()));
    assertTrue(!Files.exists(gone), gone + " was recreated");
  }

  @Test
  void write_distributedBlocks_onePartPerBlockInTokenOrderAndDigestsMatch(@TempDir Path dir) throws Exception {
    int[] all = ids(ROWS, 5);
    // Three blocks of uneven size, one per partition, as the final pass leaves them.
    int[][] ranges = {{0, 3}, {3, 1}, {4, 3}};
    List<MappedBlock> blocks = new ArrayList<>();
    for (int[] r : ranges) {
      int[] part = java.util.Arrays.copyOfRange(all, r[0] * M, (r[0] + r[1]) * M);
      blocks.add(MappedBlock.of(r[0], r[1], M, part));
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    float[][] centroids = centroids(M, 13);
    Manifest manifest = new Manifest();
    manifest.source = new Manifest.Source();
    manifest.source.shape = new long[] {ROWS, (long) M * DSUB};
    QuantizeResult result = new QuantizeResult(centroids, CodebookMode.SEPARATE, K,
        new QuantizeResult.Distributed(jsc.parallelize(blocks, blocks.size()), null), manifest, () -> { });
    Path out = dir.resolve("set");
    FileSystem fs = FileSystem.getLocal(spark.sparkContext().hadoopConfiguration());
    ArtifactTables.write(result, fs, new org.apache.hadoop.fs.Path(out.toUri()));

    List<Path> parts = parquetFiles(out.resolve("mapping"));
    assertEquals(3, parts.size(), "one part per block: " + parts);
    for (int i = 0; i < parts.size(); i++) {
      assertTrue(parts.get(i).getFileName().toString().startsWith(String.format("part-%05d-", i)), parts.get(i)
          + " is not partition " + i + "'s");
      assertEquals(ranges[i][1], spark.read().parquet(parts.get(i).toString()).count(), parts.get(i) + " rows");
    }
    try (Stream<Path> s = Files.list(out.resolve("mapping"))) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".attempt-")), "no attempt file is left");
    }
    for (String sub : new String[] {"codebook", "mapping"}) {
      assertTrue(Files.exists(out.resolve(sub).resolve(ArtifactWriter.SUCCESS)), sub + "/_SUCCESS");
    }
    assertEquals(Digests.ofInts(all), mappingDigest(spark.read().parquet(out.resolve("mapping").toString())));
    assertEquals(Digests.ofFloatArrays(centroids),
        codebookDigest(spark.read().parquet(out.resolve("codebook").toString())));
    assertArrayEquals(all, result.collectMapping());
  }

  @Test
  void write_siblingTaskFails_killedTaskWritesNothingAfterTheFailure(@TempDir Path dir) throws Exception {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    // Partition 1 is inside the (slow, uninterruptible) create of its part's file when partition 0 fails, Spark
    // kills it and the directory is removed.
    org.apache.spark.api.java.JavaRDD<MappedBlock> blocks = jsc.parallelize(List.of(0, 1), 2).map(i -> {
      if (i == 0) {
        if (!SlowCreateFileSystem.waiting.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
          throw new IllegalStateException("partition 1 never entered the slow create");
        }
        throw new IllegalStateException("injected failure");
      }
      return MappedBlock.of(0, 1, M, new int[M]);
    });
    Manifest manifest = new Manifest();
    manifest.source = new Manifest.Source();
    QuantizeResult result = new QuantizeResult(centroids(M, 3), CodebookMode.SEPARATE, K,
        new QuantizeResult.Distributed(blocks, null), manifest, () -> { });
    SlowCreateFileSystem.waiting = new java.util.concurrent.CountDownLatch(1);
    Path out = dir.resolve("set");
    org.apache.hadoop.fs.Path hout = new org.apache.hadoop.fs.Path(SlowCreateFileSystem.SCHEME + "://" + out);
    org.apache.hadoop.conf.Configuration conf = jsc.hadoopConfiguration();
    conf.set("fs." + SlowCreateFileSystem.SCHEME + ".impl", SlowCreateFileSystem.class.getName());
    conf.setBoolean("fs." + SlowCreateFileSystem.SCHEME + ".impl.disable.cache", true);
    try {
      FileSystem fs = hout.getFileSystem(conf);
      org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
          () -> ArtifactTables.write(result, fs, hout));
      assertEquals(0, SlowCreateFileSystem.waiting.getCount(), "partition 1 never entered the slow create");
      // What ArtifactWriter does with a failed write's directory; the killed task must not bring it back.
      fs.delete(hout, true);
      Thread.sleep(SlowCreateFileSystem.DELAY_MS + 2000);
      assertTrue(!Files.exists(out), "a killed task recreated " + out + " after the failed write removed it");
    } finally {
      conf.unset("fs." + SlowCreateFileSystem.SCHEME + ".impl");
    }
  }

  /** Schema and key-value metadata of the first part of each directory must be the same. */
  private static void assertSameFooter(Path expectedDir, Path actualDir) throws IOException {
    FileMetaData want = footer(parquetFiles(expectedDir).get(0));
    FileMetaData got = footer(parquetFiles(actualDir).get(0));
    assertEquals(want.getSchema(), got.getSchema());
    assertEquals(want.getKeyValueMetaData(), got.getKeyValueMetaData());
  }

  private static FileMetaData footer(Path file) throws IOException {
    try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(hpath(file), new Configuration()))) {
      return r.getFooter().getFileMetaData();
    }
  }

  private static List<Path> parquetFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList();
    }
  }

  /** As LoadedArtifact checks it: float32 LE of the vectors in row order. */
  private static String codebookDigest(Dataset<Row> df) {
    java.security.MessageDigest md = Digests.sha256();
    for (Row r : df.orderBy("row").collectAsList()) {
      List<Float> v = r.getList(3);
      float[] f = new float[v.size()];
      for (int i = 0; i < f.length; i++) {
        f[i] = v.get(i);
      }
      Digests.updateFloats(md, f, 0, f.length);
    }
    return Digests.hex(md);
  }

  private static String mappingDigest(Dataset<Row> df) {
    java.security.MessageDigest md = Digests.sha256();
    for (Row r : df.orderBy("token_id").collectAsList()) {
      List<Integer> v = r.getList(1);
      int[] ids = v.stream().mapToInt(Integer::intValue).toArray();
      Digests.updateInts(md, ids, 0, ids.length);
    }
    return Digests.hex(md);
  }

  /** Random centroids, with the values that differ in bits only: -0.0, a subnormal, the extremes. */
  private static float[][] centroids(int codebooks, long seed) {
    Random r = new Random(seed);
    float[][] c = new float[codebooks][K * DSUB];
    for (float[] a : c) {
      for (int i = 0; i < a.length; i++) {
        a[i] = (float) r.nextGaussian();
      }
    }
    c[0][0] = -0.0f;
    c[0][1] = Float.MIN_VALUE;
    c[0][2] = Float.MAX_VALUE;
    c[codebooks - 1][K * DSUB - 1] = -Float.MAX_VALUE;
    return c;
  }

  /** Separate-mode ConceptIDs: segment i of a row points into codebook i. */
  private static int[] ids(int rows, long seed) {
    Random r = new Random(seed);
    int[] ids = new int[rows * M];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (i % M) * K + r.nextInt(K);
    }
    return ids;
  }

  @Test
  void removeAttemptLeftovers_failedAttemptFile_removedPartsAndChecksumsKept(@TempDir Path dir) throws IOException {
    FileSystem fs = FileSystem.getLocal(new Configuration());
    org.apache.hadoop.fs.Path d = hpath(dir);
    org.apache.hadoop.fs.Path part = new org.apache.hadoop.fs.Path(d, "part-00000-x-c000.snappy.parquet");
    org.apache.hadoop.fs.Path stray =
        new org.apache.hadoop.fs.Path(d, ".part-00001-x-c000.snappy.parquet.attempt-7");
    fs.create(part).close(); // LocalFileSystem also writes .part-...parquet.crc beside it
    fs.create(stray).close();
    assertTrue(fs.exists(stray));

    ArtifactTables.removeAttemptLeftovers(fs, d);

    assertTrue(fs.exists(part));
    assertTrue(Files.exists(dir.resolve(".part-00000-x-c000.snappy.parquet.crc")));
    assertTrue(!fs.exists(stray) && !Files.exists(dir.resolve(".part-00001-x-c000.snappy.parquet.attempt-7.crc")),
        "the failed attempt's file and its checksum are gone");
  }

  private static org.apache.hadoop.fs.Path hpath(Path p) {
    return new org.apache.hadoop.fs.Path(p.toUri());
  }
}
