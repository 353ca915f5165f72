package org.hypercl.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hypercl.data.ImageData;
import org.hypercl.data.PixelEncoding;
import org.hypercl.data.TaskSequence;
import org.hypercl.data.tasks.PermutedTaskSequence;
import org.hypercl.data.fetch.DataLocations;
import org.hypercl.data.fetch.Checksums;
import org.hypercl.data.fetch.Datasets;
import org.hypercl.data.fetch.KnownDataset;
import org.hypercl.data.tasks.SequenceSpec;
import org.hypercl.data.tasks.TaskSequences;
import org.hypercl.training.Experiments;
import org.hypercl.training.JsonFiles;
import org.hypercl.training.RunDirectory;
import org.hypercl.training.TaskSource;

/**
 * The tasks of a run: built from a sequence name for a new run, and for an existing run from what
 * its config.json recorded in {@code dataOptions} (sequence, dataset, data seed), never from the
 * experiment's name, which a baseline run extends ({@code split-mnist-fine-tuning}). A run records
 * the folder its data came from and the SHA-256 of each file ({@code dataFiles}); resuming or
 * evaluating it on files that differ is an error.
 */
final class RunData {

  /** Suffixes that baseline runs add to the experiment's name. */
  private static final List<String> METHOD_SUFFIXES = List.of("-fine-tuning", "-target-only", "-online-ewc", "-ewc", "-si", "-multitask");

  private RunData() {}

  /** The tasks of a new run of {@code sequence} ({@code toy-regression} or an image sequence). */
  static TaskSource forNew(String sequence, String dataset, long dataSeed, Path dataDir, PrintWriter out) throws IOException {
    return build(sequence, dataset, dataSeed, dataDir, out, null);
  }

  /**
   * @param recorded the SHA-256 of each data file as a run recorded them, or null; a file that
   *     differs (or is gone) is an error naming it
   */
  private static TaskSource build(
      String sequence, String dataset, long dataSeed, Path dataDir, PrintWriter out, Map<String, String> recorded)
      throws IOException {
    Map<String, Object> provenance = new LinkedHashMap<>();
    provenance.put("sequence", sequence);
    provenance.put("dataSeed", dataSeed);
    if (sequence.equals("toy-regression")) {
      return Experiments.toyTasks(dataSeed).withProvenance(provenance);
    }
    SequenceSpec parsed = SequenceSpec.parse(sequence);
    boolean cifar = parsed.kind() == SequenceSpec.Kind.SPLIT_CIFAR;
    // Split CIFAR reads two datasets whatever --dataset says; the MNIST sequences read the one named.
    List<KnownDataset> datasets = cifar ? List.of(KnownDataset.CIFAR10, KnownDataset.CIFAR100) : List.of(KnownDataset.byId(dataset));
    SequenceSpec seq = (cifar ? parsed : parsed.withDataset(datasets.get(0))).withSeed(dataSeed);
    if (cifar) {
      dataset = "cifar";
    }
    DataLocations locations = DataLocations.resolve(dataDir);
    Map<String, String> files = new java.util.TreeMap<>();
    Path folder = null;
    for (KnownDataset ds : datasets) {
      Datasets.Found found = Datasets.locate(ds, locations);
      if (folder == null) {
        folder = found.dir();
      }
      out.println("data: " + ds.id() + " from " + found.dir());
      out.flush();
      for (Path f : found.files()) {
        // One dataset: file names as before; several: the dataset's folder and the path inside it.
        String key = datasets.size() == 1 ? f.getFileName().toString() : ds.id() + "/" + found.dir().relativize(f);
        files.put(key, Checksums.sha256(f));
      }
    }
    if (recorded != null) {
      for (Map.Entry<String, String> e : recorded.entrySet()) {
        String now = files.get(e.getKey());
        if (!e.getValue().equals(now)) {
          Path where = datasets.size() == 1 ? folder.resolve(e.getKey()) : folder.getParent().resolve(e.getKey());
          throw new IllegalArgumentException("data file " + where + (now == null ? " is not there" : " has SHA-256 " + now)
              + "; the run was trained on one with SHA-256 " + e.getValue() + " (config.json dataOptions.dataFiles)");
        }
      }
    }
    provenance.put("dataFiles", files);
    TaskSequence tasks = TaskSequences.load(seq, locations);
    provenance.put("dataset", dataset);
    provenance.put("dataFolder", folder.toString());
    Map<String, Object> input = inputPreprocessing(tasks);
    if (input != null) {
      provenance.put(INPUT, input);
    }
    return new org.hypercl.training.SequenceTasks(tasks).withProvenance(provenance);
  }

  /** Key in dataOptions: how a stored image becomes an input row (the export copies it to its manifest). */
  static final String INPUT = "input";

  /**
   * How every task of {@code tasks} turns a stored image into an input row, before any task's own
   * permutation, as the data's {@link PixelEncoding} does it: {@code rawShape} [height, width,
   * channels], zero-byte padding {@code pad} [top, bottom, left, right], and per channel {@code
   * scale} and {@code offset} (value = byte * scale + offset); null if the tasks differ in it (e.g.
   * CIFAR-10 and CIFAR-100 standardized by their own means) or are not images.
   */
  static Map<String, Object> inputPreprocessing(TaskSequence tasks) {
    List<PixelEncoding> encodings = new java.util.ArrayList<>();
    if (tasks instanceof PermutedTaskSequence p) {
      encodings.add(p.baseTest().encoding());
    } else {
      for (int t = 0; t < tasks.numTasks(); t++) {
        if (!(tasks.task(t).test() instanceof ImageData d) || d.encoding().permuted()) {
          return null;
        }
        encodings.add(d.encoding());
      }
    }
    Map<String, Object> first = null;
    for (PixelEncoding e : encodings) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("rawShape", e.storedShape());
      m.put("pad", e.padding());
      m.put("scale", e.channelScales());
      m.put("offset", e.channelOffsets());
      if (first == null) {
        first = m;
      } else if (!JsonFiles.MAPPER.valueToTree(first).equals(JsonFiles.MAPPER.valueToTree(m))) {
        return null;
      }
    }
    return first;
  }

  /** The tasks of the run in {@code dir}, rebuilt from its config.json. */
  static TaskSource forRun(RunDirectory dir, Path dataDir, PrintWriter out) throws IOException {
    Path file = dir.root().resolve(RunDirectory.CONFIG);
    JsonNode config = JsonFiles.read(file);
    JsonNode options = config.path("dataOptions");
    String sequence = options.path("sequence").asText("");
    if (sequence.isEmpty()) {
      // Runs written before the sequence was recorded: the experiment's name less a baseline's suffix.
      sequence = config.path("experiment").asText("");
      for (String suffix : METHOD_SUFFIXES) {
        if (sequence.endsWith(suffix)) {
          sequence = sequence.substring(0, sequence.length() - suffix.length());
        }
      }
    }
    if (sequence.isEmpty()) {
      throw new IllegalArgumentException(file + ": dataOptions.sequence is missing and there is no experiment name to take it from");
    }
    JsonNode seed = options.get("dataSeed");
    if (seed == null || !seed.canConvertToLong()) {
      throw new IllegalArgumentException(file + ": dataOptions.dataSeed is missing or not an integer");
    }
    String dataset = options.path("dataset").asText("mnist");
    Map<String, String> recorded = null;
    JsonNode files = options.get("dataFiles");
    if (files != null && files.isObject()) {
      recorded = new LinkedHashMap<>();
      for (var it = files.fields(); it.hasNext(); ) {
        var e = it.next();
        recorded.put(e.getKey(), e.getValue().asText());
      }
    }
    Path searchFirst = dataDir;
    JsonNode folder = options.get("dataFolder");
    if (searchFirst == null && folder != null && folder.isTextual()) {
      // The folder the run's data came from: its parent holds it as <root>/<dataset>.
      Path parent = Path.of(folder.asText()).getParent();
      if (parent != null && java.nio.file.Files.isDirectory(parent)) {
        searchFirst = parent;
      }
    }
    return build(sequence, dataset, seed.asLong(), searchFirst, out, recorded);
  }
}
