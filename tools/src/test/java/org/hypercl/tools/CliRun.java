package org.hypercl.tools;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One run of the {@code hypercl} command line in this process, with its exit code and captured output (tests). */
public record CliRun(int exit, String out, String err) {

  public static CliRun of(String... args) {
    return execute(HyperclCommand.commandLine(), args);
  }

  /** Runs {@code args} on {@code cl}, which the caller keeps (to read a subcommand's state afterwards). */
  public static CliRun execute(CommandLine cl, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int exit = cl.execute(args);
    return new CliRun(exit, out.toString(), err.toString());
  }
}
