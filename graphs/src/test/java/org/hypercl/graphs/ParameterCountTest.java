package org.hypercl.graphs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

class ParameterCountTest {

  @Test
  void toyTargetHas141Weights() {
    MlpSpec toy = new MlpSpec(1, new int[] {10, 10}, 1, 1, Activation.SIGMOID);
    assertThat(toy.parameterCount()).isEqualTo(141);
  }

  @Test
  void splitMnistConfigurationMatchesThePaper() {
    MlpSpec target = new MlpSpec(784, new int[] {400, 400}, 2, 5, Activation.RELU);
    assertThat(target.parameterCount()).isEqualTo(478_410);
    HypernetworkSpec hnet =
        HypernetworkSpec.chunked(96, 96, new int[] {10, 10}, Activation.RELU, 42_000, target.parameterCount());
    assertThat(hnet.numChunks()).isEqualTo(12);
    assertThat(hnet.parameterCount()).isEqualTo(465_192);
    assertThat(5L * hnet.embeddingDim()).isEqualTo(480);
  }

  @Test
  void permutedMnistTargetMatchesThePaper() {
    MlpSpec target = new MlpSpec(1024, new int[] {1000, 1000}, 10, 10, Activation.RELU);
    assertThat(target.parameterCount()).isEqualTo(2_126_100);
  }

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
