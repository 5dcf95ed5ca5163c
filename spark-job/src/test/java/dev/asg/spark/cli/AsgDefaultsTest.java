package dev.asg.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.asg.spark.baseline.MllibBaseline;
import dev.asg.spark.engine.QuantizeParams;
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
    QuantizeParams d = QuantizeParams.builder().input("x").output("y").build();
    assertEquals(d.inputFormat(), p.getProperty(QuantizeParams.INPUT_FORMAT));
    assertEquals(d.idCol(), p.getProperty(QuantizeParams.ID_COL));
    assertEquals(d.vectorCol(), p.getProperty(QuantizeParams.VECTOR_COL));
    assertEquals(d.vocab(), p.getProperty(QuantizeParams.VOCAB));
    assertEquals(d.m(), Integer.parseInt(p.getProperty(QuantizeParams.M)));
    assertEquals(d.k(), Integer.parseInt(p.getProperty(QuantizeParams.K)));
    assertEquals(d.codebook().flagValue(), p.getProperty(QuantizeParams.CODEBOOK));
    assertEquals(d.init(), p.getProperty(QuantizeParams.INIT));
    assertEquals(d.initPointsPerCentroid(), Integer.parseInt(p.getProperty(QuantizeParams.INIT_POINTS_PER_CENTROID)));
    assertEquals(d.iterations(), Integer.parseInt(p.getProperty(QuantizeParams.ITERATIONS)));
    assertEquals(d.tol(), Double.parseDouble(p.getProperty(QuantizeParams.TOL)));
    assertEquals(d.maxPointsPerCentroid(), Integer.parseInt(p.getProperty(QuantizeParams.MAX_POINTS_PER_CENTROID)));
    assertEquals(d.seed(), Long.parseLong(p.getProperty(QuantizeParams.SEED)));
    assertEquals(d.partitions(), Integer.parseInt(p.getProperty(QuantizeParams.PARTITIONS)));
    assertEquals(d.partitionMb(), Integer.parseInt(p.getProperty(QuantizeParams.PARTITION_MB)));
    assertEquals(d.kernel(), p.getProperty(QuantizeParams.KERNEL));
    assertEquals(d.pruning().flagValue(), p.getProperty(QuantizeParams.PRUNING));
    assertEquals(d.checkpointEvery(), Integer.parseInt(p.getProperty(QuantizeParams.CHECKPOINT_EVERY)));
    assertEquals(MllibBaseline.ENGINE_DEFAULT, p.getProperty(MllibBaseline.ENGINE));
    assertEquals(MllibBaseline.MLLIB_SEGMENTS_DEFAULT, Integer.parseInt(p.getProperty(MllibBaseline.MLLIB_SEGMENTS)));
    // Every key in the file is a real flag (a typo would silently be ignored otherwise).
    for (String key : p.stringPropertyNames()) {
      boolean cliOnly = key.equals(MllibBaseline.ENGINE) || key.equals(MllibBaseline.MLLIB_SEGMENTS);
      assertEquals(true, cliOnly || d.asMap().containsKey(key), "unknown key in asg-defaults.properties: " + key);
    }
  }
}
