package org.hypercl.graphs;

/**
 * Seeds of per-step random draws as pure functions of (run seed, task, step), so a run resumed at
 * any step draws exactly what an uninterrupted run would.
 */
public final class StepSeeds {

  private StepSeeds() {}

  /** A seed mixed from the run seed and two stream coordinates (e.g. task and step). */
  public static long mix(long seed, long a, long b) {
    long h = seed * 0x9E3779B97F4A7C15L + a * 0xBF58476D1CE4E5B9L + b * 0x94D049BB133111EBL;
    return h ^ (h >>> 31);
  }
}
