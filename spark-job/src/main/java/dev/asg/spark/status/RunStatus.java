package dev.asg.spark.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The document of {@code --status-file}: what a scheduler or a dashboard needs to follow a run without parsing
 * logs. Mutable and written whole at each change (it is a few hundred bytes); absent fields are written as null so
 * readers see every key in every state.
 */
@JsonPropertyOrder({"status_version", "command", "output", "state", "phase", "section", "iteration", "iterations",
    "objective", "application_id", "started", "updated", "ended", "exit_code", "error", "detail"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public final class RunStatus {
  /** Raised if a field changes meaning; readers should check it. */
  @JsonProperty("status_version")
  public int statusVersion = 1;
  @JsonProperty("command")
  public String command;
  /** The --output the run writes (as given). */
  @JsonProperty("output")
  public String output;
  /** running, succeeded, failed or skipped (already up to date); the last three are final. */
  @JsonProperty("state")
  public String state;
  /** preflight, then the engine's phases (read, sample, init, lloyd, final-assignment, write), then done. */
  @JsonProperty("phase")
  public String phase;
  /** A decoder run's section (input or output); null for a single run. */
  @JsonProperty("section")
  public String section;
  /** Last Lloyd iteration finished (1-based, absolute after a resume), of {@link #iterations}. */
  @JsonProperty("iteration")
  public Integer iteration;
  @JsonProperty("iterations")
  public Integer iterations;
  /** The k-means objective (sum of squared distances) after {@link #iteration}. */
  @JsonProperty("objective")
  public Double objective;
  /** Spark's application id, once the session is up: the key to the Spark UI and the cluster's logs. */
  @JsonProperty("application_id")
  public String applicationId;
  /** ISO-8601 UTC instants. */
  @JsonProperty("started")
  public String started;
  @JsonProperty("updated")
  public String updated;
  @JsonProperty("ended")
  public String ended;
  /** The process exit code (README "Exit codes"); null while running. */
  @JsonProperty("exit_code")
  public Integer exitCode;
  /** The one-line error of a failed run, as on stderr. */
  @JsonProperty("error")
  public String error;
  /** Why a run was skipped or retrained (--if-exists skip-if-current); null otherwise. */
  @JsonProperty("detail")
  public String detail;

  public static final String RUNNING = "running";
  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";
  public static final String SKIPPED = "skipped";
}
