package org.hypercl.graphs;

import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;

/** Session helpers for the graph tests. Every tensor fed is closed by the caller. */
final class GraphTestSupport {

  private GraphTestSupport() {}

  static float[][] fetch(Session s, Map<Operand<?>, Tensor> feeds, List<? extends Operand<?>> fetches) {
    Session.Runner r = s.runner();
    feeds.forEach(r::feed);
    fetches.forEach(r::fetch);
    try (Result res = r.run()) {
      float[][] out = new float[fetches.size()][];
      for (int i = 0; i < fetches.size(); i++) {
        out[i] = Tensors.toFloats(res.get(i));
      }
      return out;
    }
  }

  static float[] fetch(Session s, Map<Operand<?>, Tensor> feeds, Operand<?> fetch) {
    return fetch(s, feeds, List.of(fetch))[0];
  }
}
