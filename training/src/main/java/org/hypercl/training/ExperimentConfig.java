package org.hypercl.training;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import org.hypercl.graphs.HypernetworkSpec;
import org.hypercl.graphs.TargetSpec;
import org.hypercl.graphs.TaskInference;

/**
 * An experiment as data: a name, what the networks look like, how many tasks, how to train, the
 * scenario it is tested in, and which method's parts learn it ({@link Method#parts}).
 *
 * @param name e.g. {@code "toy-regression"}
 * @param kind regression or classification
 * @param target the target network; with several heads, head t serves task t
 * @param hypernetwork the hypernetwork generating all of the target's weights
 * @param numTasks tasks in the sequence (the size of the embedding table)
 * @param settings training settings
 * @param method which learner runs it (the hypernetwork, or the target network alone as a baseline)
 * @param scenario CL1, CL2 or CL3: the head layout and whether the task id is given at test time
 * @param taskInference the score that infers the task for the scenario's accuracy (CL2/CL3);
 *     every score is measured, this one is the run's headline
 *
 * <p>In config.json the record is the file's top level, through {@link JsonFiles#MAPPER}: the
 * name as {@code experiment}, the specs in their {@code type}-tagged map form, the scenario and
 * score by their command-line ids. The file's other fields ({@link RunDirectory#writeConfig})
 * say where the data came from and what the parts and counts are; they are derived, not read.
 */
@JsonPropertyOrder({"experiment", "kind", "method", "scenario", "taskInference", "numTasks", "target", "hypernetwork", "settings"})
@JsonIgnoreProperties(value = {"data", "dataOptions", "parts", "parameterCounts", "provenance"}, allowGetters = true)
public record ExperimentConfig(
    @JsonProperty("experiment") String name,
    TaskKind kind,
    TargetSpec target,
    HypernetworkSpec hypernetwork,
    int numTasks,
    LearnerSettings settings,
    Method method,
    Scenario scenario,
    TaskInference.Score taskInference) {

  /** A hypernetwork experiment in CL1. */
  public ExperimentConfig(
      String name, TaskKind kind, TargetSpec target, HypernetworkSpec hypernetwork, int numTasks, LearnerSettings settings) {
    this(name, kind, target, hypernetwork, numTasks, settings, Method.HYPERNETWORK);
  }

  /** An experiment in CL1, tested with the task id given. */
  public ExperimentConfig(
      String name, TaskKind kind, TargetSpec target, HypernetworkSpec hypernetwork, int numTasks, LearnerSettings settings,
      Method method) {
    this(name, kind, target, hypernetwork, numTasks, settings, method, Scenario.CL1, method.defaultTaskInference(Scenario.CL1));
  }

  /**
   * Reads config.json's fields; a file from before scenarios (no {@code method}, {@code scenario}
   * or {@code taskInference}) is a CL1 hypernetwork run scored by entropy.
   */
  @JsonCreator
  static ExperimentConfig fromJson(
      @JsonProperty(value = "experiment", required = true) String name,
      @JsonProperty(value = "kind", required = true) TaskKind kind,
      @JsonProperty(value = "target", required = true) TargetSpec target,
      @JsonProperty(value = "hypernetwork", required = true) HypernetworkSpec hypernetwork,
      @JsonProperty(value = "numTasks", required = true) int numTasks,
      @JsonProperty(value = "settings", required = true) LearnerSettings settings,
      @JsonProperty("method") Method method,
      @JsonProperty("scenario") Scenario scenario,
      @JsonProperty("taskInference") TaskInference.Score taskInference) {
    return new ExperimentConfig(name, kind, target, hypernetwork, numTasks, settings,
        method == null ? Method.HYPERNETWORK : method,
        scenario == null ? Scenario.CL1 : scenario,
        taskInference == null
            ? (method == null ? Method.HYPERNETWORK : method).defaultTaskInference(scenario == null ? Scenario.CL1 : scenario)
            : taskInference);
  }

  public ExperimentConfig {
    if (method == null || scenario == null || taskInference == null) {
      throw new IllegalArgumentException("experiment " + name + ": method, scenario and task-inference score must be set");
    }
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("experiment needs a name");
    }
    if (numTasks <= 0) {
      throw new IllegalArgumentException("experiment " + name + ": number of tasks must be positive, got " + numTasks);
    }
    if (hypernetwork.targetSize() != target.parameterCount()) {
      throw new IllegalArgumentException(
          "experiment " + name + ": hypernetwork produces " + hypernetwork.targetSize()
              + " weights but the target network has " + target.parameterCount());
    }
    if (target.numHeads() != 1 && target.numHeads() < numTasks) {
      throw new IllegalArgumentException(
          "experiment " + name + ": " + numTasks + " tasks, but its target network has " + target.numHeads()
              + " heads, one per task; use 1.." + target.numHeads() + " tasks (numTasks, or train --tasks)");
    }
    if (scenario != Scenario.CL1 && kind != TaskKind.CLASSIFICATION) {
      throw new IllegalArgumentException(
          "experiment " + name + ": scenario " + scenario.id() + " infers the task from a classifier's outputs; "
              + kind.name().toLowerCase(java.util.Locale.ROOT) + " runs only in cl1");
    }
    if (scenario != Scenario.CL1 && !target.network().supportsCandidates()) {
      throw new IllegalArgumentException(
          "experiment " + name + ": scenario " + scenario.id() + " infers the task, which " + target.network()
              + " cannot do (it has no candidate pass)");
    }
    if (scenario != Scenario.CL1 && !(target instanceof org.hypercl.graphs.MlpSpec) && method != Method.HYPERNETWORK) {
      throw new IllegalArgumentException(
          "experiment " + name + ": scenario " + scenario.id() + " with a convolutional target (" + target.network()
              + ") is built for the hypernetwork method only (hnet: trained as in cl1, the task inferred at test time), not "
              + method.name().toLowerCase(java.util.Locale.ROOT) + "; run it in cl1");
    }
    if (scenario == Scenario.CL2 && target.numHeads() != 1) {
      throw new IllegalArgumentException(
          "experiment " + name + ": cl2 shares one output head, but the target network has " + target.numHeads());
    }
    if (method.isReplay() && (kind != TaskKind.CLASSIFICATION || !(target instanceof org.hypercl.graphs.MlpSpec))) {
      throw new IllegalArgumentException("experiment " + name + ": " + method.name().toLowerCase(java.util.Locale.ROOT)
          + " replays images to an MLP classifier; this experiment's target is " + target + " (" + kind.name().toLowerCase(
              java.util.Locale.ROOT) + ")");
    }
    if (kind == TaskKind.CLASSIFICATION && target.outputSize() == 1 && (scenario != Scenario.CL3 || method == Method.HYPERNETWORK
        || method == Method.HNET_TIR)) {
      throw new IllegalArgumentException("experiment " + name + " has one class per task: it is class-incremental, learned in cl3 "
          + "by a replay method (hnet-r, dgr, rpl-ub) or a baseline (target-only, ewc, online-ewc, si, multitask), not by "
          + method.name().toLowerCase(java.util.Locale.ROOT) + " in " + scenario.id());
    }
    if ((method == Method.EWC || method == Method.ONLINE_EWC) && !(target instanceof org.hypercl.graphs.MlpSpec)) {
      throw new IllegalArgumentException("experiment " + name + ": " + method.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
          + "'s Fisher needs per-example gradients, which are built for MLP targets only, not " + target.network()
          + "; conv targets run hnet, fine-tuning, target-only or si");
    }
    if (method.trainsOnPastData() && !target.network().stateTables().isEmpty()) {
      throw new IllegalArgumentException("experiment " + name + ": multitask draws batches that mix tasks, but " + target.network()
          + " keeps batch-norm statistics per task, which need one task per batch");
    }
    if (scenario == Scenario.CL3 && numTasks > 1 && target.numHeads() == 1) {
      throw new IllegalArgumentException("experiment " + name + ": cl3 needs one output head per task, the target network has one");
    }
  }

  public ExperimentConfig withSettings(LearnerSettings s) {
    return new ExperimentConfig(name, kind, target, hypernetwork, numTasks, s, method, scenario, taskInference);
  }

  public ExperimentConfig withName(String n) {
    return new ExperimentConfig(n, kind, target, hypernetwork, numTasks, settings, method, scenario, taskInference);
  }

  public ExperimentConfig withMethod(Method m) {
    return new ExperimentConfig(name, kind, target, hypernetwork, numTasks, settings, m, scenario, taskInference);
  }

  public ExperimentConfig withNumTasks(int n) {
    return new ExperimentConfig(name, kind, target, hypernetwork, n, settings, method, scenario, taskInference);
  }

  public ExperimentConfig withHypernetwork(HypernetworkSpec h) {
    return new ExperimentConfig(name, kind, target, h, numTasks, settings, method, scenario, taskInference);
  }

  public ExperimentConfig withTaskInference(TaskInference.Score score) {
    return new ExperimentConfig(name, kind, target, hypernetwork, numTasks, settings, method, scenario, score);
  }

  /**
   * The same experiment in another scenario: CL2 gives the target network one shared head (so it
   * has fewer weights, and the hypernetwork makes fewer); CL1 and CL3 keep the heads they have,
   * or, coming from CL2, get one per task.
   */
  public ExperimentConfig withScenario(Scenario s) {
    int heads = s.sharedHead() ? 1 : scenario.sharedHead() ? numTasks : target.numHeads();
    TargetSpec t = target.withHeads(heads);
    return new ExperimentConfig(name, kind, t, hypernetwork.withTargetSize(t.parameterCount()), numTasks, settings, method, s, taskInference);
  }

  /** The same experiment as the paper's fine-tuning baseline: the hypernetwork with β = 0. */
  public ExperimentConfig asFineTuning() {
    return withName(name + "-fine-tuning").withSettings(settings.toBuilder().beta(0f).build());
  }

  /** The same experiment as the target-network-alone baseline. */
  public ExperimentConfig asTargetNetworkOnly() {
    return withName(name + "-target-only").withMethod(Method.TARGET_NETWORK);
  }

  /** Refuses a task id outside [0, numTasks), naming it. */
  public void checkTask(int task) {
    if (task < 0 || task >= numTasks) {
      throw new IllegalArgumentException("task id " + task + " is not in [0, " + numTasks + ")");
    }
  }

  /** Hypernetwork trainable weights (chunk embeddings included) over target weights. */
  public double compressionRatio() {
    return (double) hypernetwork.parameterCount() / target.parameterCount();
  }
}
