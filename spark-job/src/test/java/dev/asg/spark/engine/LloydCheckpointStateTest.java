package dev.asg.spark.engine;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.InvalidInputException;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

class LloydCheckpointStateTest {
  private static final Path FILE = new Path("file:/tmp/out._ckpt/state-000002.json");

  private static LloydCheckpoint.State state(int codebooks) {
    LloydCheckpoint.State s = new LloydCheckpoint.State();
    s.iterationsDone = 2;
    s.objective.addAll(List.of(2.0, 1.0));
    s.emptySplits.addAll(List.of(0, 0));
    float[][] cs = new float[codebooks][8];
    s.storeCentroids(cs);
    return s;
  }

  @Test
  void validate_wholeState_accepted() {
    LloydCheckpoint.State s = state(4);
    assertDoesNotThrow(() -> s.validate(FILE));
    assertDoesNotThrow(() -> s.validateShape(FILE, 4, 8));
  }

  @Test
  void validateShape_codebookMissing_namesFile() {
    LloydCheckpoint.State s = state(4);
    s.centroids.remove(3);
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> s.validateShape(FILE, 4, 8));
    assertTrue(e.getMessage().contains("state-000002.json") && e.getMessage().contains("3 codebooks"),
        e.getMessage());
  }

  @Test
  void validate_badBase64OrTruncatedLists_namesFile() {
    LloydCheckpoint.State s = state(2);
    s.centroids.set(1, "@@@");
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> s.validate(FILE));
    assertTrue(e.getMessage().contains("state-000002.json") && e.getMessage().contains("base64"), e.getMessage());
    LloydCheckpoint.State t = state(2);
    t.objective.remove(1);
    assertThrows(InvalidInputException.class, () -> t.validate(FILE));
  }

  @Test
  void validate_nonFiniteCentroid_rejected() {
    LloydCheckpoint.State s = state(1);
    float[][] cs = {{1f, Float.NaN}};
    s.storeCentroids(cs);
    assertThrows(InvalidInputException.class, () -> s.validate(FILE));
  }
}
