package org.hypercl.graphs;

import java.util.Map;

/**
 * The architecture of a target network, as data: what config.json stores and what builds a
 * {@link TargetNetwork}. Its map form carries a {@code type} tag ({@code "mlp"}); a map without
 * one comes from a run written when the MLP was the only target and reads as an MLP.
 */
public sealed interface TargetSpec permits MlpSpec, ZenkeNetSpec, ResNetSpec {

  /** The functional network this spec describes. */
  TargetNetwork network();

  /** The exact number of weights, P. */
  long parameterCount();

  /** Values in one input example. */
  int inputSize();

  /** Shape of one input example, without the batch dimension: {@code [784]}, {@code [32, 32, 3]}. */
  default long[] inputShape() {
    return network().inputShape();
  }

  /** Output heads. */
  int numHeads();

  /** Outputs per head. */
  int outputSize();

  /** The same network with {@code heads} output heads (1: one head shared by every task). */
  TargetSpec withHeads(int heads);

  /** Plain values for a JSON file, with the {@code type} tag; read back by {@link #fromMap}. */
  Map<String, Object> toMap();

  /** Reads what {@link #toMap} wrote, dispatching on {@code type}. */
  static TargetSpec fromMap(Map<String, ?> m) {
    Object type = m.get("type");
    if (type == null || "mlp".equals(type)) {
      return MlpSpec.fromMap(m);
    }
    if ("zenkenet".equals(type)) {
      return ZenkeNetSpec.fromMap(m);
    }
    if ("resnet".equals(type)) {
      return ResNetSpec.fromMap(m);
    }
    throw new IllegalArgumentException("unknown target network type '" + type + "'; known: mlp, zenkenet, resnet");
  }
}
