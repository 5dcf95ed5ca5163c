package dev.asg.tests;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The shaded application jar that the spark-submit tests run. tests/pom.xml passes its path (with the project's
 * version) as {@value #PROPERTY}; a missing jar fails the test instead of skipping it, so CI cannot pass silently.
 */
public final class ShadedJar {
  public static final String PROPERTY = "asg.shaded.jar";

  private ShadedJar() {}

  /** The jar's absolute path; fails the calling test when the property is unset or the file is missing. */
  public static Path require() {
    String path = System.getProperty(PROPERTY);
    assertNotNull(path, "system property " + PROPERTY + " is not set (tests/pom.xml sets it for surefire); "
        + "build the shaded jar first: mvn verify");
    Path jar = Path.of(path).toAbsolutePath().normalize();
    assertTrue(Files.isRegularFile(jar), jar + " does not exist; build the shaded jar first: mvn verify");
    return jar;
  }
}
