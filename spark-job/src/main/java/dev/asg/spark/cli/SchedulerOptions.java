package dev.asg.spark.cli;

import dev.asg.common.InvalidInputException;
import dev.asg.common.Messages;
import dev.asg.spark.status.StatusFile;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Option;

/**
 * The flags a scheduler drives quantize with (README "Scheduled pipelines"): what to do when the output exists, and
 * where to keep a status document. A mixin so the command stays a list of training flags.
 */
public final class SchedulerOptions {
  /** What quantize does when --output already holds an artifact. */
  public enum IfExists {
    /** Refuse with exit 3, touching nothing. */
    FAIL,
    /** Train and replace it atomically (what --overwrite does). */
    OVERWRITE,
    /** Exit 0 without training when it is current (same source SHA-256, parameters, tool version), else replace. */
    SKIP_IF_CURRENT;

    public String flagValue() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  public static final String IF_EXISTS = "--if-exists";

  @Option(names = IF_EXISTS, paramLabel = "MODE",
      description = "fail (exit 3), overwrite (as --overwrite) or skip-if-current (exit 0 without training when "
          + "the artifact's manifest has the same source SHA-256, parameters and tool version; else retrain) "
          + "(default: fail, or overwrite with --overwrite).")
  String ifExists;

  @Option(names = StatusFile.FLAG, paramLabel = "URI",
      description = "JSON document rewritten atomically at each phase and Lloyd iteration (state, phase, "
          + "iteration, objective, Spark application id, times, exit code, error); any Hadoop URI.")
  String statusFile;

  /** The effective mode: --if-exists, else what --overwrite says; a contradiction between them is refused. */
  public IfExists ifExists(boolean overwrite) {
    if (ifExists == null) {
      return overwrite ? IfExists.OVERWRITE : IfExists.FAIL;
    }
    IfExists mode = Arrays.stream(IfExists.values()).filter(m -> m.flagValue().equals(ifExists)).findFirst()
        .orElseThrow(() -> new InvalidInputException(IF_EXISTS + " " + Messages.quote(ifExists)
            + " is not a mode; allowed: " + Arrays.stream(IfExists.values()).map(IfExists::flagValue)
            .collect(Collectors.joining(", "))));
    if (overwrite && mode != IfExists.OVERWRITE) {
      throw new InvalidInputException("--overwrite means " + IF_EXISTS + " overwrite and contradicts " + IF_EXISTS
          + " " + mode.flagValue() + "; pass only one of them");
    }
    return mode;
  }

  /** Starts the status file (first write: running, preflight), or null without --status-file. */
  public StatusFile startStatus(Configuration conf, String command, String output) {
    return statusFile == null ? null : StatusFile.start(statusFile, conf, command, output);
  }
}
