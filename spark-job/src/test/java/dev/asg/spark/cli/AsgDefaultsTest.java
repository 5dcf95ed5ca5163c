package dev.asg.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asg.common.kmeans.KMeansParams;
import dev.asg.spark.baseline.MllibBaseline;
import dev.asg.spark.engine.InputSpec;
import dev.asg.spark.engine.QuantizeRequest;
import dev.asg.spark.engine.RunOptions;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The shipped conf/asg-defaults.properties must say what the Java API's _DEFAULT constants say. */
class AsgDefaultsTest {

  @Test
  void shippedDefaults_agreeWithJavaConstants() throws Exception {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(Path.of("../conf/asg-defaults.properties"))) {
      p.load(in);
    }
    QuantizeRequest d = QuantizeRequest.builder().input("x").output("y").build();
    assertEquals(d.input().format().flagValue(), p.getProperty(InputSpec.INPUT_FORMAT));
    assertEquals(d.input().idCol(), p.getProperty(InputSpec.ID_COL));
    assertEquals(d.input().vectorCol(), p.getProperty(InputSpec.VECTOR_COL));
    assertEquals(d.input().vocab(), p.getProperty(InputSpec.VOCAB));
    assertEquals(d.algorithm().m(), Integer.parseInt(p.getProperty(KMeansParams.M)));
    assertEquals(d.algorithm().k(), Integer.parseInt(p.getProperty(KMeansParams.K)));
    assertEquals(d.algorithm().codebook().flagValue(), p.getProperty(KMeansParams.CODEBOOK));
    assertEquals(d.algorithm().init().flagValue(), p.getProperty(KMeansParams.INIT));
    assertEquals(d.algorithm().initPointsPerCentroid(), Integer.parseInt(p.getProperty(KMeansParams.INIT_POINTS_PER_CENTROID)));
    assertEquals(d.algorithm().iterations(), Integer.parseInt(p.getProperty(KMeansParams.ITERATIONS)));
    assertEquals(d.algorithm().tol(), Double.parseDouble(p.getProperty(KMeansParams.TOL)));
    assertEquals(d.algorithm().maxPointsPerCentroid(), Integer.parseInt(p.getProperty(KMeansParams.MAX_POINTS_PER_CENTROID)));
    assertEquals(d.algorithm().seed(), Long.parseLong(p.getProperty(KMeansParams.SEED)));
    assertEquals(d.run().partitions(), Integer.parseInt(p.getProperty(RunOptions.PARTITIONS)));
    assertEquals(d.run().partitionMb(), Integer.parseInt(p.getProperty(RunOptions.PARTITION_MB)));
    assertEquals(d.run().kernel().flagValue(), p.getProperty(RunOptions.KERNEL));
    assertEquals(d.run().pruning().flagValue(), p.getProperty(RunOptions.PRUNING));
    assertEquals(d.run().checkpointEvery(), Integer.parseInt(p.getProperty(RunOptions.CHECKPOINT_EVERY)));
    assertEquals(MllibBaseline.ENGINE_DEFAULT, p.getProperty(MllibBaseline.ENGINE));
    assertEquals(MllibBaseline.MLLIB_SEGMENTS_DEFAULT, Integer.parseInt(p.getProperty(MllibBaseline.MLLIB_SEGMENTS)));
    // Every key in the file is a real flag (a typo would silently be ignored otherwise).
    for (String key : p.stringPropertyNames()) {
      boolean cliOnly = key.equals(MllibBaseline.ENGINE) || key.equals(MllibBaseline.MLLIB_SEGMENTS);
      assertEquals(true, cliOnly || d.asMap().containsKey(key), "unknown key in asg-defaults.properties: " + key);
    }
  }
}
