package dev.asg.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.artifact.Manifest;
import dev.asg.common.synth.PlantedTable;
import dev.asg.common.tensor.DType;
import dev.asg.spark.cli.AsgDefaults;
import dev.asg.spark.cli.AsgMain;
import dev.asg.spark.engine.QuantizeJob;
import dev.asg.spark.engine.QuantizeRequest;
import dev.asg.spark.ml.ProductQuantizer;
import dev.asg.spark.ml.ProductQuantizerModel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark ML estimator and model: the same engine as the CLI (same digests for a DataFrame and a file), transform
 * as encoding (a training row gets its mapping row), persistence as a standard artifact the CLI reads (and a CLI
 * artifact as a model), a Pipeline round trip, and one-line errors for wrong columns and mixed directories.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProductQuantizerTest {
  private static final int V = 400;
  private static final int D = 8;
  private static final int M = 2;
  private static final int K = 8;

  @TempDir
  static Path dir;
  private SparkSession spark;
  private float[] data;
  private Path file;
  private Path cliArtifact;
  private Manifest cliManifest;
  private ProductQuantizerModel model;

  @BeforeAll
  void start() throws Exception {
    spark = LocalSpark.start("local[2]");
    PlantedTable t = new PlantedTable(V, D, M, K, 0.3, 21, PlantedTable.Mode.SEPARATE);
    data = new float[V * D];
    t.fillRows(0, V, data, 0);
    file = TestTables.safetensors(dir, "t.safetensors", t, DType.F32);
    cliArtifact = dir.resolve("cli");
    cliManifest = QuantizeJob.run(spark, QuantizeRequest.builder().input(file.toString())
        .output(cliArtifact.toString()).m(M).k(K).iterations(3).seed(5).build());
    model = estimator().fit(floats());
  }

  @AfterAll
  void stop() {
    spark.stop();
  }

  private static ProductQuantizer estimator() {
    return new ProductQuantizer().setInputCol("embedding").setIdCol("token_id").setM(M).setK(K).setMaxIter(3)
        .setSeed(5);
  }

  /** The table as (token_id int, embedding array&lt;float&gt;), rows in scrambled order. */
  private Dataset<Row> floats() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < V; i++) {
      int t = (i * 37) % V;
      Float[] v = new Float[D];
      for (int d = 0; d < D; d++) {
        v[d] = data[t * D + d];
      }
      rows.add(RowFactory.create(t, v));
    }
    StructType schema = new StructType().add("token_id", DataTypes.IntegerType)
        .add("embedding", DataTypes.createArrayType(DataTypes.FloatType));
    return spark.createDataFrame(rows, schema).repartition(3);
  }

  /** The same table with an ml Vector column (float -> double is exact). */
  private Dataset<Row> vectors() {
    List<Row> rows = new ArrayList<>();
    for (int t = 0; t < V; t++) {
      double[] v = new double[D];
      for (int d = 0; d < D; d++) {
        v[d] = data[t * D + d];
      }
      rows.add(RowFactory.create((long) t, Vectors.dense(v)));
    }
    StructType schema = new StructType().add("token_id", DataTypes.LongType).add("features", SQLDataTypes.VectorType());
    return spark.createDataFrame(rows, schema);
  }

  /** token_id -> outputCol of a transform. */
  private static int[][] conceptIds(Dataset<Row> transformed, String idCol, String outCol) {
    int[][] out = new int[V][];
    for (Row r : transformed.select(idCol, outCol).collectAsList()) {
      List<Integer> ids = r.getList(1);
      out[((Number) r.get(0)).intValue()] = ids.stream().mapToInt(Integer::intValue).toArray();
    }
    return out;
  }

  @Test
  void fit_dataFrameArrayOrVectorAndFile_sameManifestDigests() {
    assertEquals(cliManifest.digests, model.manifest().digests, "DataFrame array<float> vs safetensors file");
    ProductQuantizerModel fromVectors = estimator().setInputCol("features").fit(vectors());
    assertEquals(cliManifest.digests, fromVectors.manifest().digests, "ml Vector column vs safetensors file");
    assertEquals(cliManifest.source.sha256, model.manifest().source.sha256);
  }

  @Test
  void transform_trainingRows_equalTheirMappingRowsAndDecode() throws Exception {
    Dataset<Row> out = model.copy(org.apache.spark.ml.param.ParamMap.empty()).setReconstructedCol("recon")
        .transform(floats());
    int[][] ids = conceptIds(out, "token_id", "concept_ids");
    Artifacts cli = Artifacts.read(spark, cliArtifact);
    for (int t = 0; t < V; t++) {
      assertArrayEquals(cli.conceptIds[t], ids[t], "token " + t);
    }
    for (Row r : out.select("token_id", "recon").collectAsList()) {
      List<Float> v = r.getList(1);
      float[] got = new float[D];
      for (int d = 0; d < D; d++) {
        got[d] = v.get(d);
      }
      assertArrayEquals(cli.decode(r.getInt(0)), got, 0f, "reconstruction of token " + r.getInt(0));
    }
    assertEquals(V * 1L, model.mapping().count());
    assertEquals(M * K * 1L, model.codebooks().count());
  }

  @Test
  void save_standardArtifact_readByCliExportAndLoad() throws Exception {
    Path saved = dir.resolve("saved");
    model.write().save(saved.toString());
    for (String part : new String[] {"_SUCCESS", "manifest.json", "codebook", "mapping", "metadata"}) {
      assertTrue(Files.exists(saved.resolve(part)), part + " in " + saved);
    }
    Artifacts a = Artifacts.read(spark, saved);
    a.assertWellFormed(V, M, K, false);
    assertEquals(cliManifest.digests, a.manifest.digests);
    assertEquals(a.mappingDigest(), a.manifest.digests.get("mapping"));
    assertEquals(saved.toUri().getPath().replaceAll("/$", ""),
        new org.apache.hadoop.fs.Path(a.manifest.params.get("output").toString()).toUri().getPath());

    Path exported = dir.resolve("saved.safetensors");
    StringWriter err = new StringWriter();
    int code = AsgMain.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), "export",
        "--artifacts", saved.toString(), "--output", exported.toString());
    assertEquals(0, code, err.toString());
    String header = new String(Files.readAllBytes(exported), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(header.contains(cliManifest.digests.get("mapping")), "export carries the mapping digest");

    ProductQuantizerModel loaded = ProductQuantizerModel.load(saved.toString());
    assertEquals(model.uid(), loaded.uid());
    assertEquals(M, loaded.getM());
    assertEquals("embedding", loaded.getInputCol());
    assertEquals(3, loaded.getMaxIter());
    assertArrayEquals(conceptIds(model.transform(floats()), "token_id", "concept_ids"),
        conceptIds(loaded.transform(floats()), "token_id", "concept_ids"));
  }

  @Test
  void load_cliArtifact_paramsFromManifestAndSameEncoding() {
    ProductQuantizerModel loaded = ProductQuantizerModel.load(cliArtifact.toString());
    assertEquals(M, loaded.getM());
    assertEquals(K, loaded.getK());
    assertEquals(5L, loaded.getSeed());
    assertEquals(cliManifest.digests, loaded.manifest().digests);
    assertArrayEquals(conceptIds(model.transform(floats()), "token_id", "concept_ids"),
        conceptIds(loaded.transform(floats()), "token_id", "concept_ids"));
  }

  @Test
  void pipeline_saveAndLoad_roundTrip() throws Exception {
    Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {estimator().setOutputCol("ids")});
    Path unfitted = dir.resolve("pipeline");
    pipeline.write().save(unfitted.toString());
    ProductQuantizer stage = (ProductQuantizer) Pipeline.load(unfitted.toString()).getStages()[0];
    assertEquals(K, stage.getK());
    assertEquals("ids", stage.getOutputCol());

    PipelineModel fitted = pipeline.fit(floats());
    Path saved = dir.resolve("pipeline-model");
    fitted.write().save(saved.toString());
    // Spark clears the pipeline directory; the stage's own save then writes its sub-path, which is empty.
    fitted.write().overwrite().save(saved.toString());
    PipelineModel loaded = PipelineModel.load(saved.toString());
    assertArrayEquals(conceptIds(fitted.transform(floats()), "token_id", "ids"),
        conceptIds(loaded.transform(floats()), "token_id", "ids"));
    assertEquals(cliManifest.digests, ((ProductQuantizerModel) loaded.stages()[0]).manifest().digests);
  }

  @Test
  void saveOverwrite_nonArtifactDirectory_refusedAndUntouched() throws Exception {
    Path mine = Files.createDirectories(dir.resolve("not-an-artifact"));
    Files.writeString(mine.resolve("notes.txt"), "keep me");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> model.write().overwrite().save(mine.toString()));
    assertTrue(e.getMessage().startsWith("ProductQuantizerModel.save: ")
        && e.getMessage().contains("is not a committed asg artifact"), e.getMessage());
    try (var files = Files.list(mine)) {
      assertEquals(List.of("notes.txt"), files.map(f -> f.getFileName().toString()).toList());
    }
    assertEquals("keep me", Files.readString(mine.resolve("notes.txt")));
  }

  @Test
  void saveOverwrite_earlierModel_replacedWithoutLeftovers() throws Exception {
    Path target = dir.resolve("replaced");
    model.write().save(target.toString());
    ProductQuantizerModel other = ProductQuantizerModel.load(cliArtifact.toString());
    other.write().overwrite().save(target.toString());
    assertEquals(other.uid(), ProductQuantizerModel.load(target.toString()).uid());
    try (var siblings = Files.list(dir)) {
      List<String> left = siblings.map(f -> f.getFileName().toString())
          .filter(n -> n.startsWith("replaced.")).toList();
      assertEquals(List.of(), left, "temporary or replaced copies next to " + target);
    }
  }

  @Test
  void save_existingModelWithoutOverwrite_refusedAndKept() throws Exception {
    Path target = dir.resolve("kept");
    model.write().save(target.toString());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ProductQuantizerModel.load(cliArtifact.toString()).write().save(target.toString()));
    assertTrue(e.getMessage().startsWith("ProductQuantizerModel.save: ")
        && e.getMessage().contains("already exists"), e.getMessage());
    assertEquals(model.uid(), ProductQuantizerModel.load(target.toString()).uid());
  }

  @Test
  void transformSchema_wrongMissingOrExistingColumns_clearErrors() {
    Dataset<Row> df = floats().withColumn("text", org.apache.spark.sql.functions.lit("x"));
    IllegalArgumentException wrongType = assertThrows(IllegalArgumentException.class,
        () -> model.copy(new org.apache.spark.ml.param.ParamMap()).setInputCol("text").transform(df));
    assertTrue(wrongType.getMessage().contains("inputCol 'text' has type string; allowed: array<float>, "
        + "array<double> or vector"), wrongType.getMessage());
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> estimator().setInputCol("emb").fit(df));
    assertTrue(missing.getMessage().contains("inputCol 'emb' is not a column")
        && missing.getMessage().contains("token_id, embedding, text"), missing.getMessage());
    IllegalArgumentException exists = assertThrows(IllegalArgumentException.class,
        () -> model.transform(df.withColumn("concept_ids", org.apache.spark.sql.functions.lit(1))));
    assertTrue(exists.getMessage().contains("outputCol 'concept_ids' already exists"), exists.getMessage());
    IllegalArgumentException idType = assertThrows(IllegalArgumentException.class,
        () -> estimator().setIdCol("text").fit(df));
    assertTrue(idType.getMessage().contains("idCol 'text' has type string"), idType.getMessage());
  }

  @Test
  void transformAndFit_nullVector_errorNamesTheRowId() {
    StructType schema = new StructType().add("token_id", DataTypes.IntegerType)
        .add("embedding", DataTypes.createArrayType(DataTypes.FloatType));
    Dataset<Row> df = spark.createDataFrame(List.of(RowFactory.create(0, new Float[D]),
        RowFactory.create(7, null)), schema);
    Exception e = assertThrows(Exception.class, () -> model.transform(df.filter("token_id = 7")).collectAsList());
    String all = causes(e);
    assertTrue(all.contains("column 'embedding' of token_id 7 is null"), all);
    // fit checks the table first, as quantize checks a Parquet table: the message names the id too.
    Dataset<Row> withNull = floats().filter("token_id <> 7").union(df.filter("token_id = 7"));
    Exception f = assertThrows(Exception.class, () -> estimator().fit(withNull));
    assertTrue(f.getMessage().contains("embedding is null for token_id 7"), f.getMessage());
  }

  @Test
  void load_metadataOfOtherParams_clearError() throws Exception {
    Path mixed = dir.resolve("mixed");
    model.write().save(mixed.toString());
    Path other = dir.resolve("other-m");
    QuantizeJob.run(spark, QuantizeRequest.builder().input(file.toString()).output(other.toString()).m(4).k(K)
        .iterations(1).build());
    for (String part : new String[] {"codebook", "mapping"}) {
      org.apache.commons.io.FileUtils.deleteDirectory(mixed.resolve(part).toFile());
      org.apache.commons.io.FileUtils.copyDirectory(other.resolve(part).toFile(), mixed.resolve(part).toFile());
    }
    Files.copy(other.resolve("manifest.json"), mixed.resolve("manifest.json"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ProductQuantizerModel.load(mixed.toString()));
    assertTrue(e.getMessage().contains("saved with m 2, k 8") && e.getMessage().contains("has m 4, k 8"),
        e.getMessage());
  }

  @Test
  void defaultsAndServices_sameAsCliAndRegistered() {
    Properties d = AsgDefaults.load().properties();
    ProductQuantizer pq = new ProductQuantizer();
    assertEquals(Integer.parseInt(d.getProperty("m").trim()), pq.getM());
    assertEquals(Integer.parseInt(d.getProperty("k").trim()), pq.getK());
    assertEquals(d.getProperty("codebook").trim(), pq.getCodebook());
    assertEquals(Integer.parseInt(d.getProperty("iterations").trim()), pq.getMaxIter());
    assertEquals(d.getProperty("vector-col").trim(), pq.getInputCol());
    assertEquals("concept_ids", pq.getOutputCol());
    // Listed without instantiating: some of Spark's own registered models have no public constructor.
    List<String> estimators = ServiceLoader.load(Estimator.class).stream().map(p -> p.type().getName())
        .collect(Collectors.toList());
    List<String> transformers = ServiceLoader.load(Transformer.class).stream().map(p -> p.type().getName())
        .collect(Collectors.toList());
    assertEquals(ProductQuantizerModel.class, new ProductQuantizerModel().getClass(), "public no-arg constructor");
    assertTrue(estimators.contains(ProductQuantizer.class.getName()), estimators.toString());
    assertTrue(transformers.contains(ProductQuantizerModel.class.getName()), transformers.toString());
    assertTrue(Arrays.stream(pq.params()).anyMatch(p -> p.name().equals("maxPointsPerCentroid")));
  }

  private static String causes(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      sb.append(c.getMessage()).append(" | ");
    }
    return sb.toString();
  }
}
