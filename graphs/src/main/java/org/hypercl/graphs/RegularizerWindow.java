package org.hypercl.graphs;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Which past tasks the output regularizer sees, planned in Java.
 *
 * <p>At the start of task T the targets of the T−1 past tasks are written to slots in
 * {@link #slotOrder()}; each step takes {@link #next()}. With K ≥ T−1 (or K = 0, meaning all)
 * every step regularizes every past task, in task order. Otherwise the slot order is a random
 * permutation and each step takes a random contiguous window of K slots, wrapping at the end, so
 * every past task is drawn with probability K/(T−1) and the window's targets are two contiguous
 * blocks of the stored variable.
 */
public final class RegularizerWindow {

  /** One step's window: {@code count} slots from {@code start}, then {@code wrap} from slot 0. */
  public record Window(int[] taskIds, int start, int count, int wrap) {
    public int size() {
      return count + wrap;
    }
  }

  private final int[] slotOrder;
  private final int windowSize;
  private final SplittableRandom rng;
  private final Window fullWindow;

  /**
   * @param pastTasks number of tasks already learned, T−1
   * @param maxWindow K, or 0 to regularize all past tasks every step
   */
  public RegularizerWindow(int pastTasks, int maxWindow, SplittableRandom rng) {
    if (pastTasks < 0 || maxWindow < 0) {
      throw new IllegalArgumentException("past tasks and window size must not be negative");
    }
    this.rng = rng;
    boolean all = maxWindow == 0 || maxWindow >= pastTasks;
    this.windowSize = all ? pastTasks : maxWindow;
    int[] order = new int[pastTasks];
    for (int i = 0; i < pastTasks; i++) {
      order[i] = i;
    }
    if (!all) {
      for (int i = pastTasks - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        int tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
      }
    }
    this.slotOrder = order;
    this.fullWindow = all ? new Window(order.clone(), 0, pastTasks, 0) : null;
  }

  /** Task id stored in each slot. */
  public int[] slotOrder() {
    return slotOrder.clone();
  }

  /** Number of tasks in every window (k). */
  public int windowSize() {
    return windowSize;
  }

  /** The window for the next step, drawn from this planner's own random stream. */
  public Window next() {
    return next(rng);
  }

  /**
   * The window drawn from {@code stepRng}: with a generator seeded from the step number, the
   * window of step s does not depend on the steps before it (a resumed run draws the same ones).
   */
  public Window next(SplittableRandom stepRng) {
    if (fullWindow != null) {
      return fullWindow;
    }
    int n = slotOrder.length;
    int start = stepRng.nextInt(n);
    int count = Math.min(windowSize, n - start);
    int wrap = windowSize - count;
    int[] ids = new int[windowSize];
    System.arraycopy(slotOrder, start, ids, 0, count);
    System.arraycopy(slotOrder, 0, ids, count, wrap);
    return new Window(ids, start, count, wrap);
  }

  @Override
  public String toString() {
    return "RegularizerWindow{slots=" + Arrays.toString(slotOrder) + ", k=" + windowSize + "}";
  }
}
