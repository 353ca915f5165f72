package org.hypercl.tools.data;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.hypercl.data.TrainTestImages;
import org.hypercl.data.fetch.DataLocations;
import org.hypercl.data.fetch.Datasets;
import org.hypercl.data.fetch.KnownDataset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hypercl data list}: which datasets are found, and where. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = {
        "Show which datasets are found and where, searching --data-dir, $" + DataLocations.ENV_VAR + ", ~/"
            + DataLocations.HOME_SUBDIR + " and /usr/share/datasets.",
        "Exit status: 0, or 1 with --verify when a found dataset does not read."})
public final class ListCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @ParentCommand DataCommand parent;

  @Option(names = "--verify", description = "Read every found dataset completely and check it.")
  boolean verify;

  @Override
  public Integer call() {
    DataLocations locations = parent.locations();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    out.println("cache directory: " + locations.cacheDir());
    int bad = 0;
    for (KnownDataset d : KnownDataset.values()) {
      var found = Datasets.find(d, locations);
      if (found.isEmpty()) {
        var partial = Datasets.partialCopies(d, locations);
        if (partial.isEmpty()) {
          out.printf("%-14s missing   (hypercl data fetch %s)%n", d.id(), d.id());
        } else {
          // A folder that holds the dataset in part: say which file it lacks rather than just "missing".
          for (Datasets.Partial p : partial) {
            out.printf("%-14s incomplete %s: no %s (hypercl data fetch %s --data-dir %s)%n", d.id(), p.dir(),
                p.dir().relativize(p.missing()), d.id(), p.dir().getParent());
          }
        }
        continue;
      }
      Path dir = found.get().dir();
      if (!verify) {
        out.printf("%-14s found     %s%n", d.id(), dir);
        continue;
      }
      try {
        TrainTestImages images = d.read(found.get().files());
        out.printf("%-14s ok        %s (%d train, %d test images)%n", d.id(), dir, images.train().size(),
            images.test().size());
      } catch (IOException e) {
        bad++;
        out.printf("%-14s INVALID   %s%n", d.id(), dir);
        err.println("error: " + d.id() + ": " + e.getMessage());
      }
    }
    out.println("searched: " + locations.roots());
    out.flush();
    err.flush();
    return bad == 0 ? 0 : 1;
  }
}
