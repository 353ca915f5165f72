package org.hypercl.graphs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

class TaskInferenceTest {

  private static final int IN = 6;
  private static final int CLASSES = 3;

  private static float[] random(int n, SplittableRandom rng, double scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) ((rng.nextDouble() * 2 - 1) * scale);
    }
    return v;
  }

  /** Java reference of each score on one row of logits. */
  private static double score(TaskInference.Score s, float[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) {
      max = Math.max(max, l);
    }
    double z = 0;
    for (float l : logits) {
      z += Math.exp(l - max);
    }
    double lse = max + Math.log(z);
    return switch (s) {
      case ENTROPY -> {
        double h = 0;
        for (float l : logits) {
          double logP = l - lse;
          h -= Math.exp(logP) * logP;
        }
        yield h;
      }
      case MAX_SOFTMAX -> -Math.exp(max - lse);
      case ENERGY -> -lse;
      case MAX_LOGIT -> -max;
    };
  }

  /**
   * The batched graph against a per-sample loop over candidates (one forward pass per sample and
   * candidate, scores in Java), for multi-head (CL3) and shared-head (CL2) targets, every score.
   */
  @Test
  void batchedInferenceEqualsAPerSampleLoopOverCandidates() {
    for (int heads : new int[] {4, 1}) {
      for (TaskInference.Score score : TaskInference.Score.values()) {
        checkAgainstLoop(new MlpSpec(IN, new int[] {5}, CLASSES, heads, Activation.RELU), score, heads * 31L + score.ordinal());
      }
    }
  }

  private void checkAgainstLoop(MlpSpec spec, TaskInference.Score score, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int[] candidates = spec.numHeads() > 1 ? new int[] {2, 0, 3} : new int[] {0, 1, 2};
    int k = candidates.length;
    int p = Math.toIntExact(spec.parameterCount());
    int batch = 9;
    float[] weights = random(k * p, rng, 1.5);
    float[] x = random(batch * IN, rng, 1.0);
    TargetNetwork net = spec.network();
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      TaskInference.Result r =
          TaskInference.build(
              tf, net, tf.constant(org.tensorflow.ndarray.Shape.of(batch, IN), org.tensorflow.ndarray.buffer.DataBuffers.of(x)),
              tf.constant(candidates),
              tf.constant(org.tensorflow.ndarray.Shape.of(k, p), org.tensorflow.ndarray.buffer.DataBuffers.of(weights)),
              score);
      // The loop: one graph op per (sample, candidate).
      List<Operand<TFloat32>> loop = new ArrayList<>();
      for (int i = 0; i < batch; i++) {
        for (int j = 0; j < k; j++) {
          float[] row = new float[IN];
          System.arraycopy(x, i * IN, row, 0, IN);
          float[] w = new float[p];
          System.arraycopy(weights, j * p, w, 0, p);
          loop.add(
              net.forward(tf, tf.constant(new float[][] {row}), tf.constant(w), ForwardContext.head(tf.constant(candidates[j])))
                  .output());
        }
      }
      Session.Runner runner = s.runner().fetch(r.scores()).fetch(r.taskId()).fetch(r.logits()).fetch(r.choice());
      loop.forEach(runner::fetch);
      try (Result res = runner.run()) {
        float[] scores = Tensors.toFloats(res.get(0));
        int[] taskIds = Tensors.toInts(res.get(1));
        float[] chosen = Tensors.toFloats(res.get(2));
        int[] choice = Tensors.toInts(res.get(3));
        for (int i = 0; i < batch; i++) {
          int best = -1;
          double bestScore = Double.POSITIVE_INFINITY;
          float[] bestLogits = null;
          for (int j = 0; j < k; j++) {
            float[] logits = Tensors.toFloats(res.get(4 + i * k + j));
            double sc = score(score, logits);
            assertThat((double) scores[i * k + j]).as("score of sample %d, candidate %d (%s)", i, j, score).isCloseTo(sc, within(1e-4));
            if (sc < bestScore) {
              bestScore = sc;
              best = j;
              bestLogits = logits;
            }
          }
          assertThat(choice[i]).as("sample %d (%s, %d heads)", i, score, spec.numHeads()).isEqualTo(best);
          assertThat(taskIds[i]).isEqualTo(candidates[best]);
          for (int c = 0; c < CLASSES; c++) {
            assertThat(chosen[i * CLASSES + c]).isCloseTo(bestLogits[c], within(1e-4f));
          }
        }
      }
    }
  }

  /**
   * One pass for candidates that share their weights gives what k identical passes give: every
   * score, choice, task id and chosen logits, for multi-head (CL3) and shared-head (CL2) targets.
   */
  @Test
  void sharedWeightsInOnePassEqualTheCandidatesRunOneByOne() {
    for (int heads : new int[] {4, 1}) {
      MlpSpec spec = new MlpSpec(IN, new int[] {5}, CLASSES, heads, Activation.RELU);
      SplittableRandom rng = new SplittableRandom(heads);
      int[] candidates = heads > 1 ? new int[] {2, 0, 3, 1} : new int[] {0, 1, 2};
      int k = candidates.length;
      int p = Math.toIntExact(spec.parameterCount());
      int batch = 11;
      float[] w = random(p, rng, 1.5);
      float[] repeated = new float[k * p];
      for (int j = 0; j < k; j++) {
        System.arraycopy(w, 0, repeated, j * p, p);
      }
      float[] x = random(batch * IN, rng, 1.0);
      TargetNetwork net = spec.network();
      List<TaskInference.Score> scores = List.of(TaskInference.Score.values());
      try (Graph g = new Graph(); Session s = new Session(g)) {
        Ops tf = Ops.create(g);
        Operand<TFloat32> xs = tf.constant(org.tensorflow.ndarray.Shape.of(batch, IN), org.tensorflow.ndarray.buffer.DataBuffers.of(x));
        Operand<TInt32> cs = tf.constant(candidates);
        Map<TaskInference.Score, TaskInference.Result> byOne = TaskInference.build(tf, net, xs, cs,
            tf.constant(org.tensorflow.ndarray.Shape.of(k, p), org.tensorflow.ndarray.buffer.DataBuffers.of(repeated)), scores);
        Map<TaskInference.Score, TaskInference.Result> shared = TaskInference.buildShared(tf, net, xs, cs, tf.constant(w), scores);
        boolean distinctChoices = false;
        for (TaskInference.Score score : scores) {
          TaskInference.Result a = byOne.get(score);
          TaskInference.Result b = shared.get(score);
          try (Result r = s.runner().fetch(a.scores()).fetch(b.scores()).fetch(a.taskId()).fetch(b.taskId())
              .fetch(a.logits()).fetch(b.logits()).fetch(a.choice()).fetch(b.choice()).run()) {
            float[] sa = Tensors.toFloats(r.get(0));
            float[] sb = Tensors.toFloats(r.get(1));
            assertThat(sb).hasSize(batch * k);
            for (int i = 0; i < sa.length; i++) {
              assertThat(sb[i]).as("%s score %d, %d heads", score, i, heads).isCloseTo(sa[i], within(1e-5f));
            }
            if (heads > 1) {
              assertThat(Tensors.toInts(r.get(3))).isEqualTo(Tensors.toInts(r.get(2)));
              assertThat(Tensors.toInts(r.get(7))).isEqualTo(Tensors.toInts(r.get(6)));
            } // With one shared head every candidate ties up to round-off, so which one wins is not compared.
            float[] la = Tensors.toFloats(r.get(4));
            float[] lb = Tensors.toFloats(r.get(5));
            assertThat(lb).hasSize(batch * CLASSES);
            for (int i = 0; i < la.length; i++) {
              assertThat(lb[i]).isCloseTo(la[i], within(1e-5f));
            }
            distinctChoices |= java.util.Arrays.stream(Tensors.toInts(r.get(3))).distinct().count() > 1;
          }
        }
        // With several heads the candidates really differ, so the comparison is not between ties.
        if (heads > 1) {
          assertThat(distinctChoices).isTrue();
        }
      }
    }
  }

  /** The scores' own values on rows whose answers are known. */
  @Test
  void scoresOfKnownRows() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> logits = tf.constant(new float[][] {{0, 0, 0, 0}, {10, 0, 0, 0}, {20, 10, 10, 10}});
      float[] entropy = GraphTestSupport.fetch(s, Map.of(), TaskInference.Score.ENTROPY.of(tf, logits));
      float[] msp = GraphTestSupport.fetch(s, Map.of(), TaskInference.Score.MAX_SOFTMAX.of(tf, logits));
      float[] energy = GraphTestSupport.fetch(s, Map.of(), TaskInference.Score.ENERGY.of(tf, logits));
      assertThat(entropy[0]).isCloseTo((float) Math.log(4), within(1e-6f));
      assertThat(msp[0]).isCloseTo(-0.25f, within(1e-6f));
      assertThat(energy[0]).isCloseTo((float) -Math.log(4), within(1e-6f));
      // Rows 2 and 3 have the same softmax; only the energy tells their scales apart.
      assertThat(entropy[1]).isCloseTo(entropy[2], within(1e-5f));
      assertThat(msp[1]).isCloseTo(msp[2], within(1e-6f));
      assertThat(energy[2]).isCloseTo(energy[1] - 10, within(1e-4f));
    }
    assertThat(TaskInference.Score.parse("Max-Softmax")).isEqualTo(TaskInference.Score.MAX_SOFTMAX);
    assertThat(assertThrows(IllegalArgumentException.class, () -> TaskInference.Score.parse("odin")).getMessage())
        .contains("'odin'").contains("entropy");
  }

  /** A head per example gives, row by row, the output of a forward pass with that head for the batch. */
  @Test
  void headPerExampleMatchesOneHeadPerBatch() {
    MlpSpec spec = new MlpSpec(IN, new int[] {4}, CLASSES, 3, Activation.ELU);
    SplittableRandom rng = new SplittableRandom(3);
    float[] w = random(Math.toIntExact(spec.parameterCount()), rng, 1);
    float[][] x = new float[5][];
    for (int i = 0; i < x.length; i++) {
      x[i] = random(IN, rng, 1);
    }
    int[] heads = {2, 0, 1, 1, 2};
    TargetNetwork net = spec.network();
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> xs = tf.constant(x);
      Operand<TFloat32> weights = tf.constant(w);
      float[] mixed = GraphTestSupport.fetch(s, Map.<Operand<?>, Tensor>of(),
          net.forward(tf, xs, weights, ForwardContext.headPerExample(tf.constant(heads))).output());
      for (int h = 0; h < 3; h++) {
        float[] one = GraphTestSupport.fetch(s, Map.of(), net.forward(tf, xs, weights, ForwardContext.head(tf.constant(h))).output());
        for (int i = 0; i < x.length; i++) {
          if (heads[i] == h) {
            for (int c = 0; c < CLASSES; c++) {
              assertThat(mixed[i * CLASSES + c]).isEqualTo(one[i * CLASSES + c]);
            }
          }
        }
      }
    }
  }

  /**
   * Evaluation's one-head pass (only that head's block of the output layer multiplied) gives the
   * head {@code forward} picks from all heads, in both kernel orders, with and without hidden layers.
   */
  @Test
  void oneHeadPassEqualsTheHeadOfAllHeads() {
    for (MlpSpec.KernelOrder order : MlpSpec.KernelOrder.values()) {
      for (int[] hidden : new int[][] {{5, 4}, {}}) {
        MlpSpec spec = new MlpSpec(IN, hidden, CLASSES, 4, Activation.RELU, order);
        SplittableRandom rng = new SplittableRandom(hidden.length * 7L + order.ordinal());
        float[] w = random(Math.toIntExact(spec.parameterCount()), rng, 1);
        float[] x = random(7 * IN, rng, 1);
        TargetNetwork net = spec.network();
        try (Graph g = new Graph(); Session s = new Session(g)) {
          Ops tf = Ops.create(g);
          Operand<TFloat32> xs = tf.reshape(tf.constant(x), tf.constant(new int[] {7, IN}));
          Operand<TFloat32> weights = tf.constant(w);
          for (int h = 0; h < 4; h++) {
            ForwardContext head = ForwardContext.head(tf.constant(h));
            float[] one = GraphTestSupport.fetch(s, Map.of(), net.forwardHead(tf, xs, weights, head).output());
            float[] all = GraphTestSupport.fetch(s, Map.of(), net.forward(tf, xs, weights, head).output());
            assertThat(one).as("head %d, %s, hidden %s", h, order, java.util.Arrays.toString(hidden)).hasSize(7 * CLASSES);
            for (int i = 0; i < all.length; i++) {
              assertThat(one[i]).as("head %d, %s, value %d", h, order, i).isCloseTo(all[i], within(1e-5f));
            }
          }
        }
      }
    }
  }

  /**
   * The MLP's candidates on their own heads equal the head each picks from all heads of
   * {@code forwardCandidates}, in both kernel orders, inputs shared ({@code [1, batch, in]}) or
   * one batch per candidate.
   */
  @Test
  void candidateHeadsEqualTheirHeadOfAllHeads() {
    int[] candidates = {3, 0, 3, 1};
    int k = candidates.length;
    for (MlpSpec.KernelOrder order : MlpSpec.KernelOrder.values()) {
      MlpSpec spec = new MlpSpec(IN, new int[] {5}, CLASSES, 4, Activation.ELU, order);
      int p = Math.toIntExact(spec.parameterCount());
      SplittableRandom rng = new SplittableRandom(11 + order.ordinal());
      float[] w = random(k * p, rng, 1);
      TargetNetwork net = spec.network();
      for (int xRows : new int[] {1, k}) {
        float[] x = random(xRows * 6 * IN, rng, 1);
        try (Graph g = new Graph(); Session s = new Session(g)) {
          Ops tf = Ops.create(g);
          Operand<TFloat32> xs = tf.reshape(tf.constant(x), tf.constant(new int[] {xRows, 6, IN}));
          Operand<TFloat32> weights = tf.reshape(tf.constant(w), tf.constant(new int[] {k, p}));
          float[] own = GraphTestSupport.fetch(s, Map.of(),
              net.forwardCandidateHeads(tf, xs, weights, ForwardContext.none(), k, tf.constant(candidates)));
          float[] all = GraphTestSupport.fetch(s, Map.of(), net.forwardCandidates(tf, xs, weights, ForwardContext.none())); // [k, 6, 4, C]
          assertThat(own).hasSize(k * 6 * CLASSES);
          for (int j = 0; j < k; j++) {
            for (int b = 0; b < 6; b++) {
              for (int c = 0; c < CLASSES; c++) {
                float expected = all[((j * 6 + b) * 4 + candidates[j]) * CLASSES + c];
                assertThat(own[(j * 6 + b) * CLASSES + c]).as("%s, candidate %d, row %d, class %d", order, j, b, c)
                    .isCloseTo(expected, within(1e-5f));
              }
            }
          }
        }
      }
    }
  }
}
