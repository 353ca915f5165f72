package org.hypercl.graphs;

import java.util.Locale;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Element-wise nonlinearities used by target networks and hypernetworks. */
public enum Activation {
  RELU,
  ELU,
  SIGMOID,
  TANH,
  LINEAR;

  /** Applies this activation to {@code x}. */
  public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x) {
    return switch (this) {
      case RELU -> tf.nn.relu(x);
      case ELU -> tf.nn.elu(x);
      case SIGMOID -> tf.math.sigmoid(x);
      case TANH -> tf.math.tanh(x);
      case LINEAR -> x;
    };
  }

  /** Parses a name case-insensitively ("relu", "ELU", ...), naming the valid values on failure. */
  public static Activation parse(String name) {
    try {
      return valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown activation '" + name + "'; expected one of relu, elu, sigmoid, tanh, linear", e);
    }
  }
}
