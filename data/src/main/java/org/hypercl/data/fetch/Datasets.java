package org.hypercl.data.fetch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hypercl.data.DataFileException;
import org.hypercl.data.TrainTestImages;

/**
 * Finding and loading datasets from the {@link DataLocations}.
 *
 * <pre>{@code
 * TrainTestImages fashion = Datasets.load(KnownDataset.FASHION_MNIST, DataLocations.resolve(null));
 * }</pre>
 */
public final class Datasets {
  private Datasets() {}

  /** Where a dataset was found: its folder and its files in reader order. */
  public record Found(KnownDataset dataset, Path dir, List<Path> files) {
    public Found {
      files = List.copyOf(files);
    }
  }

  /**
   * The first searched folder that holds all of {@code dataset}'s files, passing over any that
   * does not (even in a folder the user named); {@link #locate} is what {@link #load} uses.
   */
  public static Optional<Found> find(KnownDataset dataset, DataLocations locations) {
    for (Path dir : locations.candidates(dataset)) {
      Optional<List<Path>> files = dataset.locate(dir);
      if (files.isPresent()) {
        return Optional.of(new Found(dataset, dir, files.get()));
      }
    }
    return Optional.empty();
  }

  /**
   * The folder {@link #load} reads {@code dataset} from: the first searched one that holds all its
   * files, or an error.
   *
   * <p>A data directory the user named ({@link DataLocations#named}: {@code --data-dir}, {@code
   * $HYPERCL_DATA}) that holds the dataset only in part is not searched past, since training on
   * another copy (say {@code /usr/share/datasets}) would silently use data the user did not
   * choose. It fails, naming the file, when the directory's sub-folder for the dataset exists but
   * is not a readable folder or lacks a file, or when the dataset's files lie in the directory
   * itself instead of its sub-folder; {@code --data-dir} also fails when it names no folder at
   * all (a mistyped path). A named directory with no trace of the dataset (no
   * sub-folder, none of its files) is searched past, as are {@code ~/.hypercl/data} and the system
   * folders, complete or not: they were not chosen for this dataset. Files that are present but
   * invalid fail when read, whichever folder they are in.
   *
   * @throws org.hypercl.data.DataFileException naming the missing or unreadable file or folder of
   *     a named data directory
   * @throws DatasetNotFoundException if no searched folder holds the dataset
   */
  public static Found locate(KnownDataset dataset, DataLocations locations) throws IOException {
    for (Map.Entry<Path, String> e : locations.named().entrySet()) {
      requireFolder(e.getKey(), e.getValue());
    }
    for (Path root : locations.roots()) {
      Path dir = root.resolve(dataset.id());
      Optional<List<Path>> files = dataset.locate(dir);
      if (files.isPresent()) {
        return new Found(dataset, dir, files.get());
      }
      String namedBy = locations.named().get(root);
      if (namedBy != null) {
        requireNoPartialCopy(dataset, root, namedBy, dir);
      }
    }
    throw notFound(dataset, locations);
  }

  /**
   * Fails if {@code --data-dir} names no folder: a mistyped path would otherwise be searched past
   * and the data taken from another folder. {@code $HYPERCL_DATA} may name a folder not made yet
   * (the cache {@code fetch} will fill), so only a path there that is not a folder fails.
   */
  private static void requireFolder(Path root, String namedBy) throws DataFileException {
    if (Files.isDirectory(root)) {
      return;
    }
    if (Files.exists(root)) {
      throw new DataFileException(root, "not a folder; " + namedBy + " must name a folder holding one sub-folder per dataset");
    }
    if (namedBy.equals(DataLocations.DATA_DIR_OPTION)) {
      throw new DataFileException(root, "no such folder; " + namedBy + " must name an existing folder holding one "
          + "sub-folder per dataset (create it with `hypercl data fetch DATASET --data-dir " + root
          + "`, or leave " + namedBy + " out to search $" + DataLocations.ENV_VAR + ", ~/" + DataLocations.HOME_SUBDIR
          + " and " + DataLocations.SYSTEM_DIRS.get(0) + ")");
    }
  }

  /** Fails if the named data directory {@code root} holds {@code dataset} in part. */
  private static void requireNoPartialCopy(KnownDataset dataset, Path root, String namedBy, Path dir)
      throws DataFileException {
    String id = dataset.id();
    String notSearched = "other data folders are not searched while " + dir + " is there";
    if (Files.exists(dir)) {
      if (!Files.isDirectory(dir)) {
        throw new DataFileException(dir, "not a folder; " + namedBy + " " + root + " must hold the " + id
            + " files in it (" + notSearched + ")");
      }
      if (!Files.isReadable(dir) || !Files.isExecutable(dir)) {
        throw new DataFileException(dir, "folder not readable (permission denied); it is " + id + "'s folder in "
            + namedBy + " " + root + " (" + notSearched + ")");
      }
      Path missing = dataset.firstMissing(dir).orElseThrow();
      throw new DataFileException(missing, "file not found; " + namedBy + " " + root + " holds " + id
          + " only in part, and " + notSearched + ". " + id + " needs " + String.join(", ", dataset.requiredFiles())
          + (dataset.archive().isEmpty() ? " (gzip or not)" : "") + ". Add the missing files, run `hypercl data fetch "
          + id + " --data-dir " + root + "`, or remove " + dir + " to use the other folders");
    }
    Optional<Path> stray = dataset.anyFileIn(root);
    if (stray.isPresent()) {
      throw new DataFileException(stray.get(), "named like a file of " + id + " but directly in " + namedBy + " " + root
          + ", which holds one sub-folder per dataset: put " + id + "'s files in " + dir);
    }
  }

  /** Finds and reads {@code dataset} from the folder {@link #locate} gives. */
  public static TrainTestImages load(KnownDataset dataset, DataLocations locations) throws IOException {
    return dataset.read(locate(dataset, locations).files());
  }

  /**
   * A searched folder that holds a dataset in part: the folder exists but lacks {@code missing}
   * (the first missing file, under the name {@link KnownDataset#requiredFiles} gives it).
   */
  public record Partial(Path dir, Path missing) {}

  /** The searched folders of {@code dataset} that exist but lack one of its files, in search order. */
  public static List<Partial> partialCopies(KnownDataset dataset, DataLocations locations) {
    List<Partial> out = new ArrayList<>();
    for (Path dir : locations.candidates(dataset)) {
      if (Files.isDirectory(dir)) {
        dataset.firstMissing(dir).ifPresent(m -> out.add(new Partial(dir, m)));
      }
    }
    return out;
  }

  /**
   * The error for a dataset found nowhere: where it looked (saying of a folder that exists which
   * file it lacks), how to fetch, what to put where.
   */
  public static DatasetNotFoundException notFound(KnownDataset dataset, DataLocations locations) {
    List<String> lines = new ArrayList<>();
    lines.add(dataset.id() + " not found. Looked in:");
    List<Partial> partial = partialCopies(dataset, locations);
    for (Path p : locations.candidates(dataset)) {
      String note = partial.stream().filter(q -> q.dir().equals(p)).findFirst()
          .map(q -> " (incomplete: " + p.relativize(q.missing()) + " is missing"
              + (dataset.archive().isEmpty() ? ", gzip or not" : "") + ")")
          .orElse("");
      lines.add("  " + p + note);
    }
    lines.add("Run `hypercl data fetch " + dataset.id() + "` to download it to " + locations.cacheDir(dataset)
        + ", or put these files there:");
    for (String f : dataset.requiredFiles()) {
      lines.add("  " + f);
    }
    return new DatasetNotFoundException(String.join(System.lineSeparator(), lines));
  }
}
