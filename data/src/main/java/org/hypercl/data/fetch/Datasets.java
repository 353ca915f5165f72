package org.hypercl.data.fetch;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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

  /** The first searched folder that holds all of {@code dataset}'s files. */
  public static Optional<Found> find(KnownDataset dataset, DataLocations locations) {
    for (Path dir : locations.candidates(dataset)) {
      Optional<List<Path>> files = dataset.locate(dir);
      if (files.isPresent()) {
        return Optional.of(new Found(dataset, dir, files.get()));
      }
    }
    return Optional.empty();
  }

  /** Finds and reads {@code dataset}. */
  public static TrainTestImages load(KnownDataset dataset, DataLocations locations) throws IOException {
    Optional<Found> found = find(dataset, locations);
    if (found.isEmpty()) {
      throw notFound(dataset, locations);
    }
    return dataset.read(found.get().files());
  }

  /** The error for a dataset found nowhere: where it looked, how to fetch, what to put where. */
  public static DatasetNotFoundException notFound(KnownDataset dataset, DataLocations locations) {
    List<String> lines = new ArrayList<>();
    lines.add(dataset.id() + " not found. Looked in:");
    for (Path p : locations.candidates(dataset)) {
      lines.add("  " + p);
    }
    lines.add("Run `hypercl data fetch " + dataset.id() + "` to download it to " + locations.cacheDir(dataset)
        + ", or put these files there:");
    for (String f : dataset.requiredFiles()) {
      lines.add("  " + f);
    }
    return new DatasetNotFoundException(String.join(System.lineSeparator(), lines));
  }
}
