package org.hypercl.training;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.hypercl.graphs.MlpSpec;
import org.hypercl.graphs.TaskInference;

/**
 * HNET+TIR (von Oswald et al., 2020, §3 and Table 1): the task is inferred by a task-inference
 * network trained on the current task and on replay from a hypernetwork-protected VAE (a {@link
 * ReplayLearner} in {@link ReplayLearner.Mode#TASKS}), and the class by the hypernetwork classifier
 * of HNET ({@link Learner}, trained as for CL1 without replay, CL2's single head or CL3's head per
 * task) with the inferred task's embedding. The two never exchange data, so this learner trains
 * them task by task, one after the other: at task t the task-inference network (from t = 1), the
 * VAE (but on the last task), then the classifier; the reference trains the first two over all
 * tasks before the classifier, which gives the same networks.
 *
 * <p>Without the task id, {@link #inferTasks} reports one reading, {@code max-logit}: the
 * candidate with the largest output of the task-inference network (the reference's argmax).
 * With it, the classifier is read on the given task (the CL1 figure of the same hypernetwork).
 */
public final class HnetTirLearner implements ContinualLearner {

  private final ExperimentConfig config;
  private final ExperimentConfig tirConfig;
  private final ReplayLearner tir;
  private final Learner classifier;
  private final List<String> names = new ArrayList<>();
  private final int tirOutputs;
  private int[] phaseSteps;

  HnetTirLearner(ExperimentConfig config, int maxTrainSize) {
    this.config = config;
    this.tirConfig = taskInferenceConfig(config);
    ReplayLearner t = null;
    Learner c = null;
    boolean ok = false;
    try {
      t = new ReplayLearner(tirConfig, maxTrainSize, ReplayLearner.Mode.TASKS, config.target().outputSize());
      c = new Learner(config.withMethod(Method.HYPERNETWORK), maxTrainSize);
      ok = true;
    } finally {
      if (!ok) {
        if (t != null) {
          t.close();
        }
      }
    }
    this.tir = t;
    this.classifier = c;
    names.add("task_loss");
    names.add("regularizer");
    for (String n : tir.stepOutputNames().subList(2, tir.stepOutputNames().size())) {
      names.add("task_inference/" + n);
    }
    this.tirOutputs = names.size();
    for (String n : classifier.stepOutputNames()) {
      names.add("classifier/" + n);
    }
  }

  /**
   * The task-inference network's experiment: the classifier's hidden layers with one output per
   * task (CL3 layout, heads of size 1), the replay settings of {@code config}.
   */
  static ExperimentConfig taskInferenceConfig(ExperimentConfig config) {
    if (!(config.target() instanceof MlpSpec m)) {
      throw new IllegalArgumentException("hnet-tir infers the task with an MLP; " + config.name() + " has " + config.target());
    }
    MlpSpec spec = new MlpSpec(m.inputSize(), m.hidden(), 1, config.numTasks(), m.activation(), m.kernelOrder());
    return new ExperimentConfig(config.name() + "/task-inference", config.kind(), spec,
        config.hypernetwork().withTargetSize(spec.parameterCount()), config.numTasks(), config.settings(), Method.HNET_R,
        Scenario.CL3, TaskInference.Score.MAX_LOGIT);
  }

  /**
   * The task-inference network of {@code config}'s hnet-tir run: the classifier's hidden layers,
   * one head of one output per task ({@link #taskInferenceConfig}).
   */
  public static MlpSpec taskInferenceNetwork(ExperimentConfig config) {
    return (MlpSpec) taskInferenceConfig(config).target();
  }

  /** Parameters of the task-inference network. */
  public static long taskInferenceWeights(ExperimentConfig config) {
    return taskInferenceConfig(config).target().parameterCount();
  }

  /** Steps of task {@code task}: the task-inference network's and the VAE's, then the classifier's. */
  static int stepsOf(ExperimentConfig config, int task, int trainSize) {
    return ReplayLearner.stepsOf(config, ReplayLearner.Mode.TASKS, task, trainSize) + config.settings().iterationsFor(trainSize);
  }

  @Override
  public ExperimentConfig config() {
    return config;
  }

  @Override
  public int tasksLearned() {
    return classifier.tasksLearned();
  }

  @Override
  public void beginTask(int task, TaskData data) {
    tir.beginTask(task, data);
    classifier.beginTask(task, data);
    int first = ReplayLearner.stepsOf(config, ReplayLearner.Mode.TASKS, task, data.trainSize());
    phaseSteps = new int[] {first, config.settings().iterationsFor(data.trainSize())};
  }

  @Override
  public float[] trainStep(int task, long step) {
    float[] out = new float[names.size()];
    Arrays.fill(out, Float.NaN);
    if (step < phaseSteps[0]) {
      float[] r = tir.trainStep(task, step);
      out[0] = r[0];
      out[1] = r[1];
      System.arraycopy(r, 2, out, 2, r.length - 2);
    } else {
      float[] c = classifier.trainStep(task, step - phaseSteps[0]);
      out[0] = c[0];
      out[1] = c[1];
      System.arraycopy(c, 0, out, tirOutputs, c.length);
    }
    return out;
  }

  @Override
  public List<String> stepOutputNames() {
    return List.copyOf(names);
  }

  @Override
  public void finishTask(int task) {
    tir.finishTask(task);
    classifier.finishTask(task);
  }

  @Override
  public float[] predict(int task, float[] x, int n, int[] permutation) {
    return classifier.predict(task, x, n, permutation);
  }

  @Override
  public double evaluate(int task, TaskData data) {
    return classifier.evaluate(task, data);
  }

  @Override
  public Map<TaskInference.Score, InferredPredictions> inferTasks(float[] x, int n, int[] candidates, int[] permutation) {
    int[] tasks = tir.inferTasks(x, n, candidates, permutation).get(TaskInference.Score.MAX_LOGIT).tasks();
    int in = config.target().inputSize();
    int c = config.target().outputSize();
    int[] classes = new int[n];
    // The classifier on each inferred task's examples, one batch of evaluations per task.
    for (int task : Arrays.stream(tasks).distinct().toArray()) {
      int[] rows = java.util.stream.IntStream.range(0, n).filter(i -> tasks[i] == task).toArray();
      float[] sub = new float[rows.length * in];
      for (int i = 0; i < rows.length; i++) {
        System.arraycopy(x, rows[i] * in, sub, i * in, in);
      }
      float[] out = classifier.predict(task, sub, rows.length, permutation);
      for (int i = 0; i < rows.length; i++) {
        classes[rows[i]] = Metrics.argmax(out, i * c, c);
      }
    }
    Map<TaskInference.Score, InferredPredictions> result = new EnumMap<>(TaskInference.Score.class);
    result.put(TaskInference.Score.MAX_LOGIT, new InferredPredictions(tasks, classes));
    return result;
  }

  @Override
  public java.util.List<Picture> pictures(int task) {
    return tir.pictures(task);
  }

  /** The task-inference network's weights {@code [P]} ({@link #taskInferenceNetwork}'s layout), for an export. */
  public float[] taskInferenceWeights() {
    return tir.ownWeights().orElseThrow();
  }

  /**
   * The task-inference network's logits of the learned tasks, {@code [n, tasksLearned]} row-major,
   * for rows {@code x} as observed (no permutation applied): task t's output read on its own head,
   * as the evaluation reads one task (the softmax over them is the network's growing softmax).
   */
  public float[] taskLogits(float[] x, int n) {
    int learned = tasksLearned();
    float[] out = new float[n * learned];
    for (int t = 0; t < learned; t++) {
      float[] head = tir.predict(t, x, n, null);
      for (int i = 0; i < n; i++) {
        out[i * learned + t] = head[i];
      }
    }
    return out;
  }

  /** The VAE decoder's weights of the tasks it replays so far (its hypernetwork's output for each). */
  @Override
  public List<float[]> generatorWeights() {
    return tir.generatorWeights();
  }

  @Override
  public float[] generate(int[] tasks, float[] codes) {
    return tir.generate(tasks, codes);
  }

  /** The classifier's checkpoint beside the task-inference network's. */
  private static Path classifierPrefix(Path prefix) {
    return prefix.resolveSibling(prefix.getFileName() + "-classifier");
  }

  @Override
  public void save(Path prefix) {
    tir.save(prefix);
    classifier.save(classifierPrefix(prefix));
  }

  @Override
  public void restore(Path prefix, int learned) {
    tir.restore(prefix, learned);
    classifier.restore(classifierPrefix(prefix), learned);
  }

  /** The hypernetwork classifier (for exports of its generated weights). */
  Learner classifier() {
    return classifier;
  }

  @Override
  public void close() {
    try {
      tir.close();
    } finally {
      if (classifier != null) {
        classifier.close();
      }
    }
  }
}
