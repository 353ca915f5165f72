package org.hypercl.data;

import java.util.List;
import java.util.Objects;

/** A {@link TaskSequence} over a fixed list of tasks. Immutable. */
public class ListTaskSequence implements TaskSequence {
  private final String name;
  private final List<ClassificationTask> tasks;

  public ListTaskSequence(String name, List<ClassificationTask> tasks) {
    this.name = Objects.requireNonNull(name, "name");
    this.tasks = List.copyOf(tasks);
    if (this.tasks.isEmpty()) {
      throw new IllegalArgumentException(name + ": no tasks");
    }
    int dim = this.tasks.get(0).inputDim();
    for (int i = 0; i < this.tasks.size(); i++) {
      ClassificationTask t = this.tasks.get(i);
      if (t.index() != i) {
        throw new IllegalArgumentException(name + ": task at position " + i + " has index " + t.index());
      }
      if (t.inputDim() != dim) {
        throw new IllegalArgumentException(name + ": task " + i + " has input size " + t.inputDim() + ", not " + dim);
      }
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int numTasks() {
    return tasks.size();
  }

  @Override
  public ClassificationTask task(int i) {
    return tasks.get(i);
  }

  @Override
  public List<ClassificationTask> tasks() {
    return tasks;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + name + ", " + tasks.size() + " tasks]";
  }
}
