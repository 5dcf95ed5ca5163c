package dev.asg.spark.io;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * The driver's Hadoop configuration as plain strings, so tasks can rebuild it (Configuration is not
 * Serializable). Carries credentials and endpoints the user set with spark.hadoop.* to the executors' readers.
 */
public final class HadoopConfSnapshot implements Serializable {
  private static final long serialVersionUID = 1L;

  private final HashMap<String, String> entries = new HashMap<>();

  public HadoopConfSnapshot(Configuration conf) {
    for (Map.Entry<String, String> e : conf) {
      entries.put(e.getKey(), e.getValue());
    }
  }

  public Configuration toConfiguration() {
    Configuration c = new Configuration(false);
    entries.forEach(c::set);
    return c;
  }
}
