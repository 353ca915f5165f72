package org.hypercl.data;

import java.util.Objects;
import java.util.Optional;

/**
 * One task of a continual-learning sequence: its training split, an optional validation split
 * held out from the training set, its test split, and the training-time augmentation the
 * benchmark asks for (if any). Immutable.
 */
public final class ClassificationTask {
  private final int index;
  private final String name;
  private final ClassificationData train;
  private final ClassificationData validation;
  private final ClassificationData test;
  private final Augmentation augmentation;

  /**
   * @param validation may be null when no validation split was requested
   * @param augmentation may be null when training inputs are used as they are
   */
  public ClassificationTask(int index, String name, ClassificationData train, ClassificationData validation,
      ClassificationData test, Augmentation augmentation) {
    this.index = index;
    this.name = Objects.requireNonNull(name, "name");
    this.train = Objects.requireNonNull(train, "train");
    this.validation = validation;
    this.test = Objects.requireNonNull(test, "test");
    this.augmentation = augmentation;
    if (train.inputDim() != test.inputDim() || train.numClasses() != test.numClasses()) {
      throw new IllegalArgumentException(name + ": train and test differ in input size or classes");
    }
    if (validation != null
        && (validation.inputDim() != train.inputDim() || validation.numClasses() != train.numClasses())) {
      throw new IllegalArgumentException(name + ": train and validation differ in input size or classes");
    }
  }

  /** Position of the task in its sequence, from 0. */
  public int index() {
    return index;
  }

  public String name() {
    return name;
  }

  public ClassificationData train() {
    return train;
  }

  public Optional<ClassificationData> validation() {
    return Optional.ofNullable(validation);
  }

  public ClassificationData test() {
    return test;
  }

  /** Augmentation to apply to training batches, if the benchmark uses one. */
  public Optional<Augmentation> augmentation() {
    return Optional.ofNullable(augmentation);
  }

  /** Classes of this task's head. */
  public int numClasses() {
    return train.numClasses();
  }

  public int inputDim() {
    return train.inputDim();
  }

  public int[] inputShape() {
    return train.inputShape();
  }

  @Override
  public String toString() {
    return "ClassificationTask[" + index + " " + name + ": " + train.size() + " train, "
        + (validation == null ? 0 : validation.size()) + " validation, " + test.size() + " test, "
        + numClasses() + " classes]";
  }
}
