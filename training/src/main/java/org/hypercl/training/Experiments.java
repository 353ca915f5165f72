package org.hypercl.training;

import java.util.List;
import org.hypercl.data.toy.RegressionTask;
import org.hypercl.data.toy.ToyRegression;
import org.hypercl.graphs.Activation;
import org.hypercl.graphs.HypernetworkSpec;
import org.hypercl.graphs.MlpSpec;
import org.hypercl.graphs.ResNetSpec;
import org.hypercl.graphs.ZenkeNetSpec;

/** The paper's experiment configurations (docs/experiments.md), as data. */
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

  /** Names accepted by {@link #byName}. */
  public static final java.util.List<String> NAMES =
      java.util.List.of("toy-regression", "split-mnist", "split-mnist-classes", "permuted-mnist-10", "permuted-mnist-100", "permuted-mnist-250",
          "split-cifar-resnet32", "split-cifar-zenkenet");

  /** An experiment by name: one of {@link #NAMES}. */
  public static ExperimentConfig byName(String name) {
    return switch (name) {
      case "toy-regression" -> toyRegression();
      case "split-mnist" -> splitMnist();
      case "split-mnist-classes" -> splitMnistClasses();
      case "permuted-mnist-10" -> permutedMnist(10);
      case "permuted-mnist-100" -> permutedMnist(100);
      case "permuted-mnist-250" -> permutedMnist(250);
      case "split-cifar-resnet32" -> splitCifarResNet32();
      case "split-cifar-zenkenet" -> splitCifarZenkeNet();
      default -> throw new IllegalArgumentException("unknown experiment '" + name + "'; known: " + String.join(", ", NAMES));
    };
  }

  /**
   * SplitMNIST, CL1 (docs/experiments.md): target MLP 784-400-400 with five heads of 2 (478,410
   * weights); chunked hypernetwork hidden 10,10, ReLU, chunks of 42,000, d_e = d_c = 96 (465,192
   * weights); 2000 iterations per task, Adam lr 0.001, batch 128, β = 0.01.
   */
  public static ExperimentConfig splitMnist() {
    MlpSpec target = new MlpSpec(784, new int[] {400, 400}, 2, 5, Activation.RELU);
    HypernetworkSpec hnet = HypernetworkSpec.chunked(96, 96, new int[] {10, 10}, Activation.RELU, 42_000, target.parameterCount());
    LearnerSettings settings =
        LearnerSettings.defaults().toBuilder().iterations(2000).batchSize(128).learningRate(0.001f).beta(0.01f).build();
    return new ExperimentConfig("split-mnist", TaskKind.CLASSIFICATION, target, hnet, 5, settings);
  }

  /**
   * Class-incremental SplitMNIST (the paper's Fig. A8), for the replay methods: ten tasks of one
   * class, a classifier 784-400-400 with one output per class read as one growing softmax (CL3), the
   * replay model of SplitMNIST's HNET+R replaying every class learned so far; 2000 steps per task
   * for the classifier and for the VAE. The hypernetwork spec is SplitMNIST's (it serves a
   * hypernetwork classifier, which a single output per task cannot train).
   */
  public static ExperimentConfig splitMnistClasses() {
    MlpSpec target = new MlpSpec(784, new int[] {400, 400}, 1, 10, Activation.RELU);
    HypernetworkSpec hnet = HypernetworkSpec.chunked(96, 96, new int[] {10, 10}, Activation.RELU, 42_000, target.parameterCount());
    LearnerSettings settings =
        LearnerSettings.defaults().toBuilder().iterations(2000).batchSize(128).learningRate(0.001f).beta(0.01f).build();
    return new ExperimentConfig("split-mnist-classes", TaskKind.CLASSIFICATION, target, hnet, 10, settings, Method.HNET_R,
        Scenario.CL3, Method.HNET_R.defaultTaskInference(Scenario.CL3));
  }

  /**
   * PermutedMNIST-N, CL1 (docs/experiments.md): target MLP 1024-1000-1000 with one head of 10 per
   * task (2,126,100 weights for N = 10); 5000 iterations per task, Adam lr 0.0001, batch 128,
   * β = 0.01.
   * N = 10: chunked hypernetwork hidden 25,25, ELU, chunks of 78,000, d_e = 24, d_c = 8.
   * N = 100 and 250: hidden 200,250,350, ReLU, chunks of 7,500 (12,000 for 250), d_e = 128,
   * d_c = 12; for 250 the stochastic regularizer with K = 32.
   */
  public static ExperimentConfig permutedMnist(int numTasks) {
    if (numTasks <= 0) {
      throw new IllegalArgumentException("PermutedMNIST needs at least one task, got " + numTasks);
    }
    MlpSpec target = new MlpSpec(1024, new int[] {1000, 1000}, 10, numTasks, Activation.RELU);
    long p = target.parameterCount();
    HypernetworkSpec hnet =
        numTasks <= 10
            ? HypernetworkSpec.chunked(24, 8, new int[] {25, 25}, Activation.ELU, 78_000, p)
            : HypernetworkSpec.chunked(128, 12, new int[] {200, 250, 350}, Activation.RELU, numTasks > 100 ? 12_000 : 7_500, p);
    LearnerSettings settings =
        LearnerSettings.defaults().toBuilder()
            .iterations(5000)
            .batchSize(128)
            .learningRate(0.0001f)
            .beta(0.01f)
            .regularizerTasks(numTasks > 100 ? 32 : 0)
            .baselines(baselineDefaults("permuted-mnist", Scenario.CL1))
            .replay(LearnerSettings.Replay.permutedMnist())
            .build();
    return new ExperimentConfig("permuted-mnist-" + numTasks, TaskKind.CLASSIFICATION, target, hnet, numTasks, settings);
  }

  /**
   * The baselines' strengths as their source (van de Ven and Tolias, {@code param_values.py}) sets
   * them for SplitMNIST and PermutedMNIST in its task-incremental (CL1), domain-incremental (CL2)
   * and class-incremental (CL3) scenarios; other experiments get {@link LearnerSettings.Baselines#defaults}.
   */
  public static LearnerSettings.Baselines baselineDefaults(String experiment, Scenario scenario) {
    boolean split = experiment.startsWith("split-mnist");
    boolean permuted = experiment.startsWith("permuted-mnist");
    if (!split && !permuted) {
      return LearnerSettings.Baselines.defaults();
    }
    float xi = org.hypercl.graphs.SiPenalty.XI_DEFAULT;
    return switch (scenario) {
      case CL1 -> split ? new LearnerSettings.Baselines(1e7f, 1e8f, 0.8f, 50f, xi, false, 0)
          : new LearnerSettings.Baselines(500f, 500f, 0.8f, 5f, xi, false, 0);
      case CL2 -> split ? new LearnerSettings.Baselines(1e6f, 1e8f, 0.7f, 500f, xi, false, 0)
          : new LearnerSettings.Baselines(500f, 1000f, 0.9f, 5f, xi, false, 0);
      case CL3 -> split ? new LearnerSettings.Baselines(1e8f, 1e9f, 0.8f, 0.5f, xi, false, 0)
          : new LearnerSettings.Baselines(1f, 5f, 1f, 0.1f, xi, false, 0);
    };
  }

  /**
   * {@code c} with the reference's HNET+TIR decoder (SplitMNIST 50,150; PermutedMNIST 1000,1000)
   * where its replay model still has the experiment's HNET+R decoder (250,350; 400,400); a decoder
   * chosen otherwise is kept.
   */
  public static ExperimentConfig withTirDecoder(ExperimentConfig c) {
    LearnerSettings.Replay r = c.settings().replay();
    List<Integer> tir;
    if (r.decoderHidden().equals(LearnerSettings.Replay.splitMnist().decoderHidden()) && c.name().startsWith("split-mnist")) {
      tir = List.of(50, 150);
    } else if (r.decoderHidden().equals(LearnerSettings.Replay.permutedMnist().decoderHidden()) && c.name().startsWith("permuted-mnist")) {
      tir = List.of(1000, 1000);
    } else {
      return c;
    }
    return c.withSettings(c.settings().toBuilder().replay(r.withDecoderHidden(tir)).build());
  }

  /** Tasks of Split CIFAR-10/100: CIFAR-10, then five tasks of ten CIFAR-100 classes. */
  public static final int SPLIT_CIFAR_TASKS = 6;

  /**
   * The task sequence an experiment trains on ({@code toy-regression}, {@code split-mnist},
   * {@code permuted-mnist-N}, {@code split-cifar-10-100}): the experiment's name, but for the
   * Split CIFAR experiments, which share one sequence and differ in the target network and in how
   * pixels are encoded (as the reference: ImageNet's mean and deviation for ResNet-32, pixels / 255
   * for the ZenkeNet).
   */
  public static String sequenceOf(String experiment) {
    if (experiment.startsWith("split-cifar-resnet32")) {
      return "split-cifar-10-100-imagenet";
    }
    if (experiment.startsWith("split-cifar-zenkenet")) {
      return "split-cifar-10-100-unit";
    }
    return experiment.startsWith("split-cifar-") ? "split-cifar-10-100" : experiment;
  }

  /**
   * Split CIFAR-10/100 with ResNet-32 (docs/experiments.md): six heads of 10 (468,540 weights,
   * batch-norm scales and shifts included, running statistics per task); chunked hypernetwork
   * without hidden layers, chunks of 7,000, d_e = d_c = 32 (457,144 weights); 200 epochs per task,
   * batch 32, Adam lr 0.001, β = 0.05 (the reference code's), random crop (padding 4) and flip of
   * the training batches, the reference's step schedule of the learning rate
   * ({@link LearnerSettings.LrSchedule#RESNET_STEPS}); each past task's regularizer term leaves out
   * the other tasks' heads, as the reference's CIFAR code.
   */
  public static ExperimentConfig splitCifarResNet32() {
    ResNetSpec target = ResNetSpec.resnet32(SPLIT_CIFAR_TASKS, 10);
    HypernetworkSpec hnet = HypernetworkSpec.chunked(32, 32, new int[0], Activation.RELU, 7_000, target.parameterCount());
    LearnerSettings settings = LearnerSettings.defaults().toBuilder()
        .epochs(200).batchSize(32).learningRate(0.001f).beta(0.05f).augment(true)
        .lrSchedule(LearnerSettings.LrSchedule.RESNET_STEPS).evalBatchSize(500).maskOtherHeads(true).build();
    return new ExperimentConfig("split-cifar-resnet32", TaskKind.CLASSIFICATION, target, hnet, SPLIT_CIFAR_TASKS, settings);
  }

  /**
   * Split CIFAR-10/100 with the ZenkeNet (docs/experiments.md): six heads of 10 (1,276,508
   * weights); chunked hypernetwork hidden 100,150,200, ReLU, chunks of 5,500, d_e = 48, d_c = 80
   * (1,182,390 weights); 80 epochs per task, batch 256, Adam lr 0.0001 with β1 = 0.5, β = 0.01;
   * other heads left out of the regularizer, as for ResNet-32.
   */
  public static ExperimentConfig splitCifarZenkeNet() {
    ZenkeNetSpec target = new ZenkeNetSpec(SPLIT_CIFAR_TASKS, 10);
    HypernetworkSpec hnet = HypernetworkSpec.chunked(48, 80, new int[] {100, 150, 200}, Activation.RELU, 5_500, target.parameterCount());
    LearnerSettings settings = LearnerSettings.defaults().toBuilder()
        .epochs(80).batchSize(256).learningRate(0.0001f).adamBeta1(0.5f).beta(0.01f).evalBatchSize(500).maskOtherHeads(true)
        .build();
    return new ExperimentConfig("split-cifar-zenkenet", TaskKind.CLASSIFICATION, target, hnet, SPLIT_CIFAR_TASKS, settings);
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
