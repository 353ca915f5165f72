package org.hypercl.tools.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.hypercl.graphs.Activation;
import org.hypercl.graphs.HypernetworkSpec;
import org.hypercl.graphs.MlpSpec;
import org.hypercl.savedmodels.ExportManifest;
import org.hypercl.savedmodels.ExportedModels;
import org.hypercl.savedmodels.HypernetworkModel;
import org.hypercl.savedmodels.TaskInference;
import org.hypercl.tools.HyperclCommand;
import org.hypercl.training.ContinualRunner;
import org.hypercl.training.ExperimentConfig;
import org.hypercl.training.Experiments;
import org.hypercl.training.Learner;
import org.hypercl.training.LearnerSettings;
import org.hypercl.training.TaskData;
import org.hypercl.training.TaskKind;
import org.hypercl.training.TaskSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Train a tiny run with the real learner, export it with {@code hypercl export}, load it, and
 * compare every model and signature with the learner's own predictions.
 */
class ExportEndToEndTest {

  @TempDir Path tmp;

  record Cli(int code, String out, String err) {}

  static Cli hypercl(String... args) {
    CommandLine cl = HyperclCommand.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Cli(code, out.toString(), err.toString());
  }

  static float[] inputs(int n, int width, long seed, double scale) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] x = new float[n * width];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) ((rng.nextDouble() * 2 - 1) * scale);
    }
    return x;
  }

  @Test
  void toyRegressionExportMatchesTheLearner() throws Exception {
    ExperimentConfig base = Experiments.toyRegression();
    ExperimentConfig config = base.withSettings(base.settings().toBuilder().iterations(200).build());
    Path runDir = tmp.resolve("toy");
    try (ContinualRunner.Outcome o = SyntheticRuns.train(config, Experiments.toyTasks(42), runDir)) {
      Learner learner = (Learner) o.learner();
      Cli export = hypercl("export", runDir.toString());
      assertThat(export.code()).as(export.err()).isZero();
      assertThat(export.out()).contains("toy-regression-task2/1").contains("largest difference");
      Path exportDir = runDir.resolve("export");

      int n = 50;
      float[] x = inputs(n, 1, 5, 4.5);
      float[] table = learner.taskEmbeddings();
      try (ExportedModels models = ExportedModels.open(exportDir)) {
        HypernetworkModel hnet = models.hypernetwork();
        ExportManifest m = models.manifest();
        assertThat(m.tasks()).extracting(ExportManifest.Task::name).hasSize(3);
        assertThat(m.provenance().has("tensorflow")).isTrue();
        for (int t = 0; t < 3; t++) {
          float[] want = learner.predict(t, x, n, null);
          float[] emb = Arrays.copyOfRange(table, t * 2, t * 2 + 2);
          assertThat(models.task(t).predict(x, n).y()).containsExactly(want, within(1e-6f));
          assertThat(hnet.predict(t, x, n).y()).containsExactly(want, within(1e-6f));
          assertThat(hnet.predictWithEmbedding(emb, 0, x, n).y()).containsExactly(want, within(1e-6f));
          assertThat(hnet.generateWeights(t).flat()).containsExactly(learner.generatedWeights(t), within(1e-6f));
          assertThat(hnet.generateWeights(emb).flat()).containsExactly(learner.generatedWeights(emb), within(1e-6f));
          assertThat(hnet.generateWeights(t).layers().get("w1")).hasSize(100);
          assertThat(m.tasks().get(t).embedding()).containsExactly(emb);
          // Single-row calls agree with the batch.
          assertThat(models.task(t).predict(new float[] {x[3]}).y()[0]).isCloseTo(want[3], within(1e-6f));
        }
        // A point between two embeddings is a valid condition too: it matches the learner's weights.
        float[] mid = {(table[0] + table[2]) / 2, (table[1] + table[3]) / 2};
        assertThat(hnet.generateWeights(mid).flat()).containsExactly(learner.generatedWeights(mid), within(1e-6f));
      }

      // predict command: CSV in, CSV out, equal to the learner.
      Path csv = tmp.resolve("x.csv");
      StringBuilder s = new StringBuilder("x\n");
      for (int i = 0; i < n; i++) {
        s.append(x[i]).append('\n');
      }
      Files.writeString(csv, s);
      Path outCsv = tmp.resolve("pred.csv");
      Cli predict = hypercl("predict", exportDir.toString(), "--task", "1", "--input", csv.toString(), "--output", outCsv.toString());
      assertThat(predict.code()).as(predict.err()).isZero();
      List<String> lines = Files.readAllLines(outCsv);
      assertThat(lines.get(0)).isEqualTo("task_id,y0");
      float[] want = learner.predict(1, x, n, null);
      for (int i = 0; i < n; i++) {
        String[] cols = lines.get(i + 1).split(",");
        assertThat(cols[0]).isEqualTo("1");
        assertThat(Float.parseFloat(cols[1])).isCloseTo(want[i], within(1e-6f));
      }
      Cli infer = hypercl("predict", exportDir.toString(), "--infer-task", "--input", csv.toString(), "--output", outCsv.toString());
      assertThat(infer.code()).isEqualTo(2);
      assertThat(infer.err()).contains("needs a classifier");
      Cli badTask = hypercl("predict", exportDir.toString(), "--task", "3", "--input", csv.toString(), "--output", outCsv.toString());
      assertThat(badTask.code()).isEqualTo(2);
      assertThat(badTask.err()).contains("--task 3").contains("0..2");
      Files.writeString(csv, "1.0\n2.0,3.0\n");
      Cli badCsv = hypercl("predict", exportDir.toString(), "--task", "0", "--input", csv.toString(), "--output", outCsv.toString());
      assertThat(badCsv.code()).isEqualTo(2);
      assertThat(badCsv.err()).contains("x.csv line 2").contains("2 values");

      // An output that cannot be written is named, with why, and nothing is left behind.
      Files.writeString(csv, "x\n1.5\n");
      Path plain = Files.writeString(tmp.resolve("plain-file"), "x");
      Cli unwritable = hypercl("predict", exportDir.toString(), "--task", "0", "--input", csv.toString(), "--output",
          plain.resolve("p.csv").toString());
      assertThat(unwritable.code()).isEqualTo(2);
      assertThat(unwritable.err()).endsWith("hypercl predict: cannot write " + plain.resolve("p.csv") + ": " + plain
          + " is in the way (a file, not a folder)" + System.lineSeparator());
      assertThat(plain).hasContent("x");

      // A second export of the same version is refused, with the folder named.
      Cli again = hypercl("export", runDir.toString());
      assertThat(again.code()).isEqualTo(2);
      assertThat(again.err()).contains("already exists");
    }
  }

  /** Three 2-class tasks of 8 features, each separable along its own direction; multi-head, chunked hnet. */
  static TaskSource classificationTasks(int perTask) {
    return new TaskSource() {
      @Override
      public String name() {
        return "synthetic-classification";
      }

      @Override
      public int numTasks() {
        return 3;
      }

      @Override
      public int maxTrainSize() {
        return perTask;
      }

      @Override
      public TaskData task(int t) {
        SplittableRandom rng = new SplittableRandom(100 + t);
        float[] x = new float[perTask * 8];
        int[] labels = new int[perTask];
        for (int i = 0; i < perTask; i++) {
          labels[i] = rng.nextInt(2);
          for (int j = 0; j < 8; j++) {
            x[i * 8 + j] = (float) (rng.nextGaussian() * 0.5);
          }
          // Task t's signal lives in features 2t and 2t+1, strongly.
          x[i * 8 + 2 * t] += labels[i] == 1 ? 3f : -3f;
          x[i * 8 + 2 * t + 1] += 3f;
        }
        float[] y = TaskData.oneHot(labels, 2);
        return new TaskData("task " + t, 8, 2, x, y, x.clone(), y.clone());
      }
    };
  }

  /** Three two-class tasks of 8 features: an MLP 8-16-2 with three heads from a small chunked hypernetwork. */
  private static ExperimentConfig tinyClassifier(String name, int iterations) {
    MlpSpec target = new MlpSpec(8, new int[] {16}, 2, 3, Activation.RELU);
    HypernetworkSpec hnet = HypernetworkSpec.chunked(4, 4, new int[] {12}, Activation.RELU, 48, target.parameterCount());
    LearnerSettings settings = LearnerSettings.defaults().toBuilder().iterations(iterations).batchSize(32).learningRate(0.01f)
        .beta(0.01f).build();
    return new ExperimentConfig(name, TaskKind.CLASSIFICATION, target, hnet, 3, settings);
  }

  /**
   * The hypernetwork model's infer_task scores by the run's score or by export --task-inference:
   * energy over each task's head, computed here from the per-task models' logits, picks the lowest;
   * the manifest names the score; predict names its columns after it; a bad score is refused.
   */
  @Test
  void inferTaskScoresByTheRunsOrTheChosenScore() throws Exception {
    ExperimentConfig config = tinyClassifier("Tiny Scores", 100);
    TaskSource source = classificationTasks(200);
    Path runDir = tmp.resolve("scores");
    try (ContinualRunner.Outcome o = SyntheticRuns.train(config, source, runDir)) {
      assertThat(o.learner()).isNotNull();
    }
    int n = 40;
    // Rows of all three tasks, so the picks differ between rows.
    float[] x = new float[3 * n * 8];
    for (int t = 0; t < 3; t++) {
      System.arraycopy(source.task(t).testX(), 0, x, t * n * 8, n * 8);
    }
    int rows = 3 * n;

    Path byEnergy = tmp.resolve("energy");
    Cli e = hypercl("export", runDir.toString(), "--out", byEnergy.toString(), "--task-inference", "energy");
    assertThat(e.code()).as(e.err()).isZero();
    try (ExportedModels models = ExportedModels.open(byEnergy)) {
      assertThat(models.manifest().inferTaskScore()).isEqualTo("energy");
      assertThat(models.manifest().hypernetworkSignatures().get("infer_task")).contains("scores", "task_id")
          .doesNotContain("entropies");
      TaskInference ti = models.hypernetwork().inferTask(x, rows);
      assertThat(ti.score()).isEqualTo("energy");
      int[] picked = new int[3];
      for (int t = 0; t < 3; t++) {
        float[] logits = models.task(t).predict(x, rows).logits();
        for (int i = 0; i < rows; i++) {
          double a = logits[i * 2];
          double b = logits[i * 2 + 1];
          double m = Math.max(a, b);
          double energy = -(m + Math.log(Math.exp(a - m) + Math.exp(b - m)));
          assertThat(ti.scores()[i * 3 + t]).isCloseTo((float) energy, within(1e-4f));
        }
      }
      for (int i = 0; i < rows; i++) {
        float min = Float.MAX_VALUE;
        for (int k = 0; k < 3; k++) {
          min = Math.min(min, ti.scores()[i * 3 + k]);
        }
        assertThat(ti.scores()[i * 3 + ti.taskIds()[i]]).isEqualTo(min);
        picked[ti.taskIds()[i]]++;
      }
      assertThat(Arrays.stream(picked).min().getAsInt()).as("fewest picks of a task, %s", Arrays.toString(picked)).isPositive();
    }
    Path csv = tmp.resolve("rows.csv");
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      for (int j = 0; j < 8; j++) {
        sb.append(j > 0 ? "," : "").append(x[i * 8 + j]);
      }
      sb.append('\n');
    }
    Files.writeString(csv, sb);
    Path out = tmp.resolve("energy.csv");
    Cli p = hypercl("predict", byEnergy.toString(), "--infer-task", "--input", csv.toString(), "--output", out.toString());
    assertThat(p.code()).as(p.err()).isZero();
    assertThat(Files.readAllLines(out).get(0)).isEqualTo("task_id,class,probability_0,probability_1,energy_0,energy_1,energy_2");
    assertThat(p.out()).contains("tasks inferred by energy");

    // Without the flag: the run's own score, from config.json.
    Path configFile = runDir.resolve("config.json");
    String json = Files.readString(configFile);
    assertThat(json).contains("\"taskInference\" : \"entropy\"");
    Files.writeString(configFile, json.replace("\"taskInference\" : \"entropy\"", "\"taskInference\" : \"max-softmax\""));
    Path byRun = tmp.resolve("run-score");
    Cli r = hypercl("export", runDir.toString(), "--out", byRun.toString());
    assertThat(r.code()).as(r.err()).isZero();
    try (ExportedModels models = ExportedModels.open(byRun)) {
      assertThat(models.manifest().inferTaskScore()).isEqualTo("max-softmax");
      TaskInference ti = models.hypernetwork().inferTask(x, rows);
      float[] probs = models.task(1).predict(x, rows).probabilities();
      for (int i = 0; i < rows; i++) {
        assertThat(ti.scores()[i * 3 + 1]).isCloseTo(-Math.max(probs[i * 2], probs[i * 2 + 1]), within(1e-5f));
      }
    }

    Cli bad = hypercl("export", runDir.toString(), "--out", tmp.resolve("bad").toString(), "--task-inference", "margin");
    assertThat(bad.code()).isNotZero();
    assertThat(bad.err()).contains("--task-inference").contains("margin").contains("energy");
    assertThat(tmp.resolve("bad")).doesNotExist();
    Files.writeString(configFile, json.replace("\"taskInference\" : \"entropy\"", "\"taskInference\" : \"guess\""));
    Cli broken = hypercl("export", runDir.toString(), "--out", tmp.resolve("broken").toString());
    assertThat(broken.code()).isNotZero();
    assertThat(broken.err()).contains("config.json").contains("taskInference").contains("guess");
    assertThat(tmp.resolve("broken")).doesNotExist();
  }

  @Test
  void classificationExportInfersTasksAndPredicts() throws Exception {
    ExperimentConfig config = tinyClassifier("Tiny Classes", 150);
    TaskSource source = classificationTasks(300);
    Path runDir = tmp.resolve("cls");
    try (ContinualRunner.Outcome o = SyntheticRuns.train(config, source, runDir)) {
      Learner learner = (Learner) o.learner();
      Path exportDir = tmp.resolve("served");
      Cli export = hypercl("export", runDir.toString(), "--out", exportDir.toString(), "--version", "3");
      assertThat(export.code()).as(export.err()).isZero();
      assertThat(exportDir.resolve("tiny-classes-hnet/3/saved_model.pb")).isRegularFile();

      int n = 30;
      try (ExportedModels models = ExportedModels.open(exportDir)) {
        // By default the run's score, entropy; the output keeps its old name beside 'scores'.
        assertThat(models.manifest().inferTaskScore()).isEqualTo("entropy");
        assertThat(models.manifest().hypernetworkSignatures().get("infer_task")).contains("scores", "entropies", "task_id");
        float[] table = learner.taskEmbeddings();
        for (int t = 0; t < 3; t++) {
          float[] x = Arrays.copyOf(source.task(t).testX(), n * 8);
          float[] want = learner.predict(t, x, n, null);
          assertThat(models.task(t).predict(x, n).logits()).containsExactly(want, within(1e-5f));
          assertThat(models.hypernetwork().predict(t, x, n).logits()).containsExactly(want, within(1e-5f));
          float[] emb = Arrays.copyOfRange(table, t * 4, t * 4 + 4);
          assertThat(models.hypernetwork().predictWithEmbedding(emb, t, x, n).logits()).containsExactly(want, within(1e-5f));
          // Entropy inference on the task's own inputs: its entropies agree with the task model's
          // own softmax, and the chosen task has the lowest.
          TaskInference ti = models.hypernetwork().inferTask(x, n);
          float[] probs = models.task(t).predict(x, n).probabilities();
          for (int i = 0; i < n; i++) {
            double h = 0;
            for (int c = 0; c < 2; c++) {
              double p = probs[i * 2 + c];
              h -= p > 0 ? p * Math.log(p) : 0;
            }
            assertThat(ti.scores()[i * 3 + t]).isCloseTo((float) h, within(1e-4f));
            float min = Float.MAX_VALUE;
            for (int k = 0; k < 3; k++) {
              min = Math.min(min, ti.scores()[i * 3 + k]);
            }
            assertThat(ti.scores()[i * 3 + ti.taskIds()[i]]).isEqualTo(min);
          }
        }
      }

      // predict --infer-task writes task ids, classes, probabilities and entropies.
      Path csv = tmp.resolve("in.csv");
      float[] x = Arrays.copyOf(source.task(2).testX(), n * 8);
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < 8; j++) {
          s.append(j > 0 ? "," : "").append(x[i * 8 + j]);
        }
        s.append('\n');
      }
      Files.writeString(csv, s);
      Path out = tmp.resolve("out.csv");
      Cli p = hypercl("predict", exportDir.toString(), "--infer-task", "--input", csv.toString(), "--output", out.toString());
      assertThat(p.code()).as(p.err()).isZero();
      List<String> lines = Files.readAllLines(out);
      assertThat(lines.get(0)).isEqualTo("task_id,class,probability_0,probability_1,entropy_0,entropy_1,entropy_2");
      assertThat(lines).hasSize(n + 1);
      try (ExportedModels models = ExportedModels.open(exportDir)) {
        TaskInference ti = models.hypernetwork().inferTask(x, n);
        for (int i = 0; i < n; i++) {
          String[] cols = lines.get(i + 1).split(",");
          int task = Integer.parseInt(cols[0]);
          assertThat(task).isEqualTo(ti.taskIds()[i]);
          float[] row = Arrays.copyOfRange(x, i * 8, i * 8 + 8);
          assertThat(Integer.parseInt(cols[1])).isEqualTo(models.task(task).predict(row).classes()[0]);
        }
      }
    }
  }

  /**
   * Two 2-class tasks over the same 12 Gaussian base inputs: task 0 unpermuted, task 1 through a
   * permutation of its own, each labelled by a random hyperplane on the inputs as it sees them.
   */
  static TaskSource permutedTasks(int perTask, int[] permutation) {
    return new TaskSource() {
      @Override
      public String name() {
        return "synthetic-permuted";
      }

      @Override
      public int numTasks() {
        return 2;
      }

      @Override
      public int maxTrainSize() {
        return perTask;
      }

      @Override
      public TaskData task(int t) {
        SplittableRandom rng = new SplittableRandom(7);
        float[] x = new float[perTask * 12];
        for (int i = 0; i < x.length; i++) {
          x[i] = (float) rng.nextGaussian();
        }
        int[] perm = t == 0 ? null : permutation;
        SplittableRandom planes = new SplittableRandom(50 + t);
        double[] plane = new double[12];
        for (int j = 0; j < 12; j++) {
          plane[j] = planes.nextGaussian();
        }
        int[] labels = new int[perTask];
        for (int i = 0; i < perTask; i++) {
          double dot = 0;
          for (int j = 0; j < 12; j++) {
            dot += plane[j] * x[i * 12 + (perm == null ? j : perm[j])];
          }
          labels[i] = dot > 0 ? 1 : 0;
        }
        float[] y = TaskData.oneHot(labels, 2);
        return new TaskData("task " + t, 12, 2, x, y, x.clone(), y.clone(), perm);
      }
    };
  }

  @Test
  void permutedTasksExportTakeRawInputs() throws Exception {
    int[] perm = {11, 3, 7, 0, 9, 1, 5, 10, 2, 8, 4, 6};
    MlpSpec target = new MlpSpec(12, new int[] {16}, 2, 2, Activation.RELU);
    HypernetworkSpec hnet = HypernetworkSpec.chunked(4, 4, new int[] {12}, Activation.RELU, 64, target.parameterCount());
    LearnerSettings settings = LearnerSettings.defaults().toBuilder().iterations(100).batchSize(32).learningRate(0.01f)
        .beta(0.01f).build();
    ExperimentConfig config = new ExperimentConfig("Tiny Permuted", TaskKind.CLASSIFICATION, target, hnet, 2, settings);
    TaskSource source = permutedTasks(200, perm);
    Path runDir = tmp.resolve("perm");
    try (ContinualRunner.Outcome o = SyntheticRuns.train(config, source, runDir)) {
      Learner learner = (Learner) o.learner();
      assertThat(runDir.resolve("tasks.json")).isRegularFile();
      Cli export = hypercl("export", runDir.toString());
      assertThat(export.code()).as(export.err()).isZero();
      assertThat(export.out()).contains("applies the task's permutation");

      int n = 40;
      float[] raw = inputs(n, 12, 9, 2.0);
      float[] table = learner.taskEmbeddings();
      try (ExportedModels models = ExportedModels.open(runDir.resolve("export"))) {
        assertThat(models.manifest().tasks()).extracting(ExportManifest.Task::permutedInputs).containsExactly(false, true);
        TaskInference inferred = models.hypernetwork().inferTask(raw, n);
        for (int t = 0; t < 2; t++) {
          int[] p = source.task(t).permutation();
          float[] want = learner.predict(t, raw, n, p);
          assertThat(models.task(t).predict(raw, n).logits()).as("task model %d", t).containsExactly(want, within(1e-5f));
          assertThat(models.hypernetwork().predict(t, raw, n).logits()).as("predict %d", t)
              .containsExactly(want, within(1e-5f));
          // predict_with_embedding takes the rows the target network sees: permuted by the caller.
          float[] seen = p == null ? raw : permute(raw, n, p);
          float[] emb = Arrays.copyOfRange(table, t * 4, t * 4 + 4);
          assertThat(models.hypernetwork().predictWithEmbedding(emb, t, seen, n).logits())
              .as("predict_with_embedding %d", t).containsExactly(want, within(1e-5f));
          // infer_task takes the rows as observed: every task's network sees them as given.
          float[] probs = models.hypernetwork().predictWithEmbedding(emb, t, raw, n).probabilities();
          for (int i = 0; i < n; i++) {
            double h = 0;
            for (int c = 0; c < 2; c++) {
              double q = probs[i * 2 + c];
              h -= q > 0 ? q * Math.log(q) : 0;
            }
            assertThat(inferred.scores()[i * 2 + t]).isCloseTo((float) h, within(1e-4f));
          }
        }
        // Task 1 on raw rows is not task 1 on unpermuted rows: the permutation is really applied.
        assertThat(models.task(1).predict(raw, n).logits()).isNotEqualTo(learner.predict(1, raw, n, null));
      }
    }
  }

  private static float[] permute(float[] x, int n, int[] perm) {
    float[] out = new float[x.length];
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < perm.length; j++) {
        out[r * perm.length + j] = x[r * perm.length + perm[j]];
      }
    }
    return out;
  }

  @Test
  void everyCommandExplainsItself() {
    for (String c : List.of("export", "predict", "serve", "bench-serving")) {
      Cli help = hypercl(c, "--help");
      assertThat(help.code()).as(c + ": " + help.err()).isZero();
      assertThat(help.out()).contains("Usage: hypercl " + c);
    }
    Cli missing = hypercl("export", tmp.resolve("nope").toString());
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("nope").contains("does not exist");
  }
}
