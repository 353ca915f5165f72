package org.hypercl.tools.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hypercl.tools.TrainCommand;
import org.hypercl.tools.UserException;
import org.hypercl.training.JsonFiles;
import org.hypercl.training.SweepRun;
import org.hypercl.training.SweepSpec;

/**
 * What {@code sweep run} will do, as {@code OUT/sweep.json} holds it: the spec and, for each run,
 * its name, configuration, seed, overrides and the exact {@code hypercl train} arguments, for a
 * new run and for resuming it. Written before any run starts; {@code sweep status} and
 * {@code sweep report} read only this file and the run folders.
 */
record SweepPlan(String name, Path specFile, JsonNode spec, int configurations, List<Planned> runs) {

  /** The format of sweep.json. */
  static final int FORMAT = 1;

  /** One run: {@code args} start a new run, {@code resumeArgs} continue a stopped one. */
  record Planned(String name, String config, long seed, Map<String, JsonNode> overrides, List<String> args, List<String> resumeArgs) {
    Planned {
      overrides = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
      args = List.copyOf(args);
      resumeArgs = List.copyOf(resumeArgs);
    }
  }

  /** Flags {@code train --resume} takes, with whether each has a value. */
  private static final Map<String, Boolean> RESUME_FLAGS =
      Map.of("--threads", true, "--inter-threads", true, "--data-dir", true, "--export", false);

  SweepPlan {
    runs = List.copyOf(runs);
  }

  /**
   * The plan of {@code spec} in {@code out}: every run's arguments, each configuration checked as
   * {@code train} would check it (flags, overrides, the experiment they make) so a bad one fails
   * before anything runs. Each run gets {@code --threads threadsPerRun} unless the spec's train
   * flags give {@code --threads}: {@link #localThreads} for runs side by side here, the CPUs of a
   * Slurm task there.
   */
  static SweepPlan build(SweepSpec spec, Path specFile, Path out, int threadsPerRun) {
    List<SweepRun> expanded;
    try {
      expanded = spec.expand();
    } catch (IllegalArgumentException e) {
      throw new UserException(specFile + ": " + e.getMessage(), e);
    }
    Path root = out.toAbsolutePath().normalize();
    boolean threadsGiven = spec.train().stream().anyMatch(a -> a.equals("--threads") || a.startsWith("--threads="));
    List<String> threads = threadsGiven ? List.of()
        : List.of("--threads", Integer.toString(threadsPerRun));
    List<String> resumable = resumable(spec.train());
    Set<String> checked = new HashSet<>();
    List<Planned> runs = new ArrayList<>();
    for (SweepRun r : expanded) {
      Path runDir = SweepFolder.runDir(root, r.name());
      List<String> args = new ArrayList<>();
      args.add("train");
      if (spec.experiment() != null) {
        args.add("--experiment");
        args.add(spec.experiment());
      } else {
        args.add("--config");
        args.add(spec.config().toString());
      }
      args.addAll(spec.train());
      args.add("--seed");
      args.add(Long.toString(r.seed()));
      args.add("--run-dir");
      args.add(runDir.toString());
      args.addAll(threads);
      args.addAll(r.setArguments());
      if (checked.add(r.config())) {
        TrainCommand.Checked c;
        try {
          c = TrainCommand.check(args.subList(1, args.size()));
        } catch (UserException e) {
          throw new UserException(specFile + ": configuration " + r.config() + " (" + SweepSpec.describe(r.overrides())
              + "): hypercl train would refuse it: " + e.getMessage(), e);
        }
        if (c.methods().size() != 1) {
          throw new UserException(specFile + ": train: --methods " + String.join(",", c.methods()) + " trains " + c.methods().size()
              + " methods; a sweep run trains one into its folder (sweep settings.beta instead; 0 is fine-tuning)");
        }
      }
      List<String> resume = new ArrayList<>(List.of("train", "--resume", runDir.toString()));
      resume.addAll(resumable);
      resume.addAll(threads);
      runs.add(new Planned(r.name(), r.config(), r.seed(), r.overrides(), args, resume));
    }
    int configurations = (int) runs.stream().map(Planned::config).distinct().count();
    return new SweepPlan(spec.name(), specFile.toAbsolutePath().normalize(), spec.json(), configurations, runs);
  }

  /** TensorFlow threads for each of {@code workers} runs side by side on this machine: its cores shared out, at least 1. */
  static int localThreads(int workers) {
    return Math.max(1, Runtime.getRuntime().availableProcessors() / workers);
  }

  /** The spec's train flags that {@code train --resume} also takes, with their values. */
  static List<String> resumable(List<String> train) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < train.size(); i++) {
      String a = train.get(i);
      int eq = a.indexOf('=');
      String flag = eq > 0 ? a.substring(0, eq) : a;
      Boolean hasValue = RESUME_FLAGS.get(flag);
      if (hasValue == null) {
        continue;
      }
      out.add(a);
      if (hasValue && eq < 0 && i + 1 < train.size()) {
        out.add(train.get(++i));
      }
    }
    return out;
  }

  /** Paths whose value is not the same in every run, in the order they first appear. */
  List<String> sweptPaths() {
    Map<String, String> first = new LinkedHashMap<>();
    Set<String> varying = new HashSet<>();
    for (Planned p : runs) {
      for (Map.Entry<String, JsonNode> e : p.overrides().entrySet()) {
        String v = SweepSpec.canonicalJson(e.getValue());
        String was = first.putIfAbsent(e.getKey(), v);
        if (was != null && !was.equals(v)) {
          varying.add(e.getKey());
        }
      }
    }
    for (Planned p : runs) {
      for (String k : first.keySet()) {
        if (!p.overrides().containsKey(k)) {
          varying.add(k);
        }
      }
    }
    return first.keySet().stream().filter(varying::contains).toList();
  }

  /** A value as a table shows it: strings bare, everything else as JSON; "-" when the run does not set it. */
  static String shown(JsonNode v) {
    return v == null ? "-" : v.isTextual() ? v.asText() : v.toString();
  }

  /** The run's values of {@code paths}, for tables. */
  static Map<String, String> values(Planned p, List<String> paths) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String path : paths) {
      out.put(path, shown(p.overrides().get(path)));
    }
    return out;
  }

  /**
   * Refuses to reuse {@code out} for this plan if it holds one whose run of the same name was
   * planned with other arguments (the spec's base or train flags changed): its finished runs would
   * be skipped as if they were this plan's. Thread counts may differ.
   */
  void requireCompatibleWith(SweepPlan old, Path out) {
    Map<String, Planned> before = new LinkedHashMap<>();
    for (Planned p : old.runs()) {
      before.put(p.name(), p);
    }
    for (Planned p : runs) {
      Planned was = before.get(p.name());
      if (was != null && !withoutThreads(was.args()).equals(withoutThreads(p.args()))) {
        throw new UserException(out + " holds a sweep (" + SweepFolder.PLAN + ") whose run " + p.name() + " was planned as '"
            + String.join(" ", withoutThreads(was.args())) + "', now '" + String.join(" ", withoutThreads(p.args()))
            + "'; its results would be taken for the new settings. Give another --out, or remove " + out);
      }
    }
  }

  private static List<String> withoutThreads(List<String> args) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).equals("--threads")) {
        i++;
      } else if (!args.get(i).startsWith("--threads=")) {
        out.add(args.get(i));
      }
    }
    return out;
  }

  // ---- sweep.json

  ObjectNode toJson() {
    ObjectNode n = JsonFiles.MAPPER.createObjectNode();
    n.put("format", FORMAT);
    n.put("name", name);
    n.put("specFile", specFile.toString());
    n.set("spec", spec);
    n.put("configurations", configurations);
    ArrayNode a = n.putArray("runs");
    for (Planned p : runs) {
      ObjectNode r = a.addObject();
      r.put("name", p.name());
      r.put("config", p.config());
      r.put("seed", p.seed());
      ObjectNode o = r.putObject("overrides");
      p.overrides().forEach(o::set);
      ArrayNode args = r.putArray("args");
      p.args().forEach(args::add);
      ArrayNode resume = r.putArray("resumeArgs");
      p.resumeArgs().forEach(resume::add);
    }
    return n;
  }

  void write(Path out) {
    JsonFiles.write(out.resolve(SweepFolder.PLAN), toJson());
  }

  /** Reads {@code out/sweep.json}, with one line naming the problem when it is missing or not a plan. */
  static SweepPlan read(Path out) {
    Path file = out.resolve(SweepFolder.PLAN);
    if (!Files.isRegularFile(file)) {
      throw new UserException(out + " holds no sweep: " + SweepFolder.PLAN + " is missing (write one with "
          + "'hypercl sweep run SPEC.json --out " + out + "', or --dry-run)");
    }
    JsonNode n;
    try {
      n = JsonFiles.read(file);
    } catch (RuntimeException e) {
      throw new UserException(file + " is not valid JSON: " + e.getMessage(), e);
    }
    if (n.path("format").asInt(-1) != FORMAT || !n.path("runs").isArray()) {
      throw new UserException(file + " is not a sweep plan of format " + FORMAT);
    }
    List<Planned> runs = new ArrayList<>();
    for (JsonNode r : n.get("runs")) {
      Map<String, JsonNode> overrides = new LinkedHashMap<>();
      r.path("overrides").properties().forEach(e -> overrides.put(e.getKey(), e.getValue()));
      runs.add(new Planned(r.path("name").asText(), r.path("config").asText(), r.path("seed").asLong(), overrides,
          strings(r.path("args")), strings(r.path("resumeArgs"))));
    }
    return new SweepPlan(n.path("name").asText(), Path.of(n.path("specFile").asText("")), n.path("spec"),
        n.path("configurations").asInt(), runs);
  }

  private static List<String> strings(JsonNode a) {
    List<String> out = new ArrayList<>();
    a.forEach(x -> out.add(x.asText()));
    return out;
  }
}
