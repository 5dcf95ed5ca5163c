package dev.asg.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.InvalidInputException;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** spark.asg.<flag> values sit between the command line and asg-defaults.properties. */
class SparkConfFlagsTest {

  private static QuantizeCommand parse(Map<String, String> conf, String... args) {
    Properties file = new Properties();
    file.setProperty("m", "48");
    file.setProperty("k", "512");
    file.setProperty("seed", "1234");
    QuantizeCommand cmd = new QuantizeCommand();
    CommandLine cl = new CommandLine(cmd);
    cl.setDefaultValueProvider(new SparkConfFlags(conf, new AsgDefaults(file)));
    cl.parseArgs(args);
    return cmd;
  }

  @Test
  void defaultValue_flagThenConfThenFile_precedence() {
    QuantizeCommand c = parse(Map.of("m", "8", "k", "16"), "--input", "i", "--output", "o", "--k", "32");
    assertEquals(32, c.k, "the flag wins over spark.asg.k");
    assertEquals(8, c.m, "spark.asg.m wins over the defaults file");
    assertEquals(1234, c.seed, "the defaults file when neither is given");
  }

  @Test
  void defaultValue_requiredFlagsAndBooleans_fromConf() {
    QuantizeCommand c = parse(Map.of("input", "hdfs://nn/t.safetensors", "output", "hdfs://nn/a", "overwrite",
        "true", "if-exists", "overwrite"));
    assertEquals("hdfs://nn/t.safetensors", c.input);
    assertEquals("hdfs://nn/a", c.output);
    assertTrue(c.overwrite);
    assertEquals("overwrite", c.scheduler.ifExists);
  }

  @Test
  void checkKeys_unknownKey_namesItAndTheAllowedOnes() {
    QuantizeCommand cmd = new QuantizeCommand();
    CommandLine cl = new CommandLine(cmd);
    SparkConfFlags f = new SparkConfFlags(Map.of("iteratons", "3"), null);
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> f.checkKeys(cl.getCommandSpec()));
    assertTrue(e.getMessage().contains("spark.asg.iteratons") && e.getMessage().contains("iterations"),
        e.getMessage());
    assertThrows(InvalidInputException.class,
        () -> new SparkConfFlags(Map.of("master", "local"), null).checkKeys(cl.getCommandSpec()));
  }

  @Test
  void sourceOf_valueFromConf_namesTheKey() {
    QuantizeCommand cmd = new QuantizeCommand();
    CommandLine cl = new CommandLine(cmd);
    SparkConfFlags f = new SparkConfFlags(Map.of("m", "x"), null);
    assertEquals("spark.asg.m", f.sourceOf(cl.getCommandSpec().findOption("--m")));
    assertNull(f.sourceOf(cl.getCommandSpec().findOption("--k")));
  }

  @Test
  void run_badValueFromConf_exit2NamingTheKey() {
    System.setProperty("spark.asg.m", "four");
    try {
      java.io.StringWriter err = new java.io.StringWriter();
      int code = AsgMain.run(new java.io.PrintWriter(new java.io.StringWriter(), true),
          new java.io.PrintWriter(err, true), "quantize", "--input", "i", "--output", "o");
      assertEquals(AsgMain.EXIT_USAGE, code, err.toString());
      assertEquals(1, err.toString().lines().count(), err.toString());
      assertTrue(err.toString().contains("spark.asg.m") && err.toString().contains("four"), err.toString());
    } finally {
      System.clearProperty("spark.asg.m");
    }
  }
}
