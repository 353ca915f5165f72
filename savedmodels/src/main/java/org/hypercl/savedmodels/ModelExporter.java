package org.hypercl.savedmodels;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.hypercl.graphs.MlpSpec;
import org.hypercl.graphs.TargetSpec;
import org.hypercl.graphs.TempFiles;
import org.hypercl.graphs.Tensors;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.TensorFlow;
import org.tensorflow.types.TInt32;

/**
 * Exports a run (docs/design.md, SavedModel export): one SavedModel per learned task with its
 * generated weights baked in, one hypernetwork SavedModel, and {@code manifest.json}, in TF
 * Serving's layout:
 *
 * <pre>
 *   OUT/manifest.json
 *   OUT/&lt;name&gt;-task0/&lt;version&gt;/saved_model.pb, variables/
 *   ...
 *   OUT/&lt;name&gt;-hnet/&lt;version&gt;/saved_model.pb, variables/
 *   OUT/&lt;name&gt;-generator/&lt;version&gt;/...        (HNET+TIR: the VAE decoder)
 *   OUT/&lt;name&gt;-task-inference/&lt;version&gt;/...   (HNET+TIR: the task-inference network)
 * </pre>
 *
 * Everything is written to a staging folder, loaded back and compared with the checkpoint-restored
 * graph on a sample (every signature, every task); only then is it published by renames. A failure
 * at any point leaves the export folder as it was.
 *
 * <pre>{@code
 * ExportResult r = ModelExporter.export(Path.of("runs/demo/hnet"), ExportOptions.defaults());
 * }</pre>
 */
public final class ModelExporter {

  private ModelExporter() {}

  /** {@code RUN_DIR/export}: where an export goes unless told otherwise. */
  public static Path defaultOut(Path runDir) {
    return runDir.resolve("export");
  }

  /**
   * The version after the highest numeric version folder of any model in {@code out}, or
   * {@value ExportOptions#VERSION_DEFAULT} when {@code out} has none (or does not exist): a new
   * export there never collides with an earlier one, and TF Serving serves it as the newest.
   */
  public static long nextVersion(Path out) {
    long max = 0;
    if (!Files.isDirectory(out)) {
      return ExportOptions.VERSION_DEFAULT;
    }
    try (var models = Files.list(out)) {
      for (Path m : models.filter(Files::isDirectory).toList()) {
        try (var versions = Files.list(m)) {
          for (Path v : versions.toList()) {
            String n = v.getFileName().toString();
            if (n.matches("[0-9]{1,18}")) {
              max = Math.max(max, Long.parseLong(n));
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the versions in " + out + ": " + e.getMessage(), e);
    }
    return Math.max(ExportOptions.VERSION_DEFAULT, max + 1);
  }

  /**
   * Exports the latest checkpoint of the hypernetwork run in {@code runDir}. An HNET+TIR run is
   * refused: its export also needs the task-inference network and the decoder, which only its
   * learner restores ({@link #exportHnetTir}, what {@code hypercl export} calls).
   */
  public static ExportResult export(Path runDir, ExportOptions options) {
    return export(runDir, options, null, staging -> {});
  }

  /**
   * As {@link #export(Path, ExportOptions)}, calling {@code afterWrite} with the staging folder
   * once every model is written and before verification (tests use it to interrupt or corrupt).
   */
  static ExportResult export(Path runDir, ExportOptions options, Consumer<Path> afterWrite) {
    return export(runDir, options, null, afterWrite);
  }

  /**
   * The run's own computation of its task-inference network, which the exported model is checked
   * against: the restored learner, not the export's graph.
   */
  public interface TaskInferenceReference {
    /** The network's outputs of the learned tasks for rows {@code x} as observed, {@code [n, tasksLearned]} row-major. */
    float[] logits(float[] x, int n);

    /** The task the learner picks for each row at test time, {@code [n]}. */
    int[] pick(float[] x, int n);
  }

  /**
   * What the export of an HNET+TIR run takes from its restored learner besides the classifier's
   * checkpoint, which {@link #export} reads itself.
   *
   * @param tasksLearned tasks learned at the restored checkpoint (must be the checkpoint's)
   * @param taskInference the task-inference MLP (one output per task head)
   * @param taskInferenceWeights its weights {@code [P]}
   * @param reference the learner's own task inference, for the verification
   * @param decoder the VAE decoder
   * @param latentDim the decoder's latent size
   * @param decoderWeights the decoder's weights of each task it replays so far (empty: no generator model)
   * @param tanhOutput a GAN generator's tanh output; false: a VAE decoder's sigmoid
   */
  public record HnetTirParts(int tasksLearned, MlpSpec taskInference, float[] taskInferenceWeights,
      TaskInferenceReference reference, MlpSpec decoder, int latentDim, List<float[]> decoderWeights, boolean tanhOutput) {
    public HnetTirParts {
      java.util.Objects.requireNonNull(taskInference, "taskInference");
      java.util.Objects.requireNonNull(taskInferenceWeights, "taskInferenceWeights");
      java.util.Objects.requireNonNull(reference, "reference");
      decoderWeights = List.copyOf(decoderWeights);
    }
  }

  /**
   * Exports the latest checkpoint of an HNET+TIR run: its hypernetwork classifier as {@link
   * #export} does (per-task models and the hypernetwork model, from the classifier's checkpoint),
   * the VAE decoder's generator model ({@link Signatures#GENERATE}) and the task-inference model
   * ({@code task_scores}, {@code task_id}), each verified before anything is published.
   */
  public static ExportResult exportHnetTir(Path runDir, ExportOptions options, HnetTirParts parts) {
    return export(runDir, options, java.util.Objects.requireNonNull(parts, "parts"), staging -> {});
  }

  static ExportResult export(Path runDir, ExportOptions options, HnetTirParts tir, Consumer<Path> afterWrite) {
    RunCheckpoint run = RunCheckpoint.read(runDir);
    Path configFile = run.runDir().resolve(RunCheckpoint.CONFIG);
    boolean isTir = run.method().equals("HNET_TIR");
    if (isTir && tir == null) {
      throw new IllegalArgumentException(configFile + ": method is HNET_TIR, whose export also holds the task-inference "
          + "network and the replay decoder, which only the run's learner restores: export it with hypercl export "
          + "(ModelExporter.exportHnetTir)");
    }
    if (!isTir && tir != null) {
      throw new IllegalArgumentException(configFile + ": method is " + run.method() + ", not HNET_TIR; it has no "
          + "task-inference network to export");
    }
    if (tir != null && tir.tasksLearned() != run.tasksLearned()) {
      throw new IllegalArgumentException("run " + runDir + ": the task-inference network was restored with "
          + tir.tasksLearned() + " learned tasks, the checkpoint " + run.checkpointPrefix().getParent() + " has "
          + run.tasksLearned());
    }
    if (tir != null && (run.target().inputShape().length != 1 || tir.taskInference().inputSize() != run.target().inputSize())) {
      throw new IllegalArgumentException("run " + runDir + ": the task-inference network takes " + tir.taskInference().inputSize()
          + " inputs, the classifier " + java.util.Arrays.toString(run.target().inputShape()) + "; both must take the same flat rows");
    }
    Path out = (options.out() != null ? options.out() : defaultOut(runDir)).toAbsolutePath().normalize();
    String name = options.modelName() != null ? options.modelName() : ModelNames.fromExperiment(run.experiment());
    String version = Long.toString(options.version());
    List<String> models = new ArrayList<>();
    for (int t = 0; t < run.tasksLearned(); t++) {
      models.add(ModelNames.task(name, t));
    }
    models.add(ModelNames.hypernetwork(name));
    boolean generator = tir != null && !tir.decoderWeights().isEmpty();
    String generatorModel = generator ? ModelNames.generator(name) : null;
    String taskInferenceModel = tir != null ? ModelNames.taskInference(name) : null;
    if (generator) {
      models.add(generatorModel);
    }
    if (tir != null) {
      models.add(taskInferenceModel);
    }
    if (options.taskInference() != null && !HypernetworkGraph.hasInferTask(run)) {
      throw new IllegalArgumentException("a task-inference score was given, but the hypernetwork model of run " + runDir
          + " has no infer_task (it needs a classifier whose target network runs every candidate task in one pass; "
          + "this run's is " + run.kind().name().toLowerCase(java.util.Locale.ROOT) + ", " + run.target().network() + ")");
    }
    refuseExisting(out, models, version);

    boolean fresh = !Files.exists(out);
    Path staging = createStaging(out, fresh);
    try (HypernetworkGraph reference = HypernetworkGraph.restore(run, options.taskInference());
        GeneratorGraph gen = generator
            ? new GeneratorGraph(tir.decoder(), tir.decoderWeights(), tir.latentDim(), tir.tanhOutput()) : null;
        TaskInferenceGraph inf = tir != null
            ? new TaskInferenceGraph(tir.taskInference(), tir.taskInferenceWeights(), run.tasksLearned()) : null) {
      List<Path> staged = new ArrayList<>();
      for (int t = 0; t < run.tasksLearned(); t++) {
        Path dir = staging.resolve(models.get(t)).resolve(version);
        int head = run.target().numHeads() > 1 ? t : 0;
        try (TaskModelGraph g = new TaskModelGraph(run.target(), run.kind(), reference.generatedWeights(t), head,
            run.permutations().get(t), reference.stateOf(t))) {
          write(dir, g.session(), List.of(g.signature()));
        }
        staged.add(dir);
      }
      Path hnetDir = staging.resolve(ModelNames.hypernetwork(name)).resolve(version);
      write(hnetDir, reference.session(), reference.signatures());
      staged.add(hnetDir);
      Path genDir = generator ? staging.resolve(generatorModel).resolve(version) : null;
      if (gen != null) {
        write(genDir, gen.session(), gen.signatures());
      }
      Path infDir = tir != null ? staging.resolve(taskInferenceModel).resolve(version) : null;
      if (inf != null) {
        write(infDir, inf.session(), inf.signatures());
      }

      afterWrite.accept(staging);
      double maxDiff = verify(reference, staged, options);
      Map<String, Object> generatorInfo = null;
      Map<String, Object> taskInferenceInfo = null;
      if (gen != null) {
        maxDiff = Math.max(maxDiff, verifyGenerator(genDir, gen, tir.decoderWeights().size(), tir.latentDim(), options));
        generatorInfo = generatorInfo(tir.decoder(), tir.decoderWeights().size(), tir.latentDim(), tir.tanhOutput());
      }
      if (inf != null) {
        maxDiff = Math.max(maxDiff, verifyTaskInference(infDir, inf, tir.reference(), run.tasksLearned(),
            tir.taskInference().inputSize(), options));
        taskInferenceInfo = taskInferenceInfo(run, tir.taskInference(), inf);
      }

      ExportManifest manifest = manifest(run, reference, name, options, maxDiff, out, generatorModel, generatorInfo,
          taskInferenceModel, taskInferenceInfo);
      manifest.write(staging);
      deleteQuietlyOrFail(staging.resolve(OWNER_FILE));
      List<Path> published = publish(staging, out, fresh, models, version);
      return new ExportResult(out, published, manifest, maxDiff);
    } finally {
      deleteQuietlyOrFail(staging);
    }
  }

  /** Checks that no model's version folder exists yet in {@code out} (which must be a folder if it exists). */
  private static void refuseExisting(Path out, List<String> models, String version) {
    for (String m : models) {
      if (Files.exists(out.resolve(m).resolve(version))) {
        throw new IllegalArgumentException(
            out.resolve(m).resolve(version) + " already exists; export under another --version or --out");
      }
    }
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new IllegalArgumentException("export folder " + out + " exists and is not a folder");
    }
  }

  /** A fresh staging folder beside (or, for an existing export, inside) {@code out}, owned by this process. */
  private static Path createStaging(Path out, boolean fresh) {
    try {
      Path parent = fresh ? out.getParent() : out;
      Files.createDirectories(parent);
      removeStaleStaging(parent, "." + out.getFileName() + ".staging-");
      Path staging = TempFiles.createDirectory(parent, "." + out.getFileName() + ".staging-");
      // Whose it is: a later export removes it if that process is gone (killed mid-export).
      Files.writeString(staging.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
      return staging;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the export " + out + ": " + reason(e), e);
    }
  }

  /**
   * What the export of a run whose classifier has its own weights (the baselines, the replay
   * methods) takes from the restored learner.
   *
   * @param classifier the classifier's weights {@code [P]}, the same for every task (each task
   *     model reads its own head)
   * @param decoder the replay decoder, or null for a run without a generator
   * @param latentDim the decoder's latent size
   * @param decoderWeights the decoder's weights of each task it replays (empty without a generator)
   * @param tanhOutput a GAN generator's tanh output, mapped to [0, 1]; false: a VAE decoder's sigmoid
   */
  public record OwnWeights(float[] classifier, MlpSpec decoder, int latentDim, List<float[]> decoderWeights, boolean tanhOutput) {
    public OwnWeights {
      decoderWeights = List.copyOf(decoderWeights);
    }
  }

  /**
   * Exports the latest checkpoint of a run whose classifier has its own weights: a model per
   * learned task with the classifier's weights baked in, and for a replay run the generator model
   * ({@link Signatures#GENERATE}); no hypernetwork model. Staged, verified against the unexported
   * graphs and published as {@link #export} does.
   */
  public static ExportResult exportOwnWeights(Path runDir, ExportOptions options, OwnWeights weights) {
    RunCheckpoint run = RunCheckpoint.read(runDir, false);
    Path out = (options.out() != null ? options.out() : defaultOut(runDir)).toAbsolutePath().normalize();
    String name = options.modelName() != null ? options.modelName() : ModelNames.fromExperiment(run.experiment());
    String version = Long.toString(options.version());
    List<String> models = new ArrayList<>();
    for (int t = 0; t < run.tasksLearned(); t++) {
      models.add(ModelNames.task(name, t));
    }
    boolean generator = !weights.decoderWeights().isEmpty();
    if (generator) {
      models.add(ModelNames.generator(name));
    }
    refuseExisting(out, models, version);
    boolean fresh = !Files.exists(out);
    Path staging = createStaging(out, fresh);
    try {
      double max = 0;
      float[] x = sample(options.verificationSamples() * run.target().inputSize(), options.seed());
      int n = options.verificationSamples();
      for (int t = 0; t < run.tasksLearned(); t++) {
        Path dir = staging.resolve(models.get(t)).resolve(version);
        int head = run.target().numHeads() > 1 ? t : 0;
        try (TaskModelGraph g = new TaskModelGraph(run.target(), run.kind(), weights.classifier(), head,
            run.permutations().get(t), Map.of());
            Tensor xt = Tensors.floats(x, Signatures.inputShape(run.target(), n))) {
          write(dir, g.session(), List.of(g.signature()));
          max = Math.max(max, verifyAgainst(dir, g.session(), g.signature(), Map.of(Signatures.X, xt), options.tolerance()));
        }
      }
      Map<String, Object> generatorInfo = null;
      if (generator) {
        Path dir = staging.resolve(models.get(models.size() - 1)).resolve(version);
        int k = weights.decoderWeights().size();
        try (GeneratorGraph g = new GeneratorGraph(weights.decoder(), weights.decoderWeights(), weights.latentDim(), weights.tanhOutput())) {
          write(dir, g.session(), g.signatures());
          max = Math.max(max, verifyGenerator(dir, g, k, weights.latentDim(), options));
        }
        generatorInfo = generatorInfo(weights.decoder(), k, weights.latentDim(), weights.tanhOutput());
      }
      ExportManifest manifest = ownWeightsManifest(run, name, options, max, models, generator ? models.get(models.size() - 1) : null,
          generatorInfo);
      manifest.write(staging);
      deleteQuietlyOrFail(staging.resolve(OWNER_FILE));
      List<Path> published = publish(staging, out, fresh, models, version);
      return new ExportResult(out, published, manifest, max);
    } finally {
      deleteQuietlyOrFail(staging);
    }
  }

  /** Loads the generator in {@code dir} and compares each signature with the unexported graph's ({@code k} tasks). */
  private static double verifyGenerator(Path dir, GeneratorGraph g, int k, int latentDim, ExportOptions options) {
    int n = options.verificationSamples();
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = i % k;
    }
    double max = 0;
    try (Tensor tasks = Tensors.ints(ids, n);
        Tensor z = Tensors.floats(sample(n * latentDim, options.seed() + 1), n, latentDim);
        Tensor one = TInt32.scalarOf(k - 1);
        Tensor count = TInt32.scalarOf(n);
        Tensor seed = org.tensorflow.types.TInt64.vectorOf(options.seed(), 1L)) {
      for (Signature sig : g.signatures()) {
        Map<String, Tensor> in = sig.key().equals(Signatures.GENERATE_RANDOM)
            ? Map.of(Signatures.TASK_ID, one, Signatures.COUNT, count, Signatures.SEED, seed)
            : Map.of(Signatures.TASK_ID, tasks, Signatures.Z, z);
        max = Math.max(max, verifyAgainst(dir, g.session(), sig, in, options.tolerance()));
      }
    }
    return max;
  }

  /** The manifest's {@code generator} entry. */
  private static Map<String, Object> generatorInfo(MlpSpec decoder, int k, int latentDim, boolean tanh) {
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("tasks", k);
    info.put("latentDim", latentDim);
    info.put("conditionDim", decoder.inputSize() - latentDim);
    info.put("outputSize", decoder.outputSize());
    info.put("output", tanh ? "(tanh + 1) / 2 (a GAN generator)" : "sigmoid (a VAE decoder)");
    info.put("decoder", decoder.toMap());
    info.put("meaning", "samples of task_id's data as the decoder learned it, pixels in [0, 1] as the data encodes "
        + "them; for a permuted task the samples are permuted images, as the task's network sees them");
    return info;
  }

  /**
   * Loads the task-inference model in {@code dir}, compares each signature with the unexported
   * graph's, then its {@code serving_default} with the run's own computation: {@code task_scores}
   * with the softmax of the learner's outputs of the learned tasks, {@code task_id} with the
   * learner's pick (a different pick is accepted only where the two tasks' outputs are equal to
   * the tolerance, a tie the two graphs may break differently).
   */
  private static double verifyTaskInference(Path dir, TaskInferenceGraph g, TaskInferenceReference run, int learned, int in,
      ExportOptions options) {
    int n = options.verificationSamples();
    float[] x = sample(n * in, options.seed() + 2);
    double tol = options.tolerance();
    double max = 0;
    try (Tensor xt = Tensors.floats(x, n, in)) {
      for (Signature sig : g.signatures()) {
        max = Math.max(max, verifyAgainst(dir, g.session(), sig, Map.of(Signatures.X, xt), tol));
      }
      float[] logits = run.logits(x, n);
      int[] pick = run.pick(x, n);
      if (logits.length != n * learned || pick.length != n) {
        throw new ExportVerificationException("the run's task-inference network gives " + logits.length + " outputs and "
            + pick.length + " picks for " + n + " rows of " + learned + " learned tasks; expected " + n * learned + " and " + n);
      }
      try (LoadedModel m = LoadedModel.load(dir.getFileName().toString(), 0, dir, null);
          Result got = m.call(Signatures.SERVING_DEFAULT, Map.of(Signatures.X, xt))) {
        Tensor st = got.get(Signatures.TASK_SCORES).orElseThrow(() -> new ExportVerificationException(
            dir + " signature '" + Signatures.SERVING_DEFAULT + "' has no output '" + Signatures.TASK_SCORES + "'"));
        Tensor it = got.get(Signatures.TASK_ID).orElseThrow(() -> new ExportVerificationException(
            dir + " signature '" + Signatures.SERVING_DEFAULT + "' has no output '" + Signatures.TASK_ID + "'"));
        if (!st.shape().equals(org.tensorflow.ndarray.Shape.of(n, learned)) || !it.shape().equals(org.tensorflow.ndarray.Shape.of(n))) {
          throw new ExportVerificationException(dir + ": task_scores has shape " + st.shape() + " and task_id " + it.shape()
              + "; for " + n + " rows of " + learned + " learned tasks they must be [" + n + ", " + learned + "] and [" + n + "]");
        }
        float[] scores = TensorValues.floats(st);
        int[] ids = TensorValues.ints(it);
        for (int i = 0; i < n; i++) {
          double top = Double.NEGATIVE_INFINITY;
          double scale = 1.0;
          for (int t = 0; t < learned; t++) {
            top = Math.max(top, logits[i * learned + t]);
            scale = Math.max(scale, Math.abs(logits[i * learned + t]));
          }
          double sum = 0;
          for (int t = 0; t < learned; t++) {
            sum += Math.exp(logits[i * learned + t] - top);
          }
          for (int t = 0; t < learned; t++) {
            double want = Math.exp(logits[i * learned + t] - top) / sum;
            double d = Math.abs(scores[i * learned + t] - want);
            if (!(d <= tol)) {
              throw new ExportVerificationException(String.format("%s task_scores[%d, %d] is %s, the run's task-inference "
                  + "network gives %s (difference %.3g > tolerance %.3g)", dir, i, t, scores[i * learned + t], want, d, tol));
            }
            max = Math.max(max, d);
          }
          if (ids[i] != pick[i]) {
            boolean tie = ids[i] >= 0 && ids[i] < learned && pick[i] >= 0 && pick[i] < learned
                && Math.abs(logits[i * learned + ids[i]] - logits[i * learned + pick[i]]) / scale <= tol;
            if (!tie) {
              throw new ExportVerificationException(String.format("%s task_id[%d] is %d, the run picks task %d", dir, i, ids[i],
                  pick[i]));
            }
          }
        }
      }
    }
    return max;
  }

  /** The manifest's {@code taskInference} entry. */
  private static Map<String, Object> taskInferenceInfo(RunCheckpoint run, MlpSpec network, TaskInferenceGraph g) {
    int learned = run.tasksLearned();
    long[] shape = Signatures.inputShape(run.target());
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("tasks", learned);
    Map<String, List<String>> sigs = new LinkedHashMap<>();
    for (Signature sig : g.signatures()) {
      sigs.put(sig.key(), List.of(Signatures.TASK_SCORES, Signatures.TASK_ID));
    }
    info.put("signatures", sigs);
    Map<String, Object> x = new LinkedHashMap<>();
    x.put("dtype", "float32");
    x.put("shape", shape);
    x.put("meaning", "input rows as the manifest's input (same shape, same preprocessing), but an example as it was "
        + "observed: for a task with permutedInputs, already permuted (the model cannot know the task, so it applies no "
        + "permutation, as the task-inference network saw its data in training)");
    ExportManifest.Preprocessing p = preprocessing(run, run.target().inputSize());
    if (p != null) {
      x.put("preprocessing", p);
    }
    info.put("inputs", Map.of(Signatures.X, x));
    Map<String, Object> outputs = new LinkedHashMap<>();
    outputs.put(Signatures.TASK_SCORES, Map.of("dtype", "float32", "shape", new long[] {-1, learned},
        "meaning", "the task-inference network's probabilities over the " + learned + " learned tasks 0.." + (learned - 1)
            + " (the softmax over their outputs, the growing softmax it trains with); each row sums to 1"));
    outputs.put(Signatures.TASK_ID, Map.of("dtype", "int32", "shape", new long[] {-1},
        "meaning", "the inferred task, 0.." + (learned - 1) + ": the task with the largest output (the run's test-time "
            + "pick, max-logit; ties go to the lower id); read the row on model " + "<name>-task<task_id>"));
    info.put("outputs", outputs);
    info.put("score", "max-logit");
    info.put("network", network.toMap());
    info.put("meaning", "the hnet-tir run's task-inference network (its own weights, trained on each task's data and "
        + "on replay from the decoder): which learned task an input row comes from, without the task id");
    return info;
  }

  /** Loads the SavedModel in {@code dir} and compares its signature with the unexported graph's on {@code inputs}. */
  private static double verifyAgainst(Path dir, org.tensorflow.Session reference, Signature sig, Map<String, Tensor> inputs,
      double tolerance) {
    try (LoadedModel m = LoadedModel.load(dir.getFileName().toString(), 0, dir, null);
        Result got = m.call(sig.key(), inputs);
        Result want = reference.function(sig).call(inputs)) {
      double max = 0;
      for (String output : sig.outputNames()) {
        double[] a = TensorValues.doubles(got.get(output).orElseThrow(
            () -> new ExportVerificationException(dir + " signature '" + sig.key() + "' has no output '" + output + "'")));
        double[] b = TensorValues.doubles(want.get(output).orElseThrow());
        double scale = 1.0;
        for (double v : b) {
          scale = Math.max(scale, Math.abs(v));
        }
        if (a.length != b.length) {
          throw new ExportVerificationException(dir + " signature '" + sig.key() + "' output '" + output + "' has " + a.length
              + " values, the graph " + b.length);
        }
        for (int i = 0; i < a.length; i++) {
          double d = Math.abs(a[i] - b[i]) / scale;
          if (!(d <= tolerance)) {
            throw new ExportVerificationException(String.format("%s signature '%s' output '%s'[%d] is %s, the graph gives %s",
                dir, sig.key(), output, i, a[i], b[i]));
          }
          max = Math.max(max, d);
        }
      }
      return max;
    }
  }

  private static ExportManifest ownWeightsManifest(RunCheckpoint run, String name, ExportOptions options, double maxDiff,
      List<String> models, String generatorModel, Map<String, Object> generator) {
    TargetSpec target = run.target();
    List<ExportManifest.Task> tasks = new ArrayList<>();
    for (int t = 0; t < run.tasksLearned(); t++) {
      tasks.add(new ExportManifest.Task(t, run.taskNames().get(t), models.get(t), target.numHeads() > 1 ? t : 0,
          run.permutations().get(t) != null, null));
    }
    String labels = run.kind() == OutputKind.REGRESSION
        ? "regression: y holds " + target.outputSize() + " real value(s) per input row"
        : "classification: logits and probabilities over the task's head of " + target.outputSize()
            + " classes; classes is the argmax, an index 0.." + (target.outputSize() - 1) + " within that head";
    Path ckpt = run.checkpointPrefix().getParent();
    return new ExportManifest(
        ExportManifest.FORMAT, run.experiment(), run.kind(), Math.toIntExact(options.version()),
        new ExportManifest.Input(Signatures.X, "float32", Signatures.inputShape(target),
            "input rows as data " + run.config().path("data").asText("?") + " encodes them in training, unpermuted (a task "
                + "with permutedInputs applies its permutation itself)", preprocessing(run, target.inputSize())),
        target.outputSize(), target.numHeads(), labels,
        "0-based learner task ids: model " + ModelNames.task(name, 0) + " serves task_id 0, and so on; the classifier has "
            + "its own weights (method " + run.method() + "), so there is no hypernetwork model",
        tasks, null, Map.of(), target.toMap(), null,
        new ExportManifest.Source(run.runDir().toAbsolutePath().normalize().toString(), ckpt.getFileName().toString(),
            run.tasksLearned(), run.numTasks()),
        run.provenance(),
        new ExportManifest.ExportInfo(Instant.now().toString(), TensorFlow.version(), options.verificationSamples(), maxDiff,
            options.tolerance()),
        generatorModel, generator, null, null, null);
  }

  private static void write(Path dir, org.tensorflow.Session session, List<Signature> signatures) {
    try {
      Files.createDirectories(dir.getParent());
      SavedModelBundle.Exporter ex = SavedModelBundle.exporter(dir.toString()).withSession(session);
      for (Signature s : signatures) {
        ex.withSignature(s);
      }
      ex.export();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write SavedModel " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Loads every staged model and compares each signature with the reference graph on the same
   * inputs; returns the largest difference, relative to {@code max(1, max|reference|)} of each
   * output, or throws if one exceeds the tolerance.
   */
  private static double verify(HypernetworkGraph reference, List<Path> staged, ExportOptions options) {
    RunCheckpoint run = reference.run();
    TargetSpec target = run.target();
    int n = options.verificationSamples();
    float[] x = sample(n * target.inputSize(), options.seed());
    float[] embeddings = reference.learnedEmbeddings();
    int de = run.hypernetwork().embeddingDim();
    double max = 0;
    List<Tensor> owned = new ArrayList<>();
    try {
      Tensor xt = own(owned, Tensors.floats(x, Signatures.inputShape(target, n)));
      for (int t = 0; t < run.tasksLearned(); t++) {
        Tensor task = own(owned, TInt32.scalarOf(t));
        Tensor head = own(owned, TInt32.scalarOf(t));
        Tensor emb = own(owned, Tensors.floats(Arrays.copyOfRange(embeddings, t * de, (t + 1) * de), de));
        Map<String, Tensor> byId = Map.of(Signatures.X, xt, Signatures.TASK_ID, task);
        // predict_with_embedding takes rows as the target network sees them: task t's permutation applied.
        int[] perm = run.permutations().get(t);
        Tensor xSeen = perm == null ? xt : own(owned, Tensors.floats(permute(x, n, perm), n, target.inputSize()));
        try (LoadedModel m = LoadedModel.load("task" + t, 0, staged.get(t), null)) {
          max = Math.max(max, compare(staged.get(t), Signatures.SERVING_DEFAULT,
              m, Signatures.SERVING_DEFAULT, Map.of(Signatures.X, xt),
              reference, Signatures.PREDICT, byId, options.tolerance()));
        }
        Map<String, Tensor> byEmb = new HashMap<>(Map.of(Signatures.X, xSeen, Signatures.TASK_EMBEDDING, emb));
        if (target.numHeads() > 1) {
          byEmb.put(Signatures.HEAD, head);
        }
        Path hnetDir = staged.get(staged.size() - 1);
        try (LoadedModel h = LoadedModel.load("hnet", 0, hnetDir, null)) {
          for (String key : List.of(Signatures.PREDICT, Signatures.SERVING_DEFAULT)) {
            max = Math.max(max, compare(hnetDir, key, h, key, byId, reference, key, byId, options.tolerance()));
          }
          max = Math.max(max, compare(hnetDir, Signatures.PREDICT_WITH_EMBEDDING, h, Signatures.PREDICT_WITH_EMBEDDING,
              byEmb, reference, Signatures.PREDICT_WITH_EMBEDDING, byEmb, options.tolerance()));
          // An embedding equal to the learned one must give that task's predictions.
          max = Math.max(max, compare(hnetDir, Signatures.PREDICT_WITH_EMBEDDING, h, Signatures.PREDICT_WITH_EMBEDDING,
              byEmb, reference, Signatures.PREDICT, byId, options.tolerance()));
          max = Math.max(max, compare(hnetDir, Signatures.GENERATE_WEIGHTS, h, Signatures.GENERATE_WEIGHTS,
              Map.of(Signatures.TASK_ID, task), reference, Signatures.GENERATE_WEIGHTS,
              Map.of(Signatures.TASK_ID, task), options.tolerance()));
          max = Math.max(max, compare(hnetDir, Signatures.GENERATE_WEIGHTS_WITH_EMBEDDING, h,
              Signatures.GENERATE_WEIGHTS_WITH_EMBEDDING, Map.of(Signatures.TASK_EMBEDDING, emb), reference,
              Signatures.GENERATE_WEIGHTS_WITH_EMBEDDING, Map.of(Signatures.TASK_EMBEDDING, emb), options.tolerance()));
          if (t == 0 && HypernetworkGraph.hasInferTask(run)) {
            max = Math.max(max, compare(hnetDir, Signatures.INFER_TASK, h, Signatures.INFER_TASK,
                Map.of(Signatures.X, xt), reference, Signatures.INFER_TASK, Map.of(Signatures.X, xt), options.tolerance()));
          }
        }
      }
      return max;
    } finally {
      owned.forEach(Tensor::close);
    }
  }

  /** {@code out[r, j] = x[r, perm[j]]}: what the learner's {@code gather(x, perm, axis=1)} gives. */
  static float[] permute(float[] x, int n, int[] perm) {
    int in = perm.length;
    float[] out = new float[x.length];
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < in; j++) {
        out[r * in + j] = x[r * in + perm[j]];
      }
    }
    return out;
  }

  private static Tensor own(List<Tensor> owned, Tensor t) {
    owned.add(t);
    return t;
  }

  private static double compare(
      Path dir, String key, LoadedModel exported, String exportedKey, Map<String, Tensor> exportedInputs,
      HypernetworkGraph reference, String referenceKey, Map<String, Tensor> referenceInputs, double tolerance) {
    Signature refSig = reference.signature(referenceKey);
    if (!exported.hasSignature(exportedKey)) {
      throw new ExportVerificationException(dir + " has no signature '" + exportedKey + "'");
    }
    try (Result got = exported.call(exportedKey, exportedInputs);
        Result want = reference.session().function(refSig).call(referenceInputs)) {
      double max = 0;
      for (String output : refSig.outputNames()) {
        Tensor w = want.get(output).orElseThrow();
        Tensor g = got.get(output).orElseThrow(
            () -> new ExportVerificationException(dir + " signature '" + key + "' has no output '" + output + "'"));
        if (!w.shape().equals(g.shape())) {
          throw new ExportVerificationException(dir + " signature '" + key + "' output '" + output + "' has shape "
              + g.shape() + ", the checkpoint gives " + w.shape());
        }
        double[] a = TensorValues.doubles(g);
        double[] b = TensorValues.doubles(w);
        // Norm-wise: differences relative to the output's largest magnitude (at least 1). Two graphs
        // that sum a wide layer in different orders (a constant-folded task model, another kernel)
        // differ by a few float32 ulps of that magnitude, not of each small element.
        double scale = 1.0;
        for (double v : b) {
          scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < a.length; i++) {
          double d = Math.abs(a[i] - b[i]) / scale;
          if (!(d <= tolerance)) {
            throw new ExportVerificationException(String.format(
                "%s signature '%s' output '%s'[%d] is %s, the checkpoint gives %s (difference %.3g of the output's "
                    + "largest magnitude %.3g > tolerance %.3g)",
                dir, key, output, i, a[i], b[i], d, scale, tolerance));
          }
          max = Math.max(max, d);
        }
      }
      return max;
    }
  }

  /** Verification inputs: N(0, 2²), a spread that covers standardized and pixel inputs reasonably. */
  private static float[] sample(int count, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] x = new float[count];
    for (int i = 0; i < count; i++) {
      double u1 = rng.nextDouble();
      double u2 = rng.nextDouble();
      x[i] = (float) (2.0 * Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2));
    }
    return x;
  }

  private static ExportManifest manifest(
      RunCheckpoint run, HypernetworkGraph reference, String name, ExportOptions options, double maxDiff, Path out,
      String generatorModel, Map<String, Object> generator, String taskInferenceModel, Map<String, Object> taskInference) {
    TargetSpec target = run.target();
    int de = run.hypernetwork().embeddingDim();
    float[] emb = reference.learnedEmbeddings();
    List<ExportManifest.Task> tasks = new ArrayList<>();
    for (int t = 0; t < run.tasksLearned(); t++) {
      tasks.add(new ExportManifest.Task(t, run.taskNames().get(t), ModelNames.task(name, t),
          target.numHeads() > 1 ? t : 0, run.permutations().get(t) != null, Arrays.copyOfRange(emb, t * de, (t + 1) * de)));
    }
    String labels = run.kind() == OutputKind.REGRESSION
        ? "regression: y holds " + target.outputSize() + " real value(s) per input row"
        : "classification: logits and probabilities over the task's head of " + target.outputSize()
            + " classes; classes is the argmax, an index 0.." + (target.outputSize() - 1)
            + " within that head (its meaning is the task's, e.g. the task's i-th class)";
    Map<String, List<String>> sigs = new LinkedHashMap<>(reference.outputNames());
    Path ckpt = run.checkpointPrefix().getParent();
    return new ExportManifest(
        ExportManifest.FORMAT, run.experiment(), run.kind(), Math.toIntExact(options.version()),
        new ExportManifest.Input(Signatures.X, "float32", Signatures.inputShape(target),
            "input rows as data " + run.config().path("data").asText("?") + " encodes them in training (e.g. padded "
                + "images), unpermuted: for a task with permutedInputs, its per-task model and the hypernetwork "
                + "model's predict apply the task's input permutation themselves; predict_with_embedding, infer_task"
                + (taskInferenceModel != null ? " and the task-inference model " + taskInferenceModel : "") + " take"
                + " rows as the target network sees them, permutation already applied",
            preprocessing(run, target.inputSize())),
        target.outputSize(), target.numHeads(), labels,
        "0-based learner task ids: model " + ModelNames.task(name, 0) + " serves task_id 0, and so on"
            + (taskInferenceModel != null
                ? "; from an hnet-tir run: the per-task and hypernetwork models are its hypernetwork classifier's, model "
                    + taskInferenceModel + " is its task-inference network, whose task_id (0-based, as here) picks the "
                    + "task without the id as the run does (the hypernetwork model's infer_task scores tasks by "
                    + (reference.inferTaskScore() != null ? reference.inferTaskScore().id() : "entropy") + " instead)"
                    + (generatorModel != null ? ", and model " + generatorModel + " its replay decoder" : "")
                : ""),
        tasks, ModelNames.hypernetwork(name), sigs, target.toMap(), run.hypernetwork().toMap(),
        new ExportManifest.Source(run.runDir().toAbsolutePath().normalize().toString(),
            ckpt.getFileName().toString(), run.tasksLearned(), run.numTasks()),
        run.provenance(),
        new ExportManifest.ExportInfo(Instant.now().toString(), TensorFlow.version(), options.verificationSamples(),
            maxDiff, options.tolerance()),
        generatorModel, generator, taskInferenceModel, taskInference,
        reference.inferTaskScore() != null ? reference.inferTaskScore().id() : null);
  }

  /** Moves the staged version folders and manifest into {@code out}; undoes the moves on failure. */
  private static List<Path> publish(Path staging, Path out, boolean fresh, List<String> models, String version) {
    List<Path> dirs = new ArrayList<>();
    models.forEach(m -> dirs.add(out.resolve(m).resolve(version)));
    if (fresh) {
      try {
        move(staging, out);
        return dirs;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot publish the export to " + out + ": " + e.getMessage(), e);
      }
    }
    List<Path> moved = new ArrayList<>();
    List<Path> createdParents = new ArrayList<>();
    try {
      for (String m : models) {
        Path parent = out.resolve(m);
        if (!Files.exists(parent)) {
          Files.createDirectory(parent);
          createdParents.add(parent);
        }
        Path target = parent.resolve(version);
        move(staging.resolve(m).resolve(version), target);
        moved.add(target);
      }
      Path manifest = out.resolve(ExportManifest.FILE);
      Files.move(staging.resolve(ExportManifest.FILE), manifest, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      return dirs;
    } catch (IOException e) {
      for (Path p : moved) {
        deleteQuietlyOrFail(p);
      }
      for (Path p : createdParents) {
        deleteQuietlyOrFail(p);
      }
      throw new UncheckedIOException("cannot publish the export to " + out + ": " + e.getMessage(), e);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }

  /**
   * The input preprocessing the run recorded (config.json dataOptions.input, written by training
   * since it was recorded), or null: for runs from before, non-image data, or a record that does
   * not give the target network's {@code inputSize} values.
   */
  static ExportManifest.Preprocessing preprocessing(RunCheckpoint run, int inputSize) {
    com.fasterxml.jackson.databind.JsonNode in = run.config().path("dataOptions").path("input");
    if (!in.isObject()) {
      return null;
    }
    ExportManifest.Preprocessing p;
    try {
      p = new ExportManifest.Preprocessing(Json.MAPPER.treeToValue(in.get("rawShape"), int[].class),
          Json.MAPPER.treeToValue(in.get("pad"), int[].class), Json.MAPPER.treeToValue(in.get("scale"), float[].class),
          Json.MAPPER.treeToValue(in.get("offset"), float[].class), null);
    } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
      return null;
    }
    if (p.problem() != null || p.paddedSize() != inputSize) {
      return null;
    }
    int[] s = p.rawShape();
    int[] q = p.pad();
    String meaning = String.format(java.util.Locale.ROOT, "a row of x is a raw %dx%dx%d image of unsigned bytes "
            + "(height, width, channels) with zero bytes added around it (%d above, %d below, %d left, %d right: "
            + "%dx%dx%d), each byte b of channel c mapped to b * scale[c] + offset[c], flattened row-major (height, "
            + "width, channels); a task with permutedInputs permutes that row in its models", s[0], s[1], s[2],
        q[0], q[1], q[2], q[3], s[0] + q[0] + q[1], s[1] + q[2] + q[3], s[2]);
    return new ExportManifest.Preprocessing(p.rawShape(), p.pad(), p.scale(), p.offset(), meaning);
  }

  /** What went wrong with a file, without the path a FileSystemException's message starts with. */
  static String reason(IOException e) {
    if (e instanceof java.nio.file.FileAlreadyExistsException f) {
      return f.getFile() + " is in the way (a file, not a folder)";
    }
    if (e instanceof java.nio.file.AccessDeniedException f) {
      return "permission denied (" + f.getFile() + ")";
    }
    if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
      return f.getReason() + (f.getFile() != null ? " (" + f.getFile() + ")" : "");
    }
    return String.valueOf(e.getMessage());
  }

  /** In a staging folder: the pid of the exporting process. */
  static final String OWNER_FILE = "owner.pid";

  /**
   * Deletes staging folders {@code prefix*} in {@code parent} left by exports whose process is no
   * longer running (killed mid-export), saying so on stderr; those of live processes stay.
   */
  static void removeStaleStaging(Path parent, String prefix) throws IOException {
    try (var list = Files.list(parent)) {
      for (Path p : list.filter(q -> q.getFileName().toString().startsWith(prefix) && Files.isDirectory(q)).toList()) {
        Path owner = p.resolve(OWNER_FILE);
        // Without an owner (about to be published, or from an older version): stale after an hour.
        boolean alive = Files.getLastModifiedTime(p).toMillis() > System.currentTimeMillis() - 3_600_000L;
        if (Files.isRegularFile(owner)) {
          try {
            long pid = Long.parseLong(Files.readString(owner).trim());
            alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
          } catch (NumberFormatException e) {
            alive = false;
          }
        }
        if (!alive) {
          deleteQuietlyOrFail(p);
          System.err.println("removed " + p + ", left by an export that did not finish");
        }
      }
    }
  }

  static void deleteQuietlyOrFail(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (var walk = Files.walk(p)) {
      for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + p + ": " + e.getMessage(), e);
    }
  }
}
