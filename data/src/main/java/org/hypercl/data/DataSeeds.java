package org.hypercl.data;

/** Seed handling shared by the task builders: one documented default and a way to derive streams. */
public final class DataSeeds {

  /** Default data seed, as in the reference code ({@code --data_random_seed 42}). */
  public static final long DEFAULT = 42L;

  private DataSeeds() {}

  /**
   * A seed for stream {@code index} of {@code seed} (SplitMix64 finaliser), so that, e.g., the
   * permutation of task 7 does not depend on how many tasks were drawn before it.
   */
  public static long derive(long seed, long index) {
    long z = seed + 0x9E3779B97F4A7C15L * (index + 1L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
