package org.hypercl.tools;

import org.hypercl.tools.data.DataCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code hypercl} command: continual learning with task-conditioned hypernetworks. */
@Command(
    name = "hypercl",
    mixinStandardHelpOptions = true,
    versionProvider = HyperclCommand.Version.class,
    description = {
      "Continual learning with task-conditioned hypernetworks (von Oswald et al., ICLR 2020) on TensorFlow Java.",
      "",
      "Start with 'hypercl demo': the paper's toy regression, regularized vs fine-tuned.",
    },
    subcommands = {
      DemoCommand.class,
      TrainCommand.class,
      EvaluateCommand.class,
      BenchCommand.class,
      DataCommand.class,
      org.hypercl.tools.report.ReportCommand.class,
      org.hypercl.tools.sweep.SweepCommand.class,
      org.hypercl.tools.serving.ExportCommand.class, org.hypercl.tools.serving.PredictCommand.class, org.hypercl.tools.serving.ServeCommand.class, org.hypercl.tools.serving.ServingBenchCommand.class,
      CommandLine.HelpCommand.class,
    })
public final class HyperclCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Builds the command line with the project's error handling. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new HyperclCommand());
    cl.setExecutionExceptionHandler(new Failures());
    return cl;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** Prints the version of this build and of TensorFlow. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "hypercl " + org.hypercl.training.Versions.hypercl(), "TensorFlow " + org.tensorflow.TensorFlow.version(),
      };
    }
  }

  /**
   * Turns expected failures (bad input, missing files) into one clear line and exit code 2;
   * anything else is a bug and keeps its stack trace.
   */
  static final class Failures implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
      if (e instanceof IllegalArgumentException
          || e instanceof java.io.UncheckedIOException
          || e instanceof java.io.IOException
          || e instanceof UserException) {
        // The full name ("hypercl sweep run"), so a subcommand's failure says whose it is.
        cl.getErr().println(cl.getCommandSpec().qualifiedName() + ": " + e.getMessage());
        return 2;
      }
      e.printStackTrace(cl.getErr());
      return 1;
    }
  }
}
