package org.hypercl.tools.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.hypercl.tools.UserException;
import org.hypercl.training.JsonFiles;

/**
 * The Slurm jobs a sweep was submitted as, {@code slurm/jobs.json}, oldest first: each job's id,
 * name, when, its array and which run each array index is, and what it asked for. Written
 * atomically after each successful {@code sbatch}; {@code sweep status} reads it to know which
 * task of which job is a run's latest.
 */
record SlurmJobs(List<Job> jobs) {

  /** The format of jobs.json. */
  static final int FORMAT = 1;

  /**
   * One submission.
   *
   * @param runs array index to run name (the run's position in sweep.json at submission)
   */
  record Job(String jobId, String jobName, String submitted, String array, SortedMap<Integer, String> runs, SlurmSettings settings) {
    Job {
      runs = Collections.unmodifiableSortedMap(new TreeMap<>(runs));
    }
  }

  /** A run's task in a job: {@code <jobId>_<index>}. */
  record Task(Job job, int index) {
    String id() {
      return job.jobId() + "_" + index;
    }
  }

  SlurmJobs {
    jobs = List.copyOf(jobs);
  }

  static SlurmJobs none() {
    return new SlurmJobs(List.of());
  }

  boolean isEmpty() {
    return jobs.isEmpty();
  }

  SlurmJobs with(Job job) {
    List<Job> all = new ArrayList<>(jobs);
    all.add(job);
    return new SlurmJobs(all);
  }

  /** The run's task in the latest job that has it. */
  Optional<Task> latest(String runName) {
    for (int j = jobs.size() - 1; j >= 0; j--) {
      for (var e : jobs.get(j).runs().entrySet()) {
        if (e.getValue().equals(runName)) {
          return Optional.of(new Task(jobs.get(j), e.getKey()));
        }
      }
    }
    return Optional.empty();
  }

  List<String> jobIds() {
    return jobs.stream().map(Job::jobId).toList();
  }

  Set<String> jobNames() {
    Set<String> out = new LinkedHashSet<>();
    jobs.forEach(j -> out.add(j.jobName()));
    return out;
  }

  static Path file(Path out) {
    return SweepFolder.slurmDir(out).resolve(SweepFolder.SLURM_JOBS);
  }

  /** The jobs of the sweep in {@code out}, none if it was never submitted. */
  static SlurmJobs read(Path out) {
    Path f = file(out);
    if (!Files.isRegularFile(f)) {
      return none();
    }
    JsonNode n;
    try {
      n = JsonFiles.read(f);
    } catch (RuntimeException e) {
      throw new UserException(f + " is not valid JSON: " + e.getMessage(), e);
    }
    if (n.path("format").asInt(-1) != FORMAT || !n.path("jobs").isArray()) {
      throw new UserException(f + " is not a list of Slurm jobs of format " + FORMAT);
    }
    List<Job> jobs = new ArrayList<>();
    for (JsonNode j : n.get("jobs")) {
      SortedMap<Integer, String> runs = new TreeMap<>();
      for (JsonNode r : j.path("runs")) {
        runs.put(r.path("index").asInt(), r.path("name").asText());
      }
      JsonNode s = j.path("settings");
      SlurmSettings settings = new SlurmSettings(text(s, "partition"), text(s, "time"), text(s, "mem"), text(s, "gres"),
          s.path("cpus").asInt(SlurmSettings.CPUS_DEFAULT), s.hasNonNull("maxParallel") ? s.get("maxParallel").asInt() : null);
      jobs.add(new Job(j.path("jobId").asText(), j.path("jobName").asText(), j.path("submitted").asText(), j.path("array").asText(),
          runs, settings));
    }
    return new SlurmJobs(jobs);
  }

  private static String text(JsonNode n, String field) {
    return n.hasNonNull(field) ? n.get(field).asText() : null;
  }

  void write(Path out) {
    ObjectNode n = JsonFiles.MAPPER.createObjectNode();
    n.put("format", FORMAT);
    ArrayNode a = n.putArray("jobs");
    for (Job j : jobs) {
      ObjectNode o = a.addObject();
      o.put("jobId", j.jobId());
      o.put("jobName", j.jobName());
      o.put("submitted", j.submitted());
      o.put("array", j.array());
      ObjectNode s = o.putObject("settings");
      SlurmSettings st = j.settings();
      s.put("partition", st.partition());
      s.put("time", st.time());
      s.put("mem", st.mem());
      s.put("gres", st.gres());
      s.put("cpus", st.cpus());
      if (st.maxParallel() == null) {
        s.putNull("maxParallel");
      } else {
        s.put("maxParallel", st.maxParallel());
      }
      ArrayNode runs = o.putArray("runs");
      j.runs().forEach((i, name) -> runs.addObject().put("index", i).put("name", name));
    }
    JsonFiles.write(file(out), n);
  }
}
