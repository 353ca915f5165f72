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

  /**
   * Where a task's wall time went, once it is evaluated and checkpointed: the session runs of its
   * steps, the loop around them (feeds of the next batch are inside the session time; progress and
   * event logging are not), checkpoints inside the task, the end of the task (e.g. a Fisher), and
   * evaluation with the task's own checkpoint.
   */
  record TaskTiming(long steps, double sessionSeconds, double loopSeconds, double checkpointSeconds,
      double endOfTaskSeconds, double evaluationSeconds) {}

  /** Reported after each task, with {@link TaskTiming}. */
  default void taskTimed(int task, TaskTiming timing) {}
}
