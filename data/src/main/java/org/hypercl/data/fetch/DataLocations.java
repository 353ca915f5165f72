package org.hypercl.data.fetch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Where datasets are cached and searched for.
 *
 * <p>The cache directory, where {@code fetch} writes, is the first of: the {@code --data-dir}
 * option, the {@code HYPERCL_DATA} environment variable, {@code ~/.hypercl/data}. Datasets are
 * searched for in all three (in that order), then in system folders such as {@code
 * /usr/share/datasets} (where Debian's {@code dataset-fashion-mnist} package installs
 * Fashion-MNIST). Each dataset has its own sub-folder named by {@link KnownDataset#id()}.
 *
 * <p>The folders the user names ({@link #named()}: {@code --data-dir} and {@code HYPERCL_DATA})
 * are held to what they hold: a dataset they hold only in part is an error, not a reason to look
 * further (see {@link Datasets#locate}).
 */
public final class DataLocations {
  /** Environment variable that sets the data directory. */
  public static final String ENV_VAR = "HYPERCL_DATA";
  /** How {@link #named()} names the {@code --data-dir} option. */
  public static final String DATA_DIR_OPTION = "--data-dir";
  /** Default data directory, relative to the user's home. */
  public static final String HOME_SUBDIR = ".hypercl/data";
  /** System folders searched after the user's, e.g. for Debian's dataset packages. */
  public static final List<Path> SYSTEM_DIRS = List.of(Path.of("/usr/share/datasets"));

  private final Path cacheDir;
  private final List<Path> roots;
  private final Map<Path, String> named;

  private DataLocations(Path cacheDir, List<Path> roots, Map<Path, String> named) {
    this.cacheDir = cacheDir;
    this.roots = List.copyOf(roots);
    this.named = Collections.unmodifiableMap(new LinkedHashMap<>(named));
  }

  /** From the process environment and {@code user.home}; {@code dataDir} may be null. */
  public static DataLocations resolve(Path dataDir) {
    return of(dataDir, System.getenv(), Path.of(System.getProperty("user.home")), SYSTEM_DIRS);
  }

  /**
   * From explicit inputs (for tests and embedding).
   *
   * @param dataDir the {@code --data-dir} option, or null
   * @param env environment variables
   * @param home the user's home directory
   * @param systemDirs folders searched last
   */
  public static DataLocations of(Path dataDir, Map<String, String> env, Path home, List<Path> systemDirs) {
    Objects.requireNonNull(home, "home");
    List<Path> user = new ArrayList<>();
    Map<Path, String> named = new LinkedHashMap<>();
    if (dataDir != null) {
      user.add(dataDir);
      named.putIfAbsent(dataDir.toAbsolutePath().normalize(), DATA_DIR_OPTION);
    }
    String fromEnv = env.get(ENV_VAR);
    if (fromEnv != null && !fromEnv.isBlank()) {
      user.add(Path.of(fromEnv));
      named.putIfAbsent(Path.of(fromEnv).toAbsolutePath().normalize(), "$" + ENV_VAR);
    }
    user.add(home.resolve(HOME_SUBDIR));
    Set<Path> all = new LinkedHashSet<>();
    for (Path p : user) {
      all.add(p.toAbsolutePath().normalize());
    }
    for (Path p : systemDirs) {
      all.add(p.toAbsolutePath().normalize());
    }
    return new DataLocations(user.get(0).toAbsolutePath().normalize(), new ArrayList<>(all), named);
  }

  /** Where {@code fetch} writes. */
  public Path cacheDir() {
    return cacheDir;
  }

  /** The folder {@code fetch} writes {@code dataset} to. */
  public Path cacheDir(KnownDataset dataset) {
    return cacheDir.resolve(dataset.id());
  }

  /** Data directories searched, in order, each holding one folder per dataset. */
  public List<Path> roots() {
    return roots;
  }

  /**
   * The data directories the user named, each with how it was named ({@code "--data-dir"} or
   * {@code "$HYPERCL_DATA"}), in search order.
   */
  public Map<Path, String> named() {
    return named;
  }

  /** Folders that may hold {@code dataset}, in search order. */
  public List<Path> candidates(KnownDataset dataset) {
    return roots.stream().map(r -> r.resolve(dataset.id())).toList();
  }
}
