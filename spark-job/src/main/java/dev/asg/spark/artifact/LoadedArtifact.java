package dev.asg.spark.artifact;

import dev.asg.common.InvalidInputException;
import dev.asg.common.artifact.Digests;
import dev.asg.common.artifact.Reconstruction;
import org.apache.spark.sql.SparkSession;

/**
 * One artifact set read into memory (codebook and mapping are small next to the table, see {@link ArtifactDir}),
 * with its digests checked against the manifest: evaluate, export and decode must never hand out numbers the
 * manifest does not vouch for. Every command that reads a codebook and mapping comes through {@link #load}.
 *
 * @param name null for the single layout, else the section ("input", "output")
 * @param dir the set's directory and manifest
 * @param codebook (codebooks * k) x dsub floats by ConceptID
 * @param mapping V x m global ConceptIDs (row indices into the codebook)
 * @param tokens the token strings of mapping/'s token column, or null (no such column, or not asked for)
 */
public record LoadedArtifact(String name, ArtifactDir dir, float[] codebook, int[] mapping, String[] tokens) {

  /** Reads a section with its token column and checks its digests; exit 2 on a mismatch. */
  public static LoadedArtifact load(SparkSession spark, ArtifactSections.Section s) {
    LoadedArtifact a = load(spark, s.dir());
    return new LoadedArtifact(s.name(), a.dir, a.codebook, a.mapping, s.dir().readTokenColumn(spark));
  }

  /** Reads codebook and mapping (no token column) and checks their digests; exit 2 on a mismatch. */
  public static LoadedArtifact load(SparkSession spark, ArtifactDir dir) {
    float[] codebook = dir.readCodebook(spark);
    int[] mapping = dir.readMapping(spark);
    check(dir, "codebook", Digests.ofFloats(codebook));
    check(dir, "mapping", Digests.ofInts(mapping));
    return new LoadedArtifact(null, dir, codebook, mapping, null);
  }

  private static void check(ArtifactDir dir, String what, String actual) {
    String want = dir.manifest().digests.get(what);
    if (!actual.equals(want)) {
      throw new InvalidInputException("--artifacts " + dir.path() + ": " + what + "/ has SHA-256 " + actual
          + " but manifest.json digests." + what + " says " + want + "; the artifact was modified or damaged, "
          + "rerun 'asg quantize'");
    }
  }

  /** The section name as a tensor-name prefix: "" for the single layout, "input." for a decoder's input. */
  public String prefix() {
    return name == null ? "" : name + ".";
  }

  /** Writes the reconstruction of rows [from, from + n) into {@code out} (n x D floats). */
  public void reconstruct(int from, int n, float[] out) {
    Reconstruction.rows(from, n, dir.m(), dir.dsub(), mapping, codebook, out, 0);
  }
}
