package dev.asg.spark.consume;

import dev.asg.common.InvalidInputException;
import dev.asg.common.artifact.Manifest;
import dev.asg.common.io.RangeSource;
import dev.asg.common.tensor.DType;
import dev.asg.common.tensor.SafetensorsFormat;
import dev.asg.common.tensor.SafetensorsHeader;
import dev.asg.common.tensor.SafetensorsIndex;
import dev.asg.common.tensor.TableSpec;
import dev.asg.spark.artifact.ArtifactSections;
import dev.asg.spark.artifact.LoadedArtifact;
import dev.asg.spark.io.HadoopRangeSource;
import dev.asg.spark.source.TensorSha256;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * {@code asg decode --model}: a copy of a safetensors checkpoint (one file, or an index and its shards) in which
 * the tensors an artifact was trained on are replaced by their ASG reconstruction, in the tensor's own dtype.
 * Shape and dtype do not change, so every header, the index and every other byte are copied verbatim; only the
 * replaced tensors' byte ranges differ. Everything is checked before anything is written: the tensor must exist,
 * have the artifact's shape and the bytes the artifact's source.sha256 names.
 */
final class ModelPatch {
  /** A tensor to replace: where it lives and which section reconstructs it. */
  record Target(String shard, SafetensorsHeader header, SafetensorsHeader.TensorInfo info, DType dtype,
      ArtifactSections.Section section) {}

  private final String model;
  private final boolean sharded;
  private final List<String> files;
  private final Map<String, List<Target>> byFile;
  private final Configuration conf;

  private ModelPatch(String model, boolean sharded, List<String> files, Map<String, List<Target>> byFile,
      Configuration conf) {
    this.model = model;
    this.sharded = sharded;
    this.files = files;
    this.byFile = byFile;
    this.conf = conf;
  }

  boolean sharded() {
    return sharded;
  }

  /** Finds and checks every section's tensor in the model; exit 2 if the model is not the artifact's source. */
  static ModelPatch plan(String model, List<ArtifactSections.Section> sections, Configuration conf)
      throws IOException {
    boolean sharded = SafetensorsFormat.isIndex(model);
    SafetensorsIndex index = null;
    List<String> files = new ArrayList<>();
    try (RangeSource src = open(model, conf)) {
      if (sharded) {
        index = SafetensorsIndex.read(src);
        files.addAll(index.shards());
      } else {
        files.add(new Path(model).getName());
      }
    }
    Map<String, List<Target>> byFile = new LinkedHashMap<>();
    for (ArtifactSections.Section s : sections) {
      Manifest.Source source = s.dir().manifest().source;
      String name = source.tensor;
      String file = sharded ? index.shardOf(name) : files.get(0);
      if (file == null) {
        throw notSource(model, "has no tensor '" + name + "' in its weight_map", s);
      }
      String uri = sharded ? new Path(new Path(model).getParent(), file).toString() : model;
      SafetensorsHeader header;
      try (RangeSource src = open(uri, conf)) {
        header = SafetensorsHeader.read(src);
      }
      SafetensorsHeader.TensorInfo info = header.tensor(name);
      if (info == null) {
        throw notSource(uri, "has no tensor '" + name + "'", s);
      }
      long[] want = source.shape;
      if (!Arrays.equals(info.shape(), want)) {
        throw notSource(uri, "tensor '" + name + "' has shape " + Arrays.toString(info.shape()) + ", the artifact "
            + Arrays.toString(want), s);
      }
      DType dtype;
      try {
        dtype = DType.fromSafetensors(info.dtype());
      } catch (InvalidInputException e) {
        throw notSource(uri, "tensor '" + name + "' has dtype " + info.dtype() + " (allowed " + DType.SAFETENSORS_ALLOWED
            + ")", s);
      }
      TableSpec spec = new TableSpec(SafetensorsFormat.FORMAT, header.uri(), name, dtype, (int) want[0],
          (int) want[1], header.dataStart() + info.begin());
      String actual = TensorSha256.ofSource(source.sha256Of, spec, conf);
      if (actual == null) {
        throw notSource(uri, "cannot be checked: the artifact's manifest records no source digest of a known kind "
            + "(sha256_of '" + source.sha256Of + "')", s);
      }
      if (!actual.equals(source.sha256)) {
        throw notSource(uri, "tensor '" + name + "' has SHA-256 " + actual + ", the artifact's source.sha256 is "
            + source.sha256, s);
      }
      byFile.computeIfAbsent(file, f -> new ArrayList<>()).add(new Target(file, header, info, dtype, s));
    }
    return new ModelPatch(model, sharded, files, byFile, conf);
  }

  private static InvalidInputException notSource(String where, String what, ArtifactSections.Section s) {
    return new InvalidInputException("--model " + where + ": " + what + "; it is not the model --artifacts "
        + s.dir().path() + (s.name() == null ? "" : " (" + s.name() + ")") + " was trained on, pass that model");
  }

  /** Writes the patched copy to {@code target}'s temporary path (a file, or a directory for a sharded model). */
  void write(OutputTarget target, Map<String, LoadedArtifact> loaded) throws IOException {
    Path dir = new Path(model).getParent();
    if (!sharded) {
      writeFile(model, byFile.get(files.get(0)), loaded, target.fs().create(target.tmp(), false));
      return;
    }
    target.fs().mkdirs(target.tmp());
    try (RangeSource idx = open(model, conf); OutputStream os = target.fs().create(new Path(target.tmp(),
        new Path(model).getName()), false)) {
      TensorBytes.copy(idx, 0, idx.length(), os);
    }
    for (String f : files) {
      writeFile(new Path(dir, f).toString(), byFile.get(f), loaded, target.fs().create(new Path(target.tmp(), f),
          false));
    }
  }

  private void writeFile(String uri, List<Target> targets, Map<String, LoadedArtifact> loaded, OutputStream out)
      throws IOException {
    try (RangeSource src = open(uri, conf); OutputStream os = out) {
      long pos = 0;
      List<Target> sorted = new ArrayList<>(targets == null ? List.of() : targets);
      sorted.sort(Comparator.comparingLong(t -> t.info().begin()));
      for (Target t : sorted) {
        long begin = t.header().dataStart() + t.info().begin();
        TensorBytes.copy(src, pos, begin - pos, os);
        TensorBytes.reconstruction(os, loaded.get(t.section().dir().path().toString()), t.dtype());
        pos = t.header().dataStart() + t.info().end();
      }
      TensorBytes.copy(src, pos, src.length() - pos, os);
    }
  }

  private static RangeSource open(String uri, Configuration conf) throws IOException {
    try {
      return HadoopRangeSource.open(uri, conf);
    } catch (java.io.FileNotFoundException e) {
      throw new InvalidInputException("--model " + uri + " does not exist; pass the model.safetensors or "
          + "model.safetensors.index.json the artifact was trained on", e);
    }
  }
}
