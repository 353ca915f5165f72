package org.hypercl.training;

/** What the target network predicts, which decides its loss and its test metric. */
public enum TaskKind {
  /** Real-valued outputs; loss and metric are the mean squared error. */
  REGRESSION("mse", false),
  /** Class scores per head; loss is softmax cross-entropy, metric the accuracy in percent. */
  CLASSIFICATION("accuracy", true);

  private final String metricName;
  private final boolean higherIsBetter;

  TaskKind(String metricName, boolean higherIsBetter) {
    this.metricName = metricName;
    this.higherIsBetter = higherIsBetter;
  }

  public String metricName() {
    return metricName;
  }

  public boolean higherIsBetter() {
    return higherIsBetter;
  }
}
