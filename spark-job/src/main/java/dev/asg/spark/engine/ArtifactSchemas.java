package dev.asg.spark.engine;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The Parquet schemas of codebook/ and mapping/ (see README "Artifacts"). */
public final class ArtifactSchemas {
  private ArtifactSchemas() {}

  /** row = i*k + j (the ConceptID), codebook = i (0 when shared), centroid = j, vector = D/m floats. */
  public static final StructType CODEBOOK = new StructType()
      .add("row", DataTypes.IntegerType, false)
      .add("codebook", DataTypes.IntegerType, false)
      .add("centroid", DataTypes.IntegerType, false)
      .add("vector", DataTypes.createArrayType(DataTypes.FloatType, false), false);

  /** token_id, and m ConceptIDs: row indices into codebook/. */
  public static final StructType MAPPING = new StructType()
      .add("token_id", DataTypes.IntegerType, false)
      .add("concept_ids", DataTypes.createArrayType(DataTypes.IntegerType, false), false);

  /**
   * {@link #MAPPING} plus the token string of each id, when a vocabulary was given or found next to the model
   * (so concept groups can be inspected without a tokenizer at hand).
   */
  public static final StructType MAPPING_WITH_TOKEN = MAPPING.add("token", DataTypes.StringType, false);
}
