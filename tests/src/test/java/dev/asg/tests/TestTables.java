package dev.asg.tests;

import dev.asg.common.io.LocalFileRangeSource;
import dev.asg.common.synth.PlantedTable;
import dev.asg.common.tensor.DType;
import dev.asg.common.tensor.RowReader;
import dev.asg.common.tensor.SafetensorsFormat;
import dev.asg.common.tensor.SafetensorsShardedWriter;
import dev.asg.common.tensor.TableSpec;
import dev.asg.common.tensor.TensorDecl;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Synthetic model files for the integration tests. */
public final class TestTables {
  private TestTables() {}

  public static Path safetensors(Path dir, String name, PlantedTable t, DType dtype) throws IOException {
    Path p = dir.resolve(name);
    t.writeSafetensors(p, dtype);
    return p;
  }

  /**
   * A 2-shard checkpoint: shard 1 holds an unrelated 2-D weight, shard 2 the embedding table. Returns the index.
   */
  public static Path sharded(Path dir, PlantedTable t) throws IOException {
    dir.toFile().mkdirs();
    TensorDecl other = new TensorDecl("encoder.layer.0.attention.weight", DType.F32, 4, t.dim());
    TensorDecl emb = new TensorDecl(PlantedTable.DEFAULT_TENSOR, DType.F32, t.rows(), t.dim());
    SafetensorsShardedWriter w = SafetensorsShardedWriter.create(dir, List.of(List.of(other), List.of(emb)),
        Map.of("format", "pt"));
    try (w) {
      float[] junk = new float[4 * t.dim()];
      for (int i = 0; i < junk.length; i++) {
        junk[i] = i * 0.25f;
      }
      w.writeRows(junk, 0, 4);
      float[] rows = new float[t.rows() * t.dim()];
      t.fillRows(0, t.rows(), rows, 0);
      w.writeRows(rows, 0, t.rows());
    }
    return w.indexPath();
  }

  /** The table as float32, read with the project's reader (used to check reconstructions). */
  public static float[] readAll(Path file, String tensor) throws IOException {
    try (LocalFileRangeSource src = new LocalFileRangeSource(file)) {
      TableSpec spec = SafetensorsFormat.resolve(src, tensor);
      try (LocalFileRangeSource data = new LocalFileRangeSource(Path.of(spec.uri()))) {
        float[] out = new float[spec.rows() * spec.dim()];
        RowReader.readRows(data, spec, 0, spec.rows(), out, 0);
        return out;
      }
    }
  }
}
