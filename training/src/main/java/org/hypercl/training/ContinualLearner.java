package org.hypercl.training;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.hypercl.graphs.TaskInference;

/**
 * A learner that meets tasks one after another. A task is learned as {@link #beginTask}, then
 * {@link #trainStep} for steps 0..iterations−1 (a resumed run may start later), then
 * {@link #finishTask}; {@link #learnTask} does all three.
 */
public interface ContinualLearner extends AutoCloseable {

  ExperimentConfig config();

  /** Tasks learned so far; the next task to begin is this one. */
  int tasksLearned();

  /** Loads the task's data and prepares its training (optimizer reset, regularizer targets). */
  void beginTask(int task, TaskData data);

  /**
   * One training step of the task begun last. Batch and regularizer window are functions of
   * (seed, task, step), so steps can resume anywhere. Returns the values {@link #stepOutputNames()}
   * names, the task loss first, the regularizer second.
   */
  float[] trainStep(int task, long step);

  /** Names of the values {@link #trainStep} returns (e.g. task_loss, regularizer, batch_metric). */
  List<String> stepOutputNames();

  /** Ends the task: it counts as learned from now on. */
  void finishTask(int task);

  /** Outputs of the task's network on {@code n} inputs (row-major, permuted by the task's permutation). */
  float[] predict(int task, float[] x, int n, int[] permutation);

  /** Test metric of a task with its id given: MSE for regression, accuracy in percent for classification. */
  double evaluate(int task, TaskData data);

  /**
   * What a classifier predicts without the task id: for each of {@code n} examples, the task
   * inferred among {@code candidates} and the class its network then predicts, for every
   * task-inference score at once (one forward pass of all candidates per batch). Every candidate
   * sees the example as it was observed.
   *
   * @param x base input rows, row-major
   * @param permutation how the examples came from the base rows (input j of an example is base
   *     input {@code permutation[j]}, e.g. the permutation of the permuted task they belong to), or
   *     null for none
   */
  Map<TaskInference.Score, InferredPredictions> inferTasks(float[] x, int n, int[] candidates, int[] permutation);

  /** Per input row, the inferred task and the class predicted on that task's network. */
  record InferredPredictions(int[] tasks, int[] classes) {}

  /** Whether the learner replays real data of earlier tasks, which {@link #addPastTask} gives it (RPL-UB). */
  default boolean replaysRealData() {
    return false;
  }

  /**
   * Gives the learner an earlier task's data, for a learner that {@link #replaysRealData()}: the
   * runner calls it before each task for the tasks before it (the tasks a resumed run did not begin).
   */
  default void addPastTask(int task, TaskData data) {}

  /**
   * Writes pictures of what the learner holds after task {@code task} into the run's {@code
   * plots/} folder (e.g. a replay model's samples of every task it can replay); nothing by default.
   */
  default void writePictures(int task, Path plots) throws java.io.IOException {}

  void save(Path prefix);

  void restore(Path prefix, int tasksLearned);

  @Override
  void close();

  /** Learns a task from start to end. */
  default void learnTask(int task, TaskData data, StepListener listener) {
    long started = System.nanoTime();
    beginTask(task, data);
    int iterations = config().method().stepsPerTask(config(), task, data.trainSize());
    listener.taskStarted(task, data.name(), iterations);
    for (int it = 0; it < iterations; it++) {
      float[] losses = trainStep(task, it);
      listener.stepFinished(task, it, losses[0], losses[1]);
    }
    finishTask(task);
    listener.taskFinished(task, (System.nanoTime() - started) / 1e9);
  }
}
