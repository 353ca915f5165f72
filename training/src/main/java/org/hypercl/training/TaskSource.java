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

  /** How the tasks were made (dataset, seeds), recorded in config.json so a run can be rebuilt. */
  default java.util.Map<String, Object> provenance() {
    return java.util.Map.of();
  }

  /** This source with provenance entries added. */
  default TaskSource withProvenance(java.util.Map<String, Object> entries) {
    TaskSource inner = this;
    java.util.Map<String, Object> merged = new java.util.LinkedHashMap<>(inner.provenance());
    merged.putAll(entries);
    return new TaskSource() {
      @Override
      public String name() {
        return inner.name();
      }

      @Override
      public int numTasks() {
        return inner.numTasks();
      }

      @Override
      public int maxTrainSize() {
        return inner.maxTrainSize();
      }

      @Override
      public TaskData task(int i) {
        return inner.task(i);
      }

      @Override
      public java.util.Map<String, Object> provenance() {
        return merged;
      }
    };
  }
}
