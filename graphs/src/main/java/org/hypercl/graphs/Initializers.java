package org.hypercl.graphs;

import java.util.SplittableRandom;

/**
 * Seeded initial values computed in Java, so a run is reproducible from its seed whatever the
 * graph's op order: Xavier-uniform matrices, zero biases, N(0, 1) embeddings (as the reference
 * implementation initialises hypernetworks).
 */
public final class Initializers {

  private Initializers() {}

  /** Xavier (Glorot) uniform: U(−a, a) with a = sqrt(6 / (fanIn + fanOut)). */
  public static float[] xavierUniform(int fanIn, int fanOut, SplittableRandom rng) {
    double a = Math.sqrt(6.0 / (fanIn + fanOut));
    float[] w = new float[Math.multiplyExact(fanIn, fanOut)];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) ((rng.nextDouble() * 2 - 1) * a);
    }
    return w;
  }

  /** Standard normal values. */
  public static float[] standardNormal(int n, SplittableRandom rng) {
    float[] v = new float[n];
    for (int i = 0; i < n; i += 2) {
      // Box-Muller: two independent normals per pair of uniforms.
      double u1 = 1.0 - rng.nextDouble();
      double u2 = rng.nextDouble();
      double r = Math.sqrt(-2 * Math.log(u1));
      v[i] = (float) (r * Math.cos(2 * Math.PI * u2));
      if (i + 1 < n) {
        v[i + 1] = (float) (r * Math.sin(2 * Math.PI * u2));
      }
    }
    return v;
  }
}
