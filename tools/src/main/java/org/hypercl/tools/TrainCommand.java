package org.hypercl.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.hypercl.data.TaskSequence;
import org.hypercl.data.fetch.DataLocations;
import org.hypercl.data.fetch.Datasets;
import org.hypercl.data.fetch.KnownDataset;
import org.hypercl.data.tasks.SequenceSpec;
import org.hypercl.data.tasks.TaskSequences;
import org.hypercl.graphs.Activation;
import org.hypercl.graphs.HypernetworkSpec;
import org.hypercl.graphs.TaskInference;
import org.hypercl.training.ContinualRunner;
import org.hypercl.training.ExperimentConfig;
import org.hypercl.training.ConfigOverrides;
import org.hypercl.training.Experiments;
import org.hypercl.training.LearnerSettings;
import org.hypercl.training.Method;
import org.hypercl.training.RunDirectory;
import org.hypercl.training.RunResults;
import org.hypercl.training.Scenario;
import org.hypercl.training.SequenceTasks;
import org.hypercl.training.TaskSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hypercl train}: a named experiment, or a resumed run, with every setting overridable. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header = "Trains a continual-learning experiment, task after task, into a run folder.",
    description = {
      "Trains a continual-learning experiment task after task and writes the run folder: config.json, "
          + "checkpoints/, events/ (TensorBoard), results.json, results.csv and plots/.",
      "Experiments: toy-regression, split-mnist, permuted-mnist-10, permuted-mnist-100, permuted-mnist-250, "
          + "split-cifar-resnet32, split-cifar-zenkenet, at the paper's settings; every hyperparameter can be overridden. With --baselines the same command also trains "
          + "the fine-tuning baseline (beta = 0) and the target network alone, and prints the three side by side.",
      "Image data comes from --data-dir, $HYPERCL_DATA, ~/.hypercl/data or /usr/share/datasets (see 'hypercl data list').",
    })
public final class TrainCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--experiment", paramLabel = "NAME", description = "Experiment to run (default: ${DEFAULT-VALUE}).")
  String experiment = "split-mnist";

  @Option(names = "--config", paramLabel = "FILE.json", description = "Train the experiment this file describes, in config.json's "
      + "format (a run's config.json works, and so does one written by hand); flags given beside it override it. Its "
      + "dataOptions (sequence, dataset, data seed), if any, choose the data unless --dataset/--data-seed are given.")
  Path config;

  @Option(names = "--set", paramLabel = "PATH=VALUE", description = "Change any setting of the experiment by its path in "
      + "config.json, dotted or as a JSON pointer, after the flags: --set settings.beta=0.05 --set hypernetwork.hidden=[25,25] "
      + "--set /settings/lookahead=false. The value is JSON, or else a string. Repeatable; a path that does not exist is an error "
      + "naming the fields there are.")
  List<String> overrides;

  @Option(names = "--dataset", paramLabel = "NAME", description = "mnist or fashion-mnist for the MNIST experiments (default: ${DEFAULT-VALUE}); "
      + "the Split CIFAR experiments read CIFAR-10 and CIFAR-100 ('hypercl data fetch', or 'hypercl data synth cifar' for a stand-in).")
  String dataset = "mnist";

  @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue a stopped run from its newest checkpoint; its config.json decides everything else "
      + "(only --threads, --inter-threads and --export may be given with it).")
  Path resume;

  @Option(names = "--run-dir", paramLabel = "DIR", description = "Run folder (default: runs/<experiment>-<dataset>-seed<seed>).")
  Path runDir;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Dataset folder to search first.")
  Path dataDir;

  @Option(names = "--scenario", paramLabel = "cl1|cl2|cl3",
      description = "cl1: a head per task, task id given at test time; cl2: one shared head, task id inferred; "
          + "cl3: a head per task, task id inferred (right only if task and class are). cl1 and cl3 train alike, and a "
          + "cl1 run of a classifier reports cl3 too (default: ${DEFAULT-VALUE}).")
  String scenario = "cl1";

  @Option(names = "--task-inference", paramLabel = "SCORE",
      description = "How cl2/cl3 infer the task, the lowest score winning: entropy (the paper's), max-softmax, energy or "
          + "max-logit. Every score is measured and saved; this one is the run's headline figure (default: ${DEFAULT-VALUE}; "
          + "for hnet-r max-logit, the argmax over all of its classifier's outputs, as the reference scores it).")
  String taskInference = "entropy";

  @Option(names = "--seed", description = "Seed for initialisation, batches and regularizer windows (default: ${DEFAULT-VALUE}).")
  long seed = LearnerSettings.SEED_DEFAULT;

  @Option(names = "--data-seed", description = "Seed for permutations and class order (default: ${DEFAULT-VALUE}).")
  long dataSeed = 42;

  @Option(names = "--tasks", description = "Learn only the first N tasks of the sequence (quick checks).")
  Integer tasks;

  @Option(names = "--iterations", description = "Training steps per task (default: the experiment's); replaces the epochs of "
      + "the Split CIFAR experiments.")
  Integer iterations;

  @Option(names = "--epochs", description = "Passes over each task's training set instead of a fixed step count "
      + "(default: the experiment's: 200 for split-cifar-resnet32, 80 for split-cifar-zenkenet, none for the others).")
  Integer epochs;

  @Option(names = "--augment", negatable = true, description = "Random crop (4-pixel padding) and horizontal flip of "
      + "image training batches, in the graph (default: the experiment's: on for split-cifar-resnet32).")
  Boolean augment;

  @Option(names = "--lr-schedule", paramLabel = "constant|resnet-steps", description = "Learning-rate schedule over a task's "
      + "epochs: constant, or resnet-steps (the reference's ResNet-32 factors 0.1, 0.01, 0.001, 0.0005 after epochs 80, 120, "
      + "160, 180) (default: the experiment's: resnet-steps for split-cifar-resnet32).")
  String lrSchedule;

  @Option(names = "--lr", description = "Adam learning rate (default: the experiment's).")
  Float lr;

  @Option(names = "--batch-size", description = "Examples per step (default: the experiment's).")
  Integer batchSize;

  @Option(names = "--beta", description = "Output-regularizer strength (0 = fine-tuning) (default: the experiment's).")
  Float beta;

  @Option(names = "--regularizer-tasks", paramLabel = "K", description = "Past tasks regularized per step, drawn at random (0 = all) (default: the experiment's).")
  Integer regularizerTasks;

  @Option(names = "--no-lookahead", description = "Evaluate the regularizer at the current parameters instead of after the Adam lookahead step.")
  boolean noLookahead;

  @Option(names = "--regularizer", paramLabel = "FORM", description = "How Eq. 2 is computed, all the same sum: factored (default: from stored factors of the targets, "
      + "cost flat in the number of past tasks), expanded (a product over the stored targets) or naive (the direct difference).")
  String regularizerForm;

  @Option(names = "--hnet-hidden", split = ",", paramLabel = "N", description = "Hypernetwork hidden layer widths, e.g. 10,10 (empty: none) (default: the experiment's).")
  int[] hnetHidden;

  @Option(names = "--hnet-activation", description = "Hypernetwork activation: relu, elu, sigmoid, tanh, linear (default: the experiment's).")
  String hnetActivation;

  @Option(names = "--chunk-size", description = "Chunk size S (0 = full hypernetwork) (default: the experiment's).")
  Integer chunkSize;

  @Option(names = "--embedding-dim", description = "Task embedding size (default: the experiment's).")
  Integer embeddingDim;

  @Option(names = "--chunk-embedding-dim", description = "Chunk embedding size (default: the experiment's).")
  Integer chunkEmbeddingDim;

  @Option(names = "--threads", description = "TensorFlow intra-op threads (0 = TensorFlow's choice).")
  Integer threads;

  @Option(names = "--inter-threads", description = "TensorFlow inter-op threads (0 = TensorFlow's choice).")
  Integer interThreads;

  @Option(names = "--checkpoint-every", paramLabel = "STEPS", description = "Also checkpoint every STEPS steps inside a task (default: 500; 0 = only after tasks).")
  Integer checkpointEvery;

  @Option(names = "--baselines", description = "Also train the fine-tuning (beta = 0) and target-network-only baselines "
      + "into sibling folders (the same as --methods hnet,fine-tuning,target-only).")
  boolean baselines;

  @Option(names = "--methods", split = ",", paramLabel = "METHOD",
      description = "Which of hnet, fine-tuning (the hypernetwork with beta = 0), target-only (the target network "
          + "alone), ewc, online-ewc and si (the target network protected by EWC, online EWC or SI), multitask (the target "
          + "network trained at each task on the data of every task so far: the upper bound) and hnet-r (a classifier "
          + "trained with replay from a VAE whose decoder a protected hypernetwork generates) and hnet-tir (hnet with the "
          + "task inferred by a network trained on that replay), dgr (hnet-r's classifier and VAE with the decoder's "
          + "own weights, trained on current and replayed data) and rpl-ub (hnet-r's classifier replaying real data of "
          + "the earlier tasks: the replay upper bound) to train, e.g. "
          + "--methods hnet,online-ewc,si; one method trains into RUN_DIR, several into RUN_DIR/<method> (default: hnet). "
          + "In cl3 the baselines (target-only, ewc, online-ewc, si, multitask) learn class-incrementally, one softmax over "
          + "the classes of every task so far read by max-logit, as in the baselines' source; hnet learns a head per task.")
  List<String> methods;

  @Option(names = "--ewc-lambda", description = "EWC's lambda (default: the baselines' source's value for the experiment and scenario).")
  Float ewcLambda;

  @Option(names = "--online-ewc-lambda", description = "Online EWC's lambda (default: as --ewc-lambda).")
  Float onlineEwcLambda;

  @Option(names = "--ewc-gamma", description = "Online EWC's decay of the running Fisher (default: as --ewc-lambda).")
  Float ewcGamma;

  @Option(names = "--si-c", description = "SI's strength c (default: as --ewc-lambda); its damping is 0.1.")
  Float siC;

  @Option(names = "--empirical-fisher", description = "Estimate EWC's Fisher with the true labels instead of the predicted ones.")
  boolean empiricalFisher;

  @Option(names = "--fisher-samples", description = "Training examples EWC's Fisher is estimated on (default: 0 = all).")
  Integer fisherSamples;

  @Option(names = "--replay-beta", description = "hnet-r: Eq. 2's strength on the replay decoder's hypernetwork "
      + "(default: the experiment's, the reference's 0.01 for SplitMNIST, 0.1 for PermutedMNIST).")
  Float replayBeta;

  @Option(names = "--replay-iterations", description = "hnet-r: VAE training steps per task, after the classifier's; none on the "
      + "last task (default: the experiment's, 2000 for SplitMNIST, 5000 for PermutedMNIST).")
  Integer replayIterations;

  @Option(names = "--replay-lr", description = "hnet-r: Adam learning rate of the VAE's encoder and decoder hypernetwork (default: the experiment's).")
  Float replayLr;

  @Option(names = "--decoder-hidden", split = ",", paramLabel = "N", description = "hnet-r: hidden widths of the VAE decoder, "
      + "e.g. 250,350 (default: the experiment's); other replay settings: --set settings.replay.<field>=VALUE.")
  int[] decoderHidden;

  @Option(names = "--replay-model", paramLabel = "vae|gan", description = "hnet-r, hnet-tir: the replay model (default: vae). "
      + "gan: a GAN whose generator the protected hypernetwork generates, with the paper's GAN settings (generator "
      + "hypernetwork 25,25, chunks of 75,000, learning rates 1e-4, discriminator dropout 0.4, 10,000 steps per task) "
      + "unless other replay flags are given.")
  String replayModel;

  @Option(names = "--gan-loss", paramLabel = "vanilla|pearson", description = "With --replay-model gan: vanilla (the reference "
      + "code's default, one-sided label smoothing 0.9) or pearson (the paper's Pearson chi-squared least squares).")
  String ganLoss;

  @Option(names = "--export", description = "After training (also after --resume), export each run to "
      + "RUN_DIR/export as verified SavedModels, as 'hypercl export' does, under the next free version (hnet-tir runs: "
      + "their hypernetwork classifier's models, their decoder's generator and their task-inference network).")
  boolean export;

  /** What may be given with --resume: how fast to train and whether to export, not what to train. */
  private static final java.util.Set<String> WITH_RESUME =
      java.util.Set.of("--resume", "--threads", "--inter-threads", "--export", "--data-dir", "--help", "--version");

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    refuseIgnoredOptions();
    if (resume != null) {
      try (RunDirectory dir = RunDirectory.openForTraining(resume)) {
        ExperimentConfig config = withThreads(dir.readConfig());
        out.println("Resuming " + resume + " (" + config.name() + ")");
        TaskSource source = RunData.forRun(dir, dataDir, out);
        RunResults r = runOne(config, source, dir, out);
        printComparison(out, List.of(r));
        return 0;
      }
    }
    List<String> chosen = chosenMethods();
    ExperimentConfig config = configure();
    String sequence = Experiments.sequenceOf(config.name());
    String data = dataset;
    long seedOfData = dataSeed;
    if (this.config != null) {
      // A run's config.json says which data it was trained on; --dataset / --data-seed still win.
      com.fasterxml.jackson.databind.JsonNode options = org.hypercl.training.JsonFiles.read(this.config).path("dataOptions");
      sequence = options.path("sequence").asText(sequence);
      if (!given("--dataset") && options.hasNonNull("dataset") && !sequence.startsWith("split-cifar")) {
        data = options.get("dataset").asText();
      }
      if (!given("--data-seed") && options.path("dataSeed").canConvertToLong()) {
        seedOfData = options.get("dataSeed").asLong();
      }
    }
    // A method the experiment cannot run (e.g. EWC on a conv target) is refused before the data is read.
    for (String m : chosen) {
      forMethod(config, m);
    }
    TaskSource source = RunData.forNew(sequence, data, seedOfData, dataDir, out);
    if (tasks != null) {
      config = withTasks(config, tasks, source.numTasks());
    }
    Path root = runDir != null ? runDir
        : Path.of("runs", config.name() + (sequence.startsWith("split-cifar") ? "" : "-" + data) + "-seed" + config.settings().seed());
    List<RunResults> all = new ArrayList<>();
    // Every method's experiment first, so that one that cannot be (e.g. replay on regression) stops the command
    // before anything trains.
    List<ExperimentConfig> configs = new ArrayList<>();
    for (String m : chosen) {
      configs.add(forMethod(config, m));
    }
    for (int i = 0; i < chosen.size(); i++) {
      String m = chosen.get(i);
      ExperimentConfig c = configs.get(i);
      try (RunDirectory dir = RunDirectory.createNew(chosen.size() == 1 ? root : root.resolve(m))) {
        all.add(runOne(c, source, dir, out));
      }
    }
    printComparison(out, all);
    return 0;
  }

  /** The experiment {@code config} becomes for method {@code m} (an id of --methods). */
  private ExperimentConfig forMethod(ExperimentConfig config, String m) {
    try {
      return switch (m) {
        case "fine-tuning" -> config.asFineTuning();
        case "target-only" -> withMethod(config, "-target-only", Method.TARGET_NETWORK);
        case "ewc" -> withMethod(config, "-ewc", Method.EWC);
        case "online-ewc" -> withMethod(config, "-online-ewc", Method.ONLINE_EWC);
        case "si" -> withMethod(config, "-si", Method.SI);
        case "multitask" -> withMethod(config, "-multitask", Method.MULTITASK);
        case "hnet-r" -> withMethod(config, "-hnet-r", Method.HNET_R);
        case "dgr" -> withMethod(config, "-dgr", Method.DGR);
        case "rpl-ub" -> withMethod(config, "-rpl-ub", Method.RPL_UB);
        case "hnet-tir" -> withMethod(Experiments.withTirDecoder(config.withMethod(Method.HNET_TIR)), "-hnet-tir", Method.HNET_TIR);
        default -> config;
      };
    } catch (IllegalArgumentException e) {
      throw new UserException(e.getMessage(), e);
    }
  }

  /**
   * A method's experiment, headlined by the method's own task-inference score in its scenario
   * (max-logit for the replay methods and class-incremental baselines) unless --task-inference names one.
   */
  private ExperimentConfig withMethod(ExperimentConfig config, String suffix, Method m) {
    ExperimentConfig r = config.withName(config.name() + suffix).withMethod(m);
    return given("--task-inference") ? r : r.withTaskInference(m.defaultTaskInference(r.scenario()));
  }

  /** What {@link #check} found: the experiment the arguments train and the methods (one run folder each). */
  public record Checked(ExperimentConfig config, List<String> methods) {}

  /**
   * Checks {@code hypercl train} arguments (without the word {@code train}) as train would check
   * them, without reading data or writing anything: every flag, every {@code --set}, and the
   * experiment they make. A sweep checks each configuration this way before it starts any run.
   * Not for {@code --resume}, whose settings come from the run folder.
   *
   * @throws UserException naming the problem
   */
  public static Checked check(List<String> args) {
    TrainCommand t = new TrainCommand();
    CommandLine cl = new CommandLine(t);
    try {
      cl.parseArgs(args.toArray(String[]::new));
    } catch (CommandLine.ParameterException e) {
      throw new UserException(e.getMessage(), e);
    }
    if (t.resume != null) {
      throw new UserException("cannot check --resume arguments: a resumed run's settings are in its config.json");
    }
    try {
      t.refuseIgnoredOptions();
      List<String> methods = t.chosenMethods();
      if (t.given("--dataset")) {
        KnownDataset.byId(t.dataset);
      }
      ExperimentConfig c = t.configure();
      return new Checked(t.tasks != null ? withTasks(c, t.tasks, c.numTasks()) : c, methods);
    } catch (IllegalArgumentException e) {
      throw new UserException(e.getMessage(), e);
    }
  }

  /**
   * {@code config} with its first {@code tasks} tasks only, or an error that says what --tasks asked for
   * and what the sequence allows, e.g. "--tasks 99: split-mnist has 5 tasks (its target has 5 heads); use 1..5".
   *
   * @param available the tasks of the sequence (the data's, or the experiment's for a check without data)
   */
  static ExperimentConfig withTasks(ExperimentConfig config, int tasks, int available) {
    int heads = config.target().numHeads();
    int most = heads > 1 ? Math.min(available, heads) : available;
    if (tasks < 1 || tasks > most) {
      throw new UserException("--tasks " + tasks + ": " + config.name() + " has " + available + " task"
          + (available == 1 ? "" : "s") + (heads > 1 ? " (its target has " + heads + " heads)" : "") + "; use 1.." + most);
    }
    return config.withNumTasks(tasks);
  }

  /** Options that would be silently ignored: any but {@link #WITH_RESUME} with --resume, --dataset for toy data. */
  private void refuseIgnoredOptions() {
    CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
    if (resume != null) {
      List<String> ignored = parsed.matchedOptions().stream()
          .map(o -> o.longestName())
          .filter(n -> !WITH_RESUME.contains(n))
          .distinct()
          .toList();
      if (!ignored.isEmpty()) {
        throw new UserException("cannot combine " + String.join(", ", ignored) + " with --resume: a resumed run keeps "
            + "the settings in its config.json (with --resume, only --threads, --inter-threads, --export and --data-dir may be given)");
      }
    } else if (experiment.equals("toy-regression") && parsed.hasMatchedOption("--dataset")) {
      throw new UserException("--dataset cannot be combined with --experiment toy-regression, which makes its own "
          + "data; it is for the MNIST experiments");
    } else if (experiment.startsWith("split-cifar-") && parsed.hasMatchedOption("--dataset")) {
      throw new UserException("--dataset cannot be combined with --experiment " + experiment + ", which reads CIFAR-10 and "
          + "CIFAR-100; it is for the MNIST experiments");
    }
  }

  /** {@code c} with --threads and --inter-threads applied, the settings a resumed run may change. */
  private ExperimentConfig withThreads(ExperimentConfig c) {
    if (threads == null && interThreads == null) {
      return c;
    }
    LearnerSettings.Builder s = c.settings().toBuilder();
    if (threads != null) s.intraOpThreads(threads);
    if (interThreads != null) s.interOpThreads(interThreads);
    return c.withSettings(s.build());
  }

  private static final List<String> METHODS = List.of("hnet", "fine-tuning", "target-only", "ewc", "online-ewc", "si", "multitask", "hnet-r", "hnet-tir", "dgr", "rpl-ub");

  /** The methods to train, in {@link #METHODS} order, from --methods or --baselines. */
  List<String> chosenMethods() {
    if (methods == null) {
      return baselines ? List.of("hnet", "fine-tuning", "target-only") : List.of("hnet");
    }
    if (baselines) {
      throw new IllegalArgumentException("give --baselines or --methods, not both");
    }
    java.util.Set<String> given = new java.util.LinkedHashSet<>();
    for (String m : methods) {
      String id = m.trim().toLowerCase(Locale.ROOT);
      if (!METHODS.contains(id)) {
        throw new IllegalArgumentException(
            "unknown method '" + m + "' for --methods; choose from " + String.join(", ", METHODS));
      }
      given.add(id);
    }
    return METHODS.stream().filter(given::contains).toList();
  }

  /** Whether the option was given on the command line (not just defaulted). */
  private boolean given(String name) {
    return spec != null && spec.commandLine().getParseResult().hasMatchedOption(name);
  }

  /** With --config, only flags given override the file; without it, every flag's default applies. */
  private boolean applies(String name) {
    return config == null || given(name);
  }

  ExperimentConfig configure() {
    if (config != null && given("--experiment")) {
      throw new UserException("give --experiment or --config, not both");
    }
    ExperimentConfig base;
    try {
      base = config != null ? ConfigOverrides.read(config) : Experiments.byName(experiment);
    } catch (IllegalArgumentException e) {
      throw new UserException(e.getMessage(), e);
    }
    ExperimentConfig configured = withFlags(base);
    try {
      return ConfigOverrides.apply(configured, ConfigOverrides.parse(overrides == null ? List.of() : overrides));
    } catch (IllegalArgumentException e) {
      throw new UserException("--set: " + e.getMessage(), e);
    }
  }

  private ExperimentConfig withFlags(ExperimentConfig base) {
    LearnerSettings.Builder s = base.settings().toBuilder();
    if (applies("--seed")) s.seed(seed);
    if (iterations != null && epochs != null) {
      throw new UserException("give --iterations or --epochs, not both");
    }
    if (iterations != null) s.iterations(iterations).epochs(0);
    if (epochs != null) s.epochs(epochs);
    if (augment != null) s.augment(augment);
    if (lrSchedule != null) {
      String id = lrSchedule.trim().toUpperCase(Locale.ROOT).replace('-', '_');
      try {
        s.lrSchedule(LearnerSettings.LrSchedule.valueOf(id));
      } catch (IllegalArgumentException e) {
        throw new UserException("unknown --lr-schedule '" + lrSchedule + "'; choose constant or resnet-steps");
      }
    }
    if (lr != null) s.learningRate(lr);
    if (batchSize != null) s.batchSize(batchSize);
    if (beta != null) s.beta(beta);
    if (regularizerTasks != null) s.regularizerTasks(regularizerTasks);
    if (noLookahead) s.lookahead(false);
    if (regularizerForm != null) {
      s.regularizerForm(LearnerSettings.RegularizerForm.valueOf(regularizerForm.toUpperCase(Locale.ROOT).trim()));
    }
    if (threads != null) s.intraOpThreads(threads);
    if (interThreads != null) s.interOpThreads(interThreads);
    if (checkpointEvery != null || config == null) s.checkpointEvery(checkpointEvery != null ? checkpointEvery : 500);
    HypernetworkSpec h = base.hypernetwork();
    int cs = chunkSize != null ? chunkSize : h.chunkSize();
    int dc = cs == 0 ? 0 : chunkEmbeddingDim != null ? chunkEmbeddingDim : (h.chunkEmbeddingDim() > 0 ? h.chunkEmbeddingDim() : 8);
    HypernetworkSpec hnet =
        new HypernetworkSpec(
            embeddingDim != null ? embeddingDim : h.embeddingDim(),
            hnetHidden != null ? hnetHidden : h.hidden(),
            hnetActivation != null ? Activation.parse(hnetActivation) : h.activation(),
            cs, dc, h.targetSize());
    ExperimentConfig c = base.withSettings(s.build()).withHypernetwork(hnet);
    // An experiment defined in another scenario (split-mnist-classes: cl3) keeps it unless one is asked for.
    if (applies("--scenario") && (given("--scenario") || base.scenario() == Scenario.CL1)) {
      Scenario sc = Scenario.parse(scenario);
      c = c.withScenario(sc);
      c = c.withSettings(c.settings().toBuilder().baselines(Experiments.baselineDefaults(c.name(), sc)).build());
    }
    LearnerSettings.Baselines b = c.settings().baselines();
    if (ewcLambda != null || onlineEwcLambda != null || ewcGamma != null || siC != null || empiricalFisher || fisherSamples != null) {
      b = new LearnerSettings.Baselines(
          ewcLambda != null ? ewcLambda : b.ewcLambda(),
          onlineEwcLambda != null ? onlineEwcLambda : b.onlineEwcLambda(),
          ewcGamma != null ? ewcGamma : b.onlineEwcGamma(),
          siC != null ? siC : b.siC(), b.siXi(),
          empiricalFisher || b.empiricalFisher(),
          fisherSamples != null ? fisherSamples : b.fisherSamples());
      c = c.withSettings(c.settings().toBuilder().baselines(b).build());
    }
    if (replayModel != null) {
      String model = replayModel.trim().toLowerCase(Locale.ROOT);
      LearnerSettings.Replay r = c.settings().replay();
      if (model.equals("gan")) {
        r = r.asGan(ganLoss != null ? ganLoss : "vanilla");
      } else if (!model.equals("vae")) {
        throw new UserException("unknown --replay-model '" + replayModel + "'; choose vae or gan");
      }
      c = c.withSettings(c.settings().toBuilder().replay(r).build());
    } else if (ganLoss != null) {
      throw new UserException("--gan-loss needs --replay-model gan");
    }
    if (replayBeta != null || replayIterations != null || replayLr != null || decoderHidden != null) {
      LearnerSettings.Replay r = c.settings().replay();
      r = new LearnerSettings.Replay(r.encoderHidden(),
          decoderHidden != null ? java.util.Arrays.stream(decoderHidden).boxed().toList() : r.decoderHidden(),
          r.latentDim(), r.conditionDim(), r.embeddingDim(), r.chunkEmbeddingDim(), r.hnetHidden(), r.hnetActivation(), r.chunkSize(),
          replayBeta != null ? replayBeta : r.beta(),
          replayIterations != null ? replayIterations : r.iterations(),
          replayLr != null ? replayLr : r.encoderLearningRate(),
          replayLr != null ? replayLr : r.decoderLearningRate(),
          r.replayWeight(), r.temperature(), r.model(), r.ganLoss(), r.discriminatorDropout());
      c = c.withSettings(c.settings().toBuilder().replay(r).build());
    }
    if (applies("--task-inference")) c = c.withTaskInference(TaskInference.Score.parse(taskInference));
    return c;
  }

  private RunResults runOne(ExperimentConfig config, TaskSource source, RunDirectory dir, PrintWriter out) throws IOException {
    out.printf("%n== %s (%s, %s) on %s -> %s%n", config.name(), config.method().name().toLowerCase(Locale.ROOT),
        config.scenario().id(), source.name(), dir.root());
    out.printf("target network %s: %,d weights%n", config.target(), config.target().parameterCount());
    if (config.method().generatesWeights(config) || config.method() == Method.HNET_TIR) {
      out.printf("%s: %,d weights + %,d in %d task embeddings; compression ratio %.4f%n", config.hypernetwork(),
          config.hypernetwork().parameterCount(), (long) config.numTasks() * config.hypernetwork().embeddingDim(),
          config.numTasks(), config.compressionRatio());
    }
    if (config.method() == Method.HNET_TIR) {
      out.printf("task-inference network: %,d weights%n", org.hypercl.training.HnetTirLearner.taskInferenceWeights(config));
    }
    if (config.method() == Method.DGR) {
      LearnerSettings.Replay r = config.settings().replay();
      int in = config.target().inputSize();
      out.printf("replay VAE (own weights): encoder %s, %,d weights; decoder %s, %,d weights%n", r.encoder(in),
          r.encoder(in).parameterCount(), r.decoder(in), r.decoder(in).parameterCount());
    }
    if (config.method() == Method.HNET_R || config.method() == Method.HNET_TIR) {
      LearnerSettings.Replay r = config.settings().replay();
      int in = config.target().inputSize();
      org.hypercl.graphs.HypernetworkSpec h = r.hypernetwork(in);
      out.printf("replay VAE: encoder %s, %,d weights; decoder %s, %,d weights, generated by %s: %,d weights + %,d in %d task "
              + "embeddings%n", r.encoder(in), r.encoder(in).parameterCount(), r.decoder(in), r.decoder(in).parameterCount(), h,
          h.parameterCount(), (long) Math.max(1, config.numTasks() - 1) * h.embeddingDim(), Math.max(1, config.numTasks() - 1));
    }
    out.println("settings: " + config.settings());
    out.flush();
    RunResults results;
    try (ContinualRunner.Outcome o = new ContinualRunner(config, source, dir, new TrainingProgress(config.name(), spec.commandLine().getOut())).run()) {
      org.hypercl.tools.report.RunReport.writeAll(dir, o.results());
      results = o.results();
    } catch (org.tensorflow.exceptions.TensorFlowException e) {
      // TensorFlow writes the events file itself; a full disk there is the user's to fix, not a bug.
      UserException named = Writes.runFolderFailure(dir.root(), e);
      throw named != null ? named : e;
    }
    if (export) {
      org.hypercl.tools.serving.ExportCommand.exportTrainedRun(dir.root(), out);
    }
    return results;
  }

  private static void printComparison(PrintWriter out, List<RunResults> runs) {
    out.println();
    String metric = runs.get(0).metric();
    out.printf("%-34s %12s %12s %10s %11s %10s%n", "run", "during", "after (ACC)", "BWT", "forgetting", "train s");
    for (RunResults r : runs) {
      out.printf("%-34s %12.3f %12.3f %10.3f %11.3f %10.1f%n", r.experiment(), r.meanDuring(), r.meanAfter(),
          r.backwardTransfer(), r.forgetting(), r.totalTrainSeconds());
    }
    out.println("(metric: " + metric + ", matrix " + runs.get(0).primary() + ")");
    InferenceSummary.print(out, runs);
    out.flush();
  }
}
