package org.hypercl.tools;

import java.io.PrintWriter;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.hypercl.training.StepListener;

/**
 * Shows training progress: a progress bar per task on a terminal, otherwise (logs, CI) one line
 * every tenth of a task with the current losses, written to the command's output (so a test that
 * captures it keeps the build log short).
 */
public final class TrainingProgress implements StepListener {

  private final String label;
  private final PrintWriter out;
  private final boolean interactive;
  private ProgressBar bar;
  private int iterations;
  private int nextReport;

  public TrainingProgress(String label, PrintWriter out) {
    this(label, out, System.console() != null);
  }

  TrainingProgress(String label, PrintWriter out, boolean interactive) {
    this.label = label;
    this.out = out;
    this.interactive = interactive;
  }

  @Override
  public void taskStarted(int task, String name, int iterations) {
    this.iterations = iterations;
    this.nextReport = 0;
    String title = label + " task " + (task + 1) + " (" + name + ")";
    if (interactive) {
      bar = new ProgressBarBuilder().setTaskName(title).setConsumer(new ConsoleProgressBarConsumer(System.out)).setInitialMax(iterations).setStyle(ProgressBarStyle.ASCII)
          .setUpdateIntervalMillis(250).setMaxRenderedLength(110).build();
    } else {
      out.println(title + ": " + iterations + " steps");
      out.flush();
    }
  }

  @Override
  public void stepFinished(int task, int iteration, float taskLoss, float regLoss) {
    if (bar != null) {
      bar.step();
      if (iteration % 50 == 0) {
        bar.setExtraMessage(String.format(" loss %.4g reg %.3g", taskLoss, regLoss));
      }
    } else if (iteration >= nextReport || iteration == iterations - 1) {
      out.printf("  step %6d/%d  task loss %.5g  regularizer %.4g%n", iteration + 1, iterations, taskLoss, regLoss);
      nextReport = iteration + Math.max(1, iterations / 10);
      out.flush();
    }
  }

  @Override
  public void taskFinished(int task, double seconds) {
    if (bar != null) {
      bar.close();
      bar = null;
    }
    out.printf("  %s task %d trained in %.1f s (%.2f ms/step)%n", label, task + 1, seconds, seconds * 1000 / iterations);
    out.flush();
  }

  @Override
  public void taskTimed(int task, TaskTiming t) {
    out.printf("  %s task %d time: %d steps %.1f s in TensorFlow (%.2f ms/step), %.2f s around them, checkpoints %.2f s, "
        + "end of task %.2f s, evaluation and checkpoint %.1f s%n", label, task + 1, t.steps(), t.sessionSeconds(),
        t.steps() > 0 ? t.sessionSeconds() * 1000 / t.steps() : 0, t.loopSeconds(), t.checkpointSeconds(), t.endOfTaskSeconds(),
        t.evaluationSeconds());
    out.flush();
  }
}
