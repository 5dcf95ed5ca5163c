package dev.asg.spark.cli;

import dev.asg.common.InvalidInputException;
import dev.asg.common.Messages;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code bin/asg} and of {@code spark-submit --class dev.asg.spark.cli.AsgMain}. The exit codes are a
 * contract with schedulers (README, "Exit codes"): whether a retry can help decides between 1 and 2.
 */
@Command(name = "asg", mixinStandardHelpOptions = true, versionProvider = AsgMain.Version.class,
    description = "Aggregate Semantic Grouping: compress a token-embedding table into concept codebooks.",
    subcommands = {QuantizeCommand.class, SynthCommand.class, EvaluateCommand.class,
        InspectCommand.class, dev.asg.spark.consume.ExportCommand.class,
        dev.asg.spark.consume.DecodeCommand.class, EncodeCommand.class})
public final class AsgMain implements Runnable {
  /** Done, including "already up to date" ({@code --if-exists skip-if-current}). */
  public static final int EXIT_OK = 0;
  /** A runtime failure (a lost cluster, an unreachable filesystem, out of memory): a retry may help. */
  public static final int EXIT_FAILURE = 1;
  /** Bad usage or input (one line on stderr naming the flag or file, the value and what is allowed): a retry will
   * not help until the input changes. */
  public static final int EXIT_USAGE = 2;
  /** The output exists and the command was not told to replace it: nothing was done. */
  public static final int EXIT_OUTPUT_EXISTS = 3;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /** Runs a command line and returns the exit code (tests call this instead of main). */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cl = new CommandLine(new AsgMain());
    // conf/asg-defaults.properties holds quantize's flags; other commands (evaluate, inspect) have their own
    // defaults, and a same-named key there (seed, vocab) must not leak into them.
    // spark.asg.<flag> keys (spark-submit --conf / --properties-file) come before that file, flags before both.
    SparkConfFlags quantizeDefaults = SparkConfFlags.fromSparkConf(AsgDefaults.load());
    cl.getSubcommands().get("quantize").setDefaultValueProvider(quantizeDefaults);
    cl.setOut(out);
    cl.setErr(err);
    cl.setParameterExceptionHandler((ex, a) -> {
      // One line, like every input error: what is wrong, then where to look.
      String from = ex.getArgSpec() == null ? null : quantizeDefaults.sourceOf(ex.getArgSpec());
      String where = from == null || ex.getCommandLine() != cl.getSubcommands().get("quantize") ? ""
          : " (the value comes from the Spark configuration key " + from + ")";
      err.println("asg: error: " + Messages.oneLine(ex.getMessage() + where + "; "
          + usageHint(ex.getCommandLine())));
      return EXIT_USAGE;
    });
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      InvalidInputException bad = Failures.findInvalidInput(ex);
      if (bad != null) {
        int code = Failures.exitCode(ex);
        err.println((code == EXIT_FAILURE ? "asg: failed: " : "asg: error: ") + Failures.errorLine(ex));
        return code;
      }
      err.println("asg: failed: " + Failures.describe(ex));
      err.println("Nothing was committed to the output; the log above and Spark's task log " + taskLog()
          + " have the details. Rerunning is safe.");
      ex.printStackTrace(err);
      return EXIT_FAILURE;
    });
    return cl.execute(args);
  }

  /** conf/log4j2.properties sends Spark's task failure messages here (see it for why). */
  static String taskLog() {
    return System.getProperty("asg.task.log", System.getProperty("java.io.tmpdir") + "/asg-spark-tasks.log");
  }

  /** Where to look next: the failing command's --help, and at the top level the commands there are. */
  static String usageHint(CommandLine cmd) {
    String name = cmd.getCommandSpec().qualifiedName();
    if (cmd.getParent() == null) {
      return "run 'asg --help' for usage; commands: " + String.join(", ", cmd.getSubcommands().keySet());
    }
    return "run '" + name + " --help' for the flags and what they allow";
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The version line of {@code asg --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"asg-spark " + dev.asg.spark.engine.ToolVersion.get()};
    }
  }
}
