package org.hypercl.graphs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

class ParameterCountTest {

  // The shipped experiments' counts are tested on the configurations themselves: training's
  // ExperimentsTest. Here: the formulas against what the builders create.

  @Test
  void builtVariablesHoldExactlyTheCountedWeights() {
    HypernetworkSpec[] specs = {
      HypernetworkSpec.full(2, new int[] {10, 10}, Activation.SIGMOID, 141),
      HypernetworkSpec.chunked(8, 4, new int[] {6, 5}, Activation.ELU, 50, 141),
      HypernetworkSpec.chunked(8, 4, new int[] {}, Activation.RELU, 40, 141),
    };
    for (HypernetworkSpec spec : specs) {
      try (Graph g = new Graph()) {
        Hypernetwork h = Hypernetwork.create(Ops.create(g), spec, 1);
        long total = 0;
        for (Variable<TFloat32> v : h.variables()) {
          total += Variables.size(v);
        }
        assertThat(total).as(spec.toString()).isEqualTo(spec.parameterCount());
      }
    }
  }

  @Test
  void layoutOffsetsAreContiguous() {
    WeightLayout layout = new MlpSpec(3, new int[] {4}, 2, 3, Activation.RELU).layout();
    long offset = 0;
    for (WeightLayout.Entry e : layout.entries()) {
      assertThat(e.offset()).isEqualTo(offset);
      offset += e.size();
    }
    assertThat(offset).isEqualTo(layout.totalSize()).isEqualTo(3 * 4 + 4 + 4 * 6 + 6);
  }

  @Test
  void badSpecsAreRejectedWithTheirValues() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new MlpSpec(0, new int[] {}, 1, 1, Activation.RELU));
    assertThat(e.getMessage()).contains("input=0");
    assertThrows(IllegalArgumentException.class, () -> HypernetworkSpec.chunked(4, 0, new int[] {}, Activation.RELU, 10, 100));
    assertThrows(IllegalArgumentException.class, () -> Activation.parse("swish"));
    assertThat(Activation.parse("ELU")).isEqualTo(Activation.ELU);
  }
}
