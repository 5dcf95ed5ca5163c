package dev.asg.spark.cli;

import dev.asg.common.InvalidInputException;
import dev.asg.common.Messages;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.SparkConf;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Flag values from the Spark configuration, for spark-submit users who configure jobs with {@code --conf} or
 * {@code --properties-file} rather than arguments: {@code spark.asg.<flag>} (the long flag name without dashes, as in
 * conf/asg-defaults.properties) supplies {@code --<flag>}. Precedence: a flag on the command line, then the Spark
 * configuration, then asg-defaults.properties. Only a default: the run sees the effective value, so the manifest's
 * params (and what skip-if-current compares) do not depend on where a value came from.
 */
public final class SparkConfFlags implements CommandLine.IDefaultValueProvider {
  public static final String PREFIX = "spark.asg.";
  private static final Logger LOG = LoggerFactory.getLogger("dev.asg.progress");

  private final Map<String, String> values;
  private final CommandLine.IDefaultValueProvider fallback;

  /** @param values {@code spark.asg.*} entries with the prefix removed (flag name to value) */
  SparkConfFlags(Map<String, String> values, CommandLine.IDefaultValueProvider fallback) {
    this.values = new TreeMap<>(values);
    this.fallback = fallback;
  }

  /**
   * The {@code spark.asg.*} entries of the configuration this JVM would start Spark with: spark-submit passes
   * {@code --conf} and {@code --properties-file} entries to the driver as {@code spark.*} system properties.
   */
  public static SparkConfFlags fromSparkConf(CommandLine.IDefaultValueProvider fallback) {
    Map<String, String> v = new TreeMap<>();
    for (Tuple2<String, String> e : new SparkConf(true).getAllWithPrefix(PREFIX)) {
      v.put(e._1(), e._2());
    }
    return new SparkConfFlags(v, fallback);
  }

  @Override
  public String defaultValue(ArgSpec argSpec) throws Exception {
    String key = key(argSpec);
    if (key != null && values.containsKey(key)) {
      return values.get(key).trim();
    }
    return fallback == null ? null : fallback.defaultValue(argSpec);
  }

  /** The {@code spark.asg.*} key that supplied {@code argSpec}'s value, or null: for error messages. */
  public String sourceOf(ArgSpec argSpec) {
    String key = key(argSpec);
    return key != null && values.containsKey(key) ? PREFIX + key : null;
  }

  /** The entries in use, prefix included, for the log: a value nobody typed must be findable. */
  public Map<String, String> entries() {
    Map<String, String> m = new TreeMap<>();
    values.forEach((k, v) -> m.put(PREFIX + k, v));
    return m;
  }

  /**
   * Refuses a key that names no flag of {@code spec} (a typo would otherwise be ignored and the run would use
   * another value than intended); the command line's flags are not involved.
   */
  public void checkKeys(CommandSpec spec) {
    Set<String> flags = new TreeSet<>();
    for (OptionSpec o : spec.options()) {
      String name = o.longestName().replaceFirst("^-+", "");
      // --master has its own Spark key (spark.master).
      if (!o.usageHelp() && !o.versionHelp() && !name.equals("master")) {
        flags.add(name);
      }
    }
    for (String k : values.keySet()) {
      if (!flags.contains(k)) {
        throw new InvalidInputException("Spark configuration key " + Messages.quote(PREFIX + k) + " names no flag "
            + "of '" + spec.qualifiedName() + "'; allowed: " + PREFIX + "<flag> for " + String.join(", ", flags));
      }
    }
  }

  /**
   * For a command whose defaults come from a {@link SparkConfFlags}: refuses unknown keys and logs the values taken
   * from the Spark configuration (nobody typed them, so the log must say where they came from).
   */
  public static void checkAndLog(CommandSpec spec) {
    if (spec.defaultValueProvider() instanceof SparkConfFlags f && !f.values.isEmpty()) {
      f.checkKeys(spec);
      LOG.info("flags from the Spark configuration (a flag on the command line wins): {}", f.entries());
    }
  }

  private static String key(ArgSpec argSpec) {
    return argSpec instanceof OptionSpec ? ((OptionSpec) argSpec).longestName().replaceFirst("^-+", "") : null;
  }
}
