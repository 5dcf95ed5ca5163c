package dev.asg.spark.output;

import dev.asg.common.kmeans.CodebookMode;
import java.io.IOException;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * Writes codebook/ and mapping/ part files with parquet-java straight from the arrays, without Spark SQL (no Row
 * per token, no query plan): the same Parquet schema, footer metadata, codec and file names as Spark's own writer
 * gave them (3-level lists, {@code spark_schema}, the Spark schema JSON under {@value #SPARK_SCHEMA_KEY}, snappy), so
 * Spark, pyarrow and the artifact loader read them exactly as before. Pure functions of their inputs: a retried task
 * rewrites the same bytes.
 */
public final class ParquetParts {
  /** Footer key Spark's reader takes the column types (and nullability) from; Spark's writer sets it too. */
  static final String SPARK_SCHEMA_KEY = "org.apache.spark.sql.parquet.row.metadata";
  static final String SPARK_VERSION_KEY = "org.apache.spark.version";

  private ParquetParts() {}

  /** codebook/'s columns, as Spark writes {@link ArtifactSchemas#CODEBOOK}. */
  static final MessageType CODEBOOK = Types.buildMessage()
      .required(PrimitiveTypeName.INT32).named("row")
      .required(PrimitiveTypeName.INT32).named("codebook")
      .required(PrimitiveTypeName.INT32).named("centroid")
      .requiredList().requiredElement(PrimitiveTypeName.FLOAT).named("vector")
      .named("spark_schema");

  /** mapping/'s columns, as Spark writes {@link ArtifactSchemas#MAPPING} (with the token column: MAPPING_WITH_TOKEN). */
  static MessageType mapping(boolean withToken) {
    Types.MessageTypeBuilder b = Types.buildMessage();
    b.required(PrimitiveTypeName.INT32).named("token_id")
        .requiredList().requiredElement(PrimitiveTypeName.INT32).named("concept_ids");
    if (withToken) {
      b.required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("token");
    }
    return b.named("spark_schema");
  }

  /** Spark's name for the i-th file of a write: {@code part-00003-<uuid>-c000.snappy.parquet}. */
  public static String partName(int index, String writeId) {
    return String.format(java.util.Locale.ROOT, "part-%05d-%s-c000.snappy.parquet", index, writeId);
  }

  /**
   * codebook/'s single part: a row per (codebook c, centroid j), keyed by its ConceptID, in row order.
   *
   * @param centroids one k x dsub row-major array per codebook
   */
  public static void writeCodebook(Configuration conf, Path file, float[][] centroids, CodebookMode mode, int k,
      int dsub, String sparkVersion) throws IOException {
    write(conf, file, codebookSupport(centroids, mode, k, dsub, sparkVersion), centroids.length * k, "row",
        "vector.list.element");
  }

  private static WriteSupport<Integer> codebookSupport(float[][] centroids, CodebookMode mode, int k, int dsub,
      String sparkVersion) {
    return new Support<>(CODEBOOK, ArtifactSchemas.CODEBOOK.json(), sparkVersion) {
      @Override
      public void write(Integer n) {
        int c = n / k;
        int j = n % k;
        RecordConsumer rc = consumer;
        rc.startMessage();
        intField(rc, "row", 0, mode.conceptId(c, j, k));
        intField(rc, "codebook", 1, c);
        intField(rc, "centroid", 2, j);
        startList(rc, "vector", 3);
        float[] v = centroids[c];
        for (int d = j * dsub, end = d + dsub; d < end; d++) {
          startElement(rc);
          rc.addFloat(v[d]);
          endElement(rc);
        }
        endList(rc, "vector", 3);
        rc.endMessage();
      }
    };
  }

  /**
   * One mapping/ part: tokens firstRow .. firstRow + rows - 1, whose ConceptIDs are {@code ids[r*m + i]}; with
   * {@code tokens} (indexed by token id) each row also names its token.
   */
  public static void writeMapping(Configuration conf, Path file, int firstRow, int rows, int m, int[] ids,
      String[] tokens, String sparkVersion) throws IOException {
    write(conf, file, mappingSupport(firstRow, m, ids, tokens, sparkVersion), rows, "token_id");
  }

  private static WriteSupport<Integer> mappingSupport(int firstRow, int m, int[] ids, String[] tokens,
      String sparkVersion) {
    boolean withToken = tokens != null;
    String sparkSchema = (withToken ? ArtifactSchemas.MAPPING_WITH_TOKEN : ArtifactSchemas.MAPPING).json();
    return new Support<>(mapping(withToken), sparkSchema, sparkVersion) {
      @Override
      public void write(Integer r) {
        RecordConsumer rc = consumer;
        int t = firstRow + r;
        rc.startMessage();
        intField(rc, "token_id", 0, t);
        startList(rc, "concept_ids", 1);
        for (int i = r * m, end = i + m; i < end; i++) {
          startElement(rc);
          rc.addInteger(ids[i]);
          endElement(rc);
        }
        endList(rc, "concept_ids", 1);
        if (withToken) {
          rc.startField("token", 2);
          rc.addBinary(Binary.fromString(tokens[t]));
          rc.endField("token", 2);
        }
        rc.endMessage();
      }
    };
  }

  /**
   * Writes a small codebook and mapping (with tokens) into memory and drops the bytes: loads and compiles the
   * parquet-java and snappy classes the artifact write needs (~2 s of CPU in the first write, on the write's
   * critical path) while the caller has idle cores. Writes no file.
   */
  public static void warmUp(Configuration conf) throws IOException {
    String version = org.apache.spark.package$.MODULE$.SPARK_VERSION();
    int k = 4;
    int dsub = 2;
    float[][] centroids = {new float[k * dsub]};
    write(conf, new Discard(), codebookSupport(centroids, CodebookMode.SEPARATE, k, dsub, version), k, "row",
        "vector.list.element");
    // Enough rows for the JIT to start on the per-value path; still well under a millisecond of snappy.
    int rows = 1024;
    int m = 4;
    String[] tokens = new String[rows];
    java.util.Arrays.fill(tokens, "t");
    write(conf, new Discard(), mappingSupport(0, m, new int[rows * m], tokens, version), rows, "token_id");
  }

  /** An OutputFile that counts the bytes written to it and keeps none. */
  private static final class Discard implements OutputFile {
    @Override
    public PositionOutputStream create(long blockSizeHint) {
      return new PositionOutputStream() {
        private long pos;

        @Override
        public long getPos() {
          return pos;
        }

        @Override
        public void write(int b) {
          pos++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
          pos += len;
        }
      };
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) {
      return create(blockSizeHint);
    }

    @Override
    public boolean supportsBlockSize() {
      return false;
    }

    @Override
    public long defaultBlockSize() {
      return 0;
    }
  }

  /** The empty {@code _SUCCESS} file Spark's committer leaves in each directory it writes. */
  public static void markSuccess(FileSystem fs, Path dir) throws IOException {
    fs.create(new Path(dir, ArtifactWriter.SUCCESS), true).close();
  }

  /** A required 3-level LIST field (group name (LIST) { repeated group list { required element } }), as Spark's. */
  private static void startList(RecordConsumer rc, String name, int index) {
    rc.startField(name, index);
    rc.startGroup();
    rc.startField("list", 0);
  }

  private static void endList(RecordConsumer rc, String name, int index) {
    rc.endField("list", 0);
    rc.endGroup();
    rc.endField(name, index);
  }

  private static void startElement(RecordConsumer rc) {
    rc.startGroup();
    rc.startField("element", 0);
  }

  private static void endElement(RecordConsumer rc) {
    rc.endField("element", 0);
    rc.endGroup();
  }

  private static void intField(RecordConsumer rc, String name, int index, int value) {
    rc.startField(name, index);
    rc.addInteger(value);
    rc.endField(name, index);
  }

  /**
   * Records 0 .. n-1 through {@code ws}, with Spark's defaults (snappy, dictionary pages, format v1) except for
   * {@code plainColumns}: columns whose values are all distinct (token ids, codebook rows, centroid floats), where
   * parquet-java would build a dictionary, find it no smaller and fall back to the plain pages written here
   * directly (the same encodings in the file; the wasted dictionary was most of the codebook's write time). The
   * file must be new and its directory must exist: it is created without creating parents (see
   * {@link NonRecursiveOutputFile}).
   */
  private static void write(Configuration conf, Path file, WriteSupport<Integer> ws, int n, String... plainColumns)
      throws IOException {
    write(conf, new NonRecursiveOutputFile(file, conf), ws, n, plainColumns);
  }

  private static void write(Configuration conf, OutputFile file, WriteSupport<Integer> ws, int n,
      String... plainColumns) throws IOException {
    Builder b = new Builder(file, ws).withConf(conf)
        .withWriteMode(ParquetFileWriter.Mode.CREATE).withCompressionCodec(CompressionCodecName.SNAPPY);
    for (String column : plainColumns) {
      b.withDictionaryEncoding(column, false);
    }
    try (ParquetWriter<Integer> w = b.build()) {
      for (int i = 0; i < n; i++) {
        w.write(i);
      }
    }
  }

  /** A WriteSupport whose records are indices into arrays the subclass holds. */
  private abstract static class Support<T> extends WriteSupport<T> {
    private final MessageType schema;
    private final Map<String, String> footer;
    RecordConsumer consumer;

    Support(MessageType schema, String sparkSchemaJson, String sparkVersion) {
      this.schema = schema;
      this.footer = Map.of(SPARK_VERSION_KEY, sparkVersion, SPARK_SCHEMA_KEY, sparkSchemaJson);
    }

    @Override
    public WriteContext init(Configuration configuration) {
      return new WriteContext(schema, footer);
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
      this.consumer = recordConsumer;
    }
  }

  private static final class Builder extends ParquetWriter.Builder<Integer, Builder> {
    private final WriteSupport<Integer> ws;

    Builder(OutputFile file, WriteSupport<Integer> ws) {
      super(file);
      this.ws = ws;
    }

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    protected WriteSupport<Integer> getWriteSupport(Configuration conf) {
      return ws;
    }
  }
}
