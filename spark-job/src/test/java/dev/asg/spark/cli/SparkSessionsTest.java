package dev.asg.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The class loader quantize's session starts under hides exactly spark-mllib's session extension provider. */
class SparkSessionsTest {
  private static final String SERVICES = "META-INF/services/org.apache.spark.sql.SparkSessionExtensionsProvider";

  @Test
  void withoutProvider_servicesOfMllib_onlyThatJarHidden() throws Exception {
    ClassLoader parent = SparkSessionsTest.class.getClassLoader();
    List<URL> all = Collections.list(parent.getResources(SERVICES));
    assertTrue(all.stream().anyMatch(u -> u.toString().contains("spark-mllib")), "mllib lists a provider: " + all);

    ClassLoader filtered = new SparkSessions.WithoutProvider(parent, SparkSessions.ML_FUNCTIONS);
    List<URL> kept = Collections.list(filtered.getResources(SERVICES));
    assertEquals(all.size() - 1, kept.size(), "exactly one services file hidden: " + kept);
    assertTrue(kept.stream().noneMatch(u -> u.toString().contains("spark-mllib")), kept.toString());
    // Everything else resolves as through the parent.
    assertEquals(Collections.list(parent.getResources("META-INF/MANIFEST.MF")),
        Collections.list(filtered.getResources("META-INF/MANIFEST.MF")));
    assertEquals(parent.loadClass("org.apache.spark.sql.SparkSession"),
        filtered.loadClass("org.apache.spark.sql.SparkSession"));
  }

  @Test
  void conf_embeddedOrClusterMaster_webUiOffOnlyWhenEmbeddedAndUnset() {
    assertEquals("false", SparkSessions.conf("t", "local[2]").get("spark.ui.enabled"));
    assertEquals("false", SparkSessions.conf("t", "local").get("spark.ui.enabled"));
    assertTrue(!SparkSessions.conf("t", "local-cluster[1,1,512]").contains("spark.ui.enabled"));
    assertTrue(!SparkSessions.conf("t", "spark://host:7077").contains("spark.ui.enabled"));
    System.setProperty("spark.ui.enabled", "true");
    try {
      assertEquals("true", SparkSessions.conf("t", "local[2]").get("spark.ui.enabled"), "an explicit setting wins");
    } finally {
      System.clearProperty("spark.ui.enabled");
    }
  }
}
