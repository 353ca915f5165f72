package org.hypercl.training;

import org.hypercl.graphs.HypernetworkSpec;
import org.hypercl.graphs.MlpSpec;

/**
 * An experiment as data: a name, what the networks look like, how many tasks, and how to train.
 * One learner runs every experiment.
 *
 * @param name e.g. {@code "toy-regression"}
 * @param kind regression or classification
 * @param target the target network; with several heads, head t serves task t
 * @param hypernetwork the hypernetwork generating all of the target's weights
 * @param numTasks tasks in the sequence (the size of the embedding table)
 * @param settings training settings
 * @param method which learner runs it (the hypernetwork, or the target network alone as a baseline)
 */
public record ExperimentConfig(
    String name,
    TaskKind kind,
    MlpSpec target,
    HypernetworkSpec hypernetwork,
    int numTasks,
    LearnerSettings settings,
    Method method) {

  /** A hypernetwork experiment. */
  public ExperimentConfig(
      String name, TaskKind kind, MlpSpec target, HypernetworkSpec hypernetwork, int numTasks, LearnerSettings settings) {
    this(name, kind, target, hypernetwork, numTasks, settings, Method.HYPERNETWORK);
  }

  public ExperimentConfig {
    if (method == null) {
      throw new IllegalArgumentException("experiment " + name + ": method must be set");
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
          "experiment " + name + ": " + target.numHeads() + " heads for " + numTasks + " tasks");
    }
  }

  public ExperimentConfig withSettings(LearnerSettings s) {
    return new ExperimentConfig(name, kind, target, hypernetwork, numTasks, s, method);
  }

  public ExperimentConfig withName(String n) {
    return new ExperimentConfig(n, kind, target, hypernetwork, numTasks, settings, method);
  }

  public ExperimentConfig withMethod(Method m) {
    return new ExperimentConfig(name, kind, target, hypernetwork, numTasks, settings, m);
  }

  /** The same experiment as the paper's fine-tuning baseline: the hypernetwork with β = 0. */
  public ExperimentConfig asFineTuning() {
    return withName(name + "-fine-tuning").withSettings(settings.toBuilder().beta(0f).build());
  }

  /** The same experiment as the target-network-alone baseline. */
  public ExperimentConfig asTargetNetworkOnly() {
    return withName(name + "-target-only").withMethod(Method.TARGET_NETWORK);
  }

  /** Hypernetwork trainable weights (chunk embeddings included) over target weights. */
  public double compressionRatio() {
    return (double) hypernetwork.parameterCount() / target.parameterCount();
  }
}
