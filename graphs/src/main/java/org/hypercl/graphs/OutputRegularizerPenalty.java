package org.hypercl.graphs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Eq. 2 as a {@link Penalty}: {@code β/k · Σ_{t in window} ‖W*_t − h(e^(t), Θ_h + ΔΘ_h)‖²} over
 * the stored targets of past tasks ({@link OutputRegularizer}), evaluated after the Adam lookahead
 * ΔΘ_h of the task-loss gradient ({@link AdamLookahead}) unless the lookahead is off. It owns β,
 * the window of past tasks (all of them, or K drawn per step: the stochastic regularizer) and the
 * stored targets, which it rebuilds at every task start from the parameters as they are then (Θ_h*).
 */
public final class OutputRegularizerPenalty implements Penalty {

  /** Settings of the penalty. */
  public record Settings(float beta, int window, boolean lookahead, OutputRegularizer.Form form) {
    public Settings {
      if (form == null) {
        throw new IllegalArgumentException("output regularizer form must be set");
      }
      if (!(beta > 0) || !Float.isFinite(beta)) {
        throw new IllegalArgumentException("output regularizer beta must be positive and finite, got " + beta);
      }
      if (window < 0) {
        throw new IllegalArgumentException("regularizer window K must not be negative, got " + window);
      }
    }
  }

  private final Settings settings;
  private final long seed;
  private final OutputRegularizer regularizer;
  private final Placeholder<TFloat32> scale;
  private final Operand<TFloat32> loss;
  private final List<Operand<TFloat32>> gradients;
  private RegularizerWindow windows;

  /**
   * @param hnet the protected hypernetwork
   * @param embeddingTable every task's embedding {@code [T_max, d_e]}
   * @param maxTasks rows of the table
   * @param params the part's parameter operands; the first {@code hnet.variables().size()} are Θ_h
   * @param taskGradients the task loss's gradients for {@code params}, in order
   * @param optimizer the part's optimizer, whose moments give the lookahead
   * @param seed the run's seed (windows are drawn from (seed, task, step))
   * @param mask with a mask, each past task's term leaves out the output-layer weights of the
   *     other tasks' heads ({@link HeadMask}); null regularizes every weight
   */
  public OutputRegularizerPenalty(
      Ops tf,
      Ops train,
      Hypernetwork hnet,
      Operand<TFloat32> embeddingTable,
      int maxTasks,
      List<Operand<TFloat32>> params,
      List<Operand<TFloat32>> taskGradients,
      AdamOptimizer optimizer,
      Settings settings,
      long seed,
      HeadMask mask) {
    this.settings = settings;
    this.seed = seed;
    int n = hnet.variables().size();
    this.regularizer =
        new OutputRegularizer(tf, hnet, hnet.read(tf), embeddingTable, maxTasks, settings.window() > 0, settings.form(), mask);
    List<Operand<TFloat32>> theta = params.subList(0, n);
    List<Operand<TFloat32>> at = theta;
    if (settings.lookahead()) {
      at = AdamLookahead.apply(train, theta, AdamLookahead.delta(train, optimizer, taskGradients.subList(0, n)));
    }
    Operand<TFloat32> sum = switch (settings.form()) {
      case FACTORED -> regularizer.factored(train, at, embeddingTable);
      case EXPANDED -> regularizer.expanded(train, at, embeddingTable);
      case NAIVE -> regularizer.naive(train, at, embeddingTable);
    };
    this.scale = train.withName("regularizer_scale").placeholder(TFloat32.class);
    this.loss = train.math.mul(scale, sum);
    List<Operand<TFloat32>> grads = new ArrayList<>(Collections.nCopies(params.size(), (Operand<TFloat32>) null));
    List<Operand<TFloat32>> g = Tensors.floatOperands(train.gradients(loss, theta));
    for (int i = 0; i < n; i++) {
      grads.set(i, g.get(i));
    }
    this.gradients = Collections.unmodifiableList(grads);
  }

  public Settings settings() {
    return settings;
  }

  public OutputRegularizer regularizer() {
    return regularizer;
  }

  @Override
  public String name() {
    return "regularizer";
  }

  /** No past task has stored targets during the first task: its window is empty, its scale 0. */
  @Override
  public boolean vanishesAt(int task) {
    return task == 0;
  }

  @Override
  public Operand<TFloat32> loss() {
    return loss;
  }

  @Override
  public List<Operand<TFloat32>> gradients() {
    return gradients;
  }

  /** Plans this task's windows and stores the past tasks' targets at the current Θ_h (= Θ_h*). */
  @Override
  public void beginTask(Session session, int task) {
    windows = new RegularizerWindow(task, settings.window(), new SplittableRandom(StepSeeds.mix(seed, task, -2)));
    regularizer.store(session, windows.slotOrder());
  }

  @Override
  public void feed(Session.Runner r, List<Tensor> owned, int task, long step) {
    RegularizerWindow.Window w = windows.next(new SplittableRandom(StepSeeds.mix(seed, task, step)));
    float s = w.size() == 0 ? 0f : settings.beta() / w.size();
    r.feed(regularizer.windowTasksInput(), own(owned, Tensors.ints(w.taskIds(), w.size())));
    r.feed(regularizer.windowStartInput(), own(owned, TInt32.scalarOf(w.start())));
    r.feed(regularizer.windowCountInput(), own(owned, TInt32.scalarOf(w.count())));
    r.feed(regularizer.windowWrapInput(), own(owned, TInt32.scalarOf(w.wrap())));
    r.feed(scale, own(owned, TFloat32.scalarOf(s)));
  }

  private static <T extends Tensor> T own(List<Tensor> owned, T t) {
    owned.add(t);
    return t;
  }
}
