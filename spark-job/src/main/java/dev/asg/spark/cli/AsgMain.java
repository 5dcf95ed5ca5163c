package dev.asg.spark.cli;

import dev.asg.common.InvalidInputException;
import dev.asg.common.Messages;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code bin/asg} and of {@code spark-submit --class dev.asg.spark.cli.AsgMain}. Exit codes: 0 ok,
 * 2 bad usage or input (one line on stderr naming the flag or file, the value and what is allowed), 1 a runtime
 * failure.
 */
@Command(name = "asg", mixinStandardHelpOptions = true, versionProvider = AsgMain.Version.class,
    description = "Aggregate Semantic Grouping: compress a token-embedding table into concept codebooks.",
    subcommands = {QuantizeCommand.class, SynthCommand.class, EvaluateCommand.class,
        InspectCommand.class, dev.asg.spark.consume.ExportCommand.class,
        dev.asg.spark.consume.DecodeCommand.class, EncodeCommand.class})
public final class AsgMain implements Runnable {
  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILURE = 1;
  public static final int EXIT_USAGE = 2;

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
    cl.getSubcommands().get("quantize").setDefaultValueProvider(AsgDefaults.load());
    cl.setOut(out);
    cl.setErr(err);
    cl.setParameterExceptionHandler((ex, a) -> {
      // One line, like every input error: what is wrong, then where to look.
      err.println("asg: error: " + Messages.oneLine(ex.getMessage() + "; " + usageHint(ex.getCommandLine())));
      return EXIT_USAGE;
    });
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      InvalidInputException bad = Failures.findInvalidInput(ex);
      if (bad != null) {
        err.println("asg: error: " + Messages.oneLine(bad.getMessage()));
        return EXIT_USAGE;
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
