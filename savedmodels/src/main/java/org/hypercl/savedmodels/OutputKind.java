package org.hypercl.savedmodels;

import java.util.List;

/** What a target network's outputs mean, as the run's {@code config.json} field {@code kind} says. */
public enum OutputKind {
  /** Real-valued outputs; signature output {@code y}. */
  REGRESSION(List.of(Signatures.Y)),
  /** Logits over the task's head; outputs {@code logits}, {@code probabilities} (softmax), {@code classes} (argmax). */
  CLASSIFICATION(List.of(Signatures.LOGITS, Signatures.PROBABILITIES, Signatures.CLASSES));

  private final List<String> outputs;

  OutputKind(List<String> outputs) {
    this.outputs = outputs;
  }

  /** Names of the prediction outputs, in signature order. */
  public List<String> outputNames() {
    return outputs;
  }

  /** Parses {@code REGRESSION} or {@code CLASSIFICATION} (any case). */
  public static OutputKind parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown kind '" + s + "'; expected REGRESSION or CLASSIFICATION", e);
    }
  }
}
