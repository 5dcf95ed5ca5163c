package dev.asg.spark.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import picocli.CommandLine;

/**
 * Defaults for every flag, from conf/asg-defaults.properties: the copy bundled in the jar, overlaid by the file
 * named in the system property {@value #CONF_PROPERTY} (bin/asg points it at the checkout's conf/ so edits apply
 * without a rebuild). Keys are the long flag names without dashes. Flags on the command line override both.
 */
public final class AsgDefaults implements CommandLine.IDefaultValueProvider {
  public static final String CONF_PROPERTY = "asg.defaults";
  public static final String RESOURCE = "/asg-defaults.properties";

  private final Properties props;

  public AsgDefaults(Properties props) {
    this.props = props;
  }

  public static AsgDefaults load() {
    Properties p = new Properties();
    try (InputStream in = AsgDefaults.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        p.load(in);
      }
      String file = System.getProperty(CONF_PROPERTY);
      if (file != null && !file.isBlank()) {
        try (InputStream f = Files.newInputStream(Path.of(file))) {
          p.load(f);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the defaults file named by -D" + CONF_PROPERTY, e);
    }
    return new AsgDefaults(p);
  }

  public Properties properties() {
    return props;
  }

  @Override
  public String defaultValue(CommandLine.Model.ArgSpec argSpec) {
    if (argSpec instanceof CommandLine.Model.OptionSpec) {
      String key = ((CommandLine.Model.OptionSpec) argSpec).longestName().replaceFirst("^-+", "");
      String v = props.getProperty(key);
      return v == null ? null : v.trim();
    }
    return null;
  }
}
