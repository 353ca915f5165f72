package org.hypercl.training;

import java.util.List;
import org.hypercl.data.toy.RegressionTask;
import org.hypercl.data.toy.ToyRegression;
import org.hypercl.graphs.Activation;
import org.hypercl.graphs.HypernetworkSpec;
import org.hypercl.graphs.MlpSpec;

/** The paper's experiment configurations (DESIGN.md §5), as data. */
public final class Experiments {

  private Experiments() {}

  /** Paper toy regression β (appendix C, reference code). */
  public static final float TOY_BETA = 0.005f;

  /**
   * Toy regression (Fig. 2): target MLP 1-10-10-1 with sigmoid (141 weights); full hypernetwork
   * with hidden 10,10, sigmoid, 2-D task embeddings; Adam lr 0.01, 4001 iterations per task, batch
   * 32, β = 0.005.
   */
  public static ExperimentConfig toyRegression() {
    MlpSpec target = new MlpSpec(1, new int[] {10, 10}, 1, 1, Activation.SIGMOID);
    HypernetworkSpec hnet = HypernetworkSpec.full(2, new int[] {10, 10}, Activation.SIGMOID, target.parameterCount());
    LearnerSettings settings =
        LearnerSettings.defaults().toBuilder()
            .iterations(4001)
            .batchSize(32)
            .learningRate(0.01f)
            .beta(TOY_BETA)
            .build();
    return new ExperimentConfig("toy-regression", TaskKind.REGRESSION, target, hnet, 3, settings);
  }

  /** The toy regression tasks from a data seed. */
  public static TaskSource toyTasks(long dataSeed) {
    List<RegressionTask> tasks = ToyRegression.paperTasks(dataSeed);
    return new TaskSource() {
      @Override
      public String name() {
        return "toy-regression(data-seed=" + dataSeed + ")";
      }

      @Override
      public int numTasks() {
        return tasks.size();
      }

      @Override
      public int maxTrainSize() {
        return tasks.stream().mapToInt(RegressionTask::trainSize).max().orElseThrow();
      }

      @Override
      public TaskData task(int i) {
        RegressionTask t = tasks.get(i);
        return new TaskData(t.name(), 1, 1, t.trainX(), t.trainY(), t.testX(), t.testY());
      }
    };
  }
}
