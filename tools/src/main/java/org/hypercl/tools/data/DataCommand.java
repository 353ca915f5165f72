package org.hypercl.tools.data;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.hypercl.data.fetch.DataLocations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code hypercl data}: download datasets, show which are available and write synthetic stand-ins
 * for smoke runs. Registered as a subcommand of the main {@code hypercl} command.
 */
@Command(
    name = "data",
    mixinStandardHelpOptions = true,
    header = "Downloads datasets, shows which are found, or writes synthetic CIFAR.",
    description = {
        "Download datasets (with SHA-256 verification), show which are available, or write synthetic CIFAR-format"
            + " data for smoke runs and tests (synth).",
        "Datasets are cached under --data-dir, else $" + DataLocations.ENV_VAR + ", else ~/"
            + DataLocations.HOME_SUBDIR + "; /usr/share/datasets/<name>/ is searched too."},
    subcommands = {FetchCommand.class, ListCommand.class, SynthCommand.class})
public final class DataCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--data-dir",
      scope = ScopeType.INHERIT,
      paramLabel = "DIR",
      description = "Data directory (default: $" + DataLocations.ENV_VAR + " or ~/" + DataLocations.HOME_SUBDIR + ").")
  Path dataDir;

  /** The data locations for this invocation. */
  DataLocations locations() {
    return DataLocations.resolve(dataDir);
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "Missing subcommand: fetch, list or synth");
  }
}
