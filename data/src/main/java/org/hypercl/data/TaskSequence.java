package org.hypercl.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An ordered sequence of classification tasks for continual learning, all with the same input
 * shape. A learner consumes every benchmark (permuted, split, CIFAR) through this interface.
 *
 * <pre>{@code
 * TaskSequence seq = TaskSequences.permuted(images, 10, DataSeeds.DEFAULT, 0);
 * for (int t = 0; t < seq.numTasks(); t++) {
 *   ClassificationTask task = seq.task(t);
 *   BatchIterator batches = BatchIterator.shuffled(task.train(), 128, seed);
 *   ...
 * }
 * }</pre>
 */
public interface TaskSequence {

  /** Name, e.g. {@code "permuted-mnist-10"}. */
  String name();

  int numTasks();

  /** Task {@code i}, {@code 0 <= i < numTasks()}. */
  ClassificationTask task(int i);

  /** Shape of one input, e.g. {@code {32, 32, 1}}. */
  default int[] inputShape() {
    return task(0).inputShape();
  }

  /** Values per input: the product of {@link #inputShape()}. */
  default int inputDim() {
    return task(0).inputDim();
  }

  /** Classes of task {@code i}'s head. */
  default int numClasses(int i) {
    return task(i).numClasses();
  }

  /** All tasks, in order. */
  default List<ClassificationTask> tasks() {
    List<ClassificationTask> out = new ArrayList<>(numTasks());
    for (int i = 0; i < numTasks(); i++) {
      out.add(task(i));
    }
    return Collections.unmodifiableList(out);
  }
}
