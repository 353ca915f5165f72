package org.hypercl.training;

import java.util.ArrayList;
import java.util.List;
import org.hypercl.graphs.Tensors;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;

/**
 * Feeds evaluation inputs to a learner's graph in batches: each batch's rows and the permutation
 * the examples came through go to {@link TaskInputs}'s evaluation placeholders, the caller adds
 * its feeds and fetches and runs; every fed tensor is closed after its batch.
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
  static void run(Session session, TaskInputs inputs, int in, int batchSize, float[] x, int n, int[] permutation, Body body) {
    int[] perm = permutation != null ? permutation : identity(in);
    for (int start = 0; start < n; start += batchSize) {
      int m = Math.min(batchSize, n - start);
      float[] chunk = new float[m * in];
      System.arraycopy(x, start * in, chunk, 0, m * in);
      List<Tensor> owned = new ArrayList<>(4);
      try {
        FeedRunner r = new FeedRunner(session.runner(), owned);
        r.feed(inputs.evalX, Tensors.floats(chunk, m, in)).feed(inputs.evalPermutation, Tensors.ints(perm, in));
        body.run(r, start, m);
      } finally {
        owned.forEach(Tensor::close);
      }
    }
  }

  static int[] identity(int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    return p;
  }
}
