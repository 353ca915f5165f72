package org.hypercl.tools;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hypercl.data.TaskSequence;
import org.hypercl.data.fetch.DataLocations;
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
 * experiment's name, which a baseline run extends ({@code split-mnist-fine-tuning}).
 */
final class RunData {

  /** Suffixes that baseline runs add to the experiment's name. */
  private static final List<String> METHOD_SUFFIXES = List.of("-fine-tuning", "-target-only");

  private RunData() {}

  /** The tasks of a new run of {@code sequence} ({@code toy-regression} or an image sequence). */
  static TaskSource forNew(String sequence, String dataset, long dataSeed, Path dataDir, PrintWriter out) throws IOException {
    Map<String, Object> provenance = new LinkedHashMap<>();
    provenance.put("sequence", sequence);
    provenance.put("dataSeed", dataSeed);
    if (sequence.equals("toy-regression")) {
      return Experiments.toyTasks(dataSeed).withProvenance(provenance);
    }
    KnownDataset ds = KnownDataset.byId(dataset);
    SequenceSpec seq = SequenceSpec.parse(sequence).withDataset(ds).withSeed(dataSeed);
    DataLocations locations = DataLocations.resolve(dataDir);
    Path folder = Datasets.locate(ds, locations).dir();
    out.println("data: " + ds.id() + " from " + folder);
    out.flush();
    TaskSequence tasks = TaskSequences.load(seq, locations);
    provenance.put("dataset", dataset);
    provenance.put("dataFolder", folder.toString());
    return new org.hypercl.training.SequenceTasks(tasks).withProvenance(provenance);
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
    return forNew(sequence, dataset, seed.asLong(), dataDir, out);
  }
}
