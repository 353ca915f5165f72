package org.hypercl.training;

/** Told about training progress; the CLI draws a progress bar from it. */
public interface StepListener {

  StepListener NONE = new StepListener() {};

  /** A task starts: {@code iterations} steps follow. */
  default void taskStarted(int task, String name, int iterations) {}

  /** One training step finished. Losses are those of the step just taken. */
  default void stepFinished(int task, int iteration, float taskLoss, float regularizerLoss) {}

  /** The task's training finished. */
  default void taskFinished(int task, double seconds) {}
}
