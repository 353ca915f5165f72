package org.hypercl.tools;

import java.io.PrintWriter;
import java.util.List;
import org.hypercl.graphs.TaskInference;
import org.hypercl.training.RunResults;

/**
 * The printed table of a classifier's results without the task id: for every task-inference score,
 * the mean accuracy (CL2 or CL3) and the share of test examples whose task it inferred, during
 * (right after each task, candidates 0..t) and after the last task (all learned tasks).
 */
final class InferenceSummary {

  private InferenceSummary() {}

  /** Prints nothing for runs without task-inference matrices (regression). */
  static void print(PrintWriter out, List<RunResults> runs) {
    boolean any = runs.stream().anyMatch(r -> r.matrices().keySet().stream().anyMatch(k -> k.startsWith(RunResults.TASK_INFERENCE)));
    if (!any) {
      return;
    }
    out.println();
    out.printf("%-34s %-14s %-12s %10s %10s %16s %16s%n", "without the task id", "matrix", "score", "during", "after",
        "task inf. during", "task inf. after");
    for (RunResults r : runs) {
      for (TaskInference.Score s : TaskInference.Score.values()) {
        for (String name : r.matrices().keySet()) {
          if (!name.endsWith("/" + s.id()) || name.startsWith(RunResults.TASK_INFERENCE)) {
            continue;
          }
          RunResults acc = r.view(name);
          RunResults inf = r.view(RunResults.TASK_INFERENCE + "/" + s.id());
          out.printf("%-34s %-14s %-12s %10.3f %10.3f %16.3f %16.3f%n", r.experiment(), name.substring(0, name.indexOf('/')),
              s.id(), acc.meanDuring(), acc.meanAfter(), inf.meanDuring(), inf.meanAfter());
        }
      }
    }
  }
}
