package org.hypercl.tools.data;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.hypercl.data.fetch.DataLocations;
import org.hypercl.data.fetch.FetchListener;
import org.hypercl.data.fetch.Fetcher;
import org.hypercl.data.fetch.KnownDataset;
import org.hypercl.data.fetch.RemoteFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hypercl data fetch}: download, verify and unpack datasets into the cache directory. */
@Command(
    name = "fetch",
    mixinStandardHelpOptions = true,
    description = {
        "Download datasets from their canonical sources, verify their SHA-256 and unpack them into the data"
            + " directory. Interrupted downloads resume on the next run; nothing unverified is left under a"
            + " final name.",
        "Exit status: 0 all fetched, 1 a download or check failed, 2 bad usage."})
public final class FetchCommand implements Callable<Integer> {
  /** Exit status when a download or verification fails. */
  public static final int EXIT_FAILED = 1;

  @Spec CommandSpec spec;
  @ParentCommand DataCommand parent;

  @Parameters(arity = "1..*", paramLabel = "DATASET",
      description = "mnist, fashion-mnist, cifar10, cifar100, or all.")
  List<String> names;

  @Option(names = "--mirror", paramLabel = "URL",
      description = "Fetch every file from URL/<file name> instead of the canonical sources (checksums unchanged).")
  URI mirror;

  @Override
  public Integer call() {
    List<KnownDataset> datasets = parse(names);
    DataLocations locations = parent.locations();
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    Fetcher fetcher = new Fetcher(new ConsoleProgress(err));
    int failed = 0;
    for (KnownDataset d : datasets) {
      Path dir = locations.cacheDir(d);
      try {
        fetcher.fetch(d, dir, Optional.ofNullable(mirror));
        out.println(d.id() + ": ready in " + dir);
      } catch (IOException e) {
        failed++;
        err.println("error: " + d.id() + ": " + e.getMessage());
        err.println("To install " + d.id() + " by hand, download these files into " + dir + " and run this again:");
        for (RemoteFile f : d.downloads()) {
          err.println("  " + f.urls().get(0) + "  (" + f.size() + " bytes, SHA-256 " + f.sha256() + ")");
        }
      }
      out.flush();
      err.flush();
    }
    return failed == 0 ? 0 : EXIT_FAILED;
  }

  private List<KnownDataset> parse(List<String> ids) {
    Set<KnownDataset> out = new LinkedHashSet<>();
    for (String id : ids) {
      if (id.equalsIgnoreCase("all")) {
        out.addAll(Arrays.asList(KnownDataset.values()));
        continue;
      }
      try {
        out.add(KnownDataset.byId(id));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
    }
    return new ArrayList<>(out);
  }

  /** Progress lines on stderr: one per 10% of each file, plus status messages. */
  static final class ConsoleProgress implements FetchListener {
    private final PrintWriter err;
    private String file;
    private long lastDecile = -1;

    ConsoleProgress(PrintWriter err) {
      this.err = err;
    }

    @Override
    public void info(String message) {
      err.println(message);
      err.flush();
    }

    @Override
    public void progress(String name, long done, long total) {
      if (!name.equals(file)) {
        file = name;
        lastDecile = -1;
      }
      long decile = total == 0 ? 10 : done * 10 / total;
      if (decile != lastDecile) {
        lastDecile = decile;
        err.println(String.format(Locale.ROOT, "%s: %3d%% (%.1f of %.1f MB)", name, decile * 10, done / 1e6,
            total / 1e6));
        err.flush();
      }
    }
  }
}
