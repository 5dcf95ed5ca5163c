package dev.asg.common.artifact;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.asg.common.kmeans.CodebookMode;

/**
 * Parameter accounting as in the paper's Appendices B and C: the embedding table's V*D parameters become k*D
 * (m codebooks of k concept vectors of D/m dims) or k*D/m for one shared codebook; the V x m mapping is not a
 * parameter and is stored at the smallest integer width that holds a ConceptID.
 */
public final class Compression {
  @JsonProperty("embedding_params_before")
  public long embeddingParamsBefore;
  @JsonProperty("embedding_params_after")
  public long embeddingParamsAfter;
  /** after / before: k/V for separate codebooks (Appendix B). */
  @JsonProperty("ratio")
  public double ratio;
  /** Bytes per ConceptID: 1, 2 or 4, the smallest unsigned width holding the largest id. */
  @JsonProperty("mapping_id_bytes")
  public int mappingIdBytes;
  /** V * m * mapping_id_bytes (Appendix C). */
  @JsonProperty("mapping_bytes")
  public long mappingBytes;
  /** mapping_bytes / (V*D*4): the mapping's overhead relative to the float32 table. */
  @JsonProperty("mapping_fraction_of_fp32_table")
  public double mappingFractionOfTable;

  public static Compression of(long rows, int dim, int m, int k, CodebookMode mode) {
    Compression c = new Compression();
    c.embeddingParamsBefore = rows * dim;
    c.embeddingParamsAfter = mode == CodebookMode.SEPARATE ? (long) k * dim : (long) k * (dim / m);
    c.ratio = (double) c.embeddingParamsAfter / c.embeddingParamsBefore;
    long maxId = mode == CodebookMode.SEPARATE ? (long) m * k - 1 : k - 1;
    c.mappingIdBytes = maxId < (1 << 8) ? 1 : maxId < (1 << 16) ? 2 : 4;
    c.mappingBytes = rows * m * c.mappingIdBytes;
    c.mappingFractionOfTable = c.mappingBytes / (rows * (double) dim * Float.BYTES);
    return c;
  }
}
