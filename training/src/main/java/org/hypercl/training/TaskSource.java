package org.hypercl.training;

/**
 * The tasks of a run, loaded on demand so long sequences never hold every task's data at once.
 */
public interface TaskSource {

  /** A short name for provenance, e.g. {@code "toy-regression(seed=42)"}. */
  String name();

  int numTasks();

  /** The largest training set of any task (sizes the learner's in-graph data buffer). */
  int maxTrainSize();

  /** Task {@code i}'s data; may build it anew on every call. */
  TaskData task(int i);
}
