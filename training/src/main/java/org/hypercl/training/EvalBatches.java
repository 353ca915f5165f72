package org.hypercl.training;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.hypercl.graphs.TaskInference;
import org.hypercl.graphs.Tensors;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Feeds evaluation inputs to a learner's graph in batches: each batch's rows and the permutation
 * the examples came through go to {@link TaskInputs}'s evaluation placeholders, the caller adds
 * its feeds and fetches and runs; every fed tensor is closed after its batch. Tensors that stay the
 * same for every batch (a task's generated weights, computed once for the whole evaluation) are
 * given as {@code fixed} feeds, which the caller owns and closes. {@link #predict} and
 * {@link #infer} are the two evaluations every learner runs this way.
 */
final class EvalBatches {

  private EvalBatches() {}

  /** One graph run's worth: feeds are added to the runner, which the body runs. */
  interface Body {
    void run(FeedRunner runner, int start, int rows);
  }

  /** A session runner whose fed tensors are closed after the batch. */
  static final class FeedRunner {
    private final Session.Runner runner;
    private final List<Tensor> owned;

    FeedRunner(Session.Runner runner, List<Tensor> owned) {
      this.runner = runner;
      this.owned = owned;
    }

    FeedRunner feed(Operand<?> op, Tensor t) {
      owned.add(t);
      runner.feed(op, t);
      return this;
    }

    /** The runner, to add fetches to and run. */
    Session.Runner runner() {
      return runner;
    }
  }

  /**
   * Calls {@code body} for each batch of at most {@code batchSize} rows of {@code x} ({@code n}
   * rows of {@code in} values), fed with {@code permutation} (identity for null).
   */
  static void run(Session session, TaskInputs inputs, int in, int batchSize, float[] x, int n, int[] permutation,
      Map<Operand<?>, ? extends Tensor> fixed, Body body) {
    int[] perm = permutation != null ? permutation : identity(in);
    for (int start = 0; start < n; start += batchSize) {
      int m = Math.min(batchSize, n - start);
      float[] chunk = new float[m * in];
      System.arraycopy(x, start * in, chunk, 0, m * in);
      List<Tensor> owned = new ArrayList<>(4);
      try {
        Session.Runner runner = session.runner();
        fixed.forEach(runner::feed);
        FeedRunner r = new FeedRunner(runner, owned);
        r.feed(inputs.evalX, Tensors.floats(chunk, m, in)).feed(inputs.evalPermutation, Tensors.ints(perm, in));
        body.run(r, start, m);
      } finally {
        owned.forEach(Tensor::close);
      }
    }
  }

  /** Refuses {@code x} unless it holds {@code n} rows of {@code in} values. */
  static void checkRows(float[] x, int n, int in) {
    if (x.length != (long) n * in) {
      throw new IllegalArgumentException(n + " inputs of width " + in + " need " + (long) n * in + " values, got " + x.length);
    }
  }

  /**
   * Outputs {@code [n, out]} of task {@code task} for {@code n} rows: {@code evalTask} fed with the
   * task, {@code evalOutput} fetched, batch by batch.
   */
  static float[] predict(Session session, TaskInputs inputs, int in, int out, int batchSize, Operand<TInt32> evalTask,
      Operand<TFloat32> evalOutput, int task, float[] x, int n, int[] permutation, Map<Operand<?>, ? extends Tensor> fixed) {
    checkRows(x, n, in);
    float[] result = new float[n * out];
    run(session, inputs, in, batchSize, x, n, permutation, fixed, (r, start, m) -> {
      r.feed(evalTask, TInt32.scalarOf(task));
      try (Result res = r.runner().fetch(evalOutput).run()) {
        System.arraycopy(Tensors.toFloats(res.get(0)), 0, result, start * out, m * out);
      }
    });
    return result;
  }

  /**
   * Task inference over {@code candidates}, batch by batch: per score, the task each row is given
   * ({@code taskIds}) and the class its logits ({@code logits}, {@code [rows, classes]}) pick. With
   * {@code reportTasks} false (one shared head: no task to infer) every task is −1.
   */
  static Map<TaskInference.Score, ContinualLearner.InferredPredictions> infer(Session session, TaskInputs inputs, int in, int batchSize,
      Operand<TInt32> candidatesInput, int[] candidates, Map<TaskInference.Score, ? extends Operand<TInt32>> taskIds,
      Map<TaskInference.Score, ? extends Operand<TFloat32>> logits, int classes, boolean reportTasks, float[] x, int n,
      int[] permutation, Map<Operand<?>, ? extends Tensor> fixed) {
    return predictions(inferScored(session, inputs, in, batchSize, candidatesInput, candidates, taskIds, logits, null, classes,
        reportTasks, x, n, permutation, fixed));
  }

  /** Each score's tasks and classes, without the scores. */
  static Map<TaskInference.Score, ContinualLearner.InferredPredictions> predictions(Map<TaskInference.Score, Scored> scored) {
    Map<TaskInference.Score, ContinualLearner.InferredPredictions> out = new EnumMap<>(TaskInference.Score.class);
    scored.forEach((s, r) -> out.put(s, new ContinualLearner.InferredPredictions(r.tasks(), r.classes())));
    return out;
  }

  /**
   * One score's task inference: the task and class of every row and, when asked for, the
   * winning candidate's score (lower is more confident), to combine inferences over several
   * groups of candidates ({@link #keepBetter}).
   */
  record Scored(int[] tasks, int[] classes, float[] best) {
    /**
     * Takes, row by row, {@code later}'s choice where its score is strictly lower: over groups of
     * candidates combined in their order this keeps the first of equally scored candidates, as
     * one argmin over all of them does.
     */
    void keepBetter(Scored later) {
      for (int row = 0; row < best.length; row++) {
        if (later.best[row] < best[row]) {
          best[row] = later.best[row];
          tasks[row] = later.tasks[row];
          classes[row] = later.classes[row];
        }
      }
    }
  }

  /**
   * As {@link #infer}, also fetching {@code bestScores} (per score, the winning candidate's score
   * {@code [rows]}) when it is not null.
   */
  static Map<TaskInference.Score, Scored> inferScored(Session session, TaskInputs inputs, int in, int batchSize,
      Operand<TInt32> candidatesInput, int[] candidates, Map<TaskInference.Score, ? extends Operand<TInt32>> taskIds,
      Map<TaskInference.Score, ? extends Operand<TFloat32>> logits, Map<TaskInference.Score, ? extends Operand<TFloat32>> bestScores,
      int classes, boolean reportTasks, float[] x, int n, int[] permutation, Map<Operand<?>, ? extends Tensor> fixed) {
    checkRows(x, n, in);
    TaskInference.Score[] scores = TaskInference.Score.values();
    int fetched = bestScores == null ? 2 : 3;
    Map<TaskInference.Score, Scored> out = new EnumMap<>(TaskInference.Score.class);
    for (TaskInference.Score s : scores) {
      int[] t = new int[n];
      if (!reportTasks) {
        Arrays.fill(t, -1);
      }
      out.put(s, new Scored(t, new int[n], bestScores == null ? null : new float[n]));
    }
    run(session, inputs, in, batchSize, x, n, permutation, fixed, (r, start, m) -> {
      r.feed(candidatesInput, Tensors.ints(candidates, candidates.length));
      Session.Runner run = r.runner();
      for (TaskInference.Score s : scores) {
        run.fetch(taskIds.get(s)).fetch(logits.get(s));
        if (bestScores != null) {
          run.fetch(bestScores.get(s));
        }
      }
      try (Result res = run.run()) {
        for (int i = 0; i < scores.length; i++) {
          Scored o = out.get(scores[i]);
          if (reportTasks) {
            System.arraycopy(Tensors.toInts(res.get(fetched * i)), 0, o.tasks(), start, m);
          }
          float[] l = Tensors.toFloats(res.get(fetched * i + 1));
          for (int row = 0; row < m; row++) {
            o.classes()[start + row] = Metrics.argmax(l, row * classes, classes);
          }
          if (bestScores != null) {
            System.arraycopy(Tensors.toFloats(res.get(fetched * i + 2)), 0, o.best(), start, m);
          }
        }
      }
    });
    return out;
  }

  static int[] identity(int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    return p;
  }
}
