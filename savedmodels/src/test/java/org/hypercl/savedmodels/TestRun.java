package org.hypercl.savedmodels;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.hypercl.graphs.Activation;
import org.hypercl.graphs.Hypernetwork;
import org.hypercl.graphs.HypernetworkSpec;
import org.hypercl.graphs.MlpSpec;
import org.hypercl.graphs.ForwardContext;
import org.hypercl.graphs.TaskEmbeddings;
import org.hypercl.graphs.Tensors;
import org.hypercl.graphs.Variables;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A run folder written the way the learner writes one (config.json, checkpoints/latest,
 * task-NNN/model.* and state.json), from randomly initialised graphs-module networks, plus extra
 * checkpoint variables like Adam's slots. Its own graph stays open as the expected outputs.
 */
final class TestRun implements AutoCloseable {

  final Path dir;
  final OutputKind kind;
  final MlpSpec target;
  final HypernetworkSpec hnetSpec;
  final int numTasks;
  final int tasksLearned;
  private final Graph graph = new Graph();
  private final Session session;
  private final Placeholder<TFloat32> x;
  private final Placeholder<TInt32> task;
  private final Operand<TFloat32> weights;
  private final Operand<TFloat32> output;
  private final Operand<TFloat32> table;

  /** Toy-regression shapes: 1-10-10-1 sigmoid target, full hypernetwork with 2-D embeddings. */
  static TestRun regression(Path dir, int numTasks, int learned) throws IOException {
    MlpSpec target = new MlpSpec(1, new int[] {10, 10}, 1, 1, Activation.SIGMOID);
    return new TestRun(dir, OutputKind.REGRESSION, target,
        HypernetworkSpec.full(2, new int[] {10, 10}, Activation.SIGMOID, target.parameterCount()), numTasks, learned);
  }

  /** A small multi-head classifier with a chunked hypernetwork: 6-8-3 x heads, chunks of 16. */
  static TestRun classification(Path dir, int numTasks, int learned) throws IOException {
    MlpSpec target = new MlpSpec(6, new int[] {8}, 3, numTasks, Activation.RELU);
    return new TestRun(dir, OutputKind.CLASSIFICATION, target,
        HypernetworkSpec.chunked(4, 3, new int[] {7}, Activation.ELU, 16, target.parameterCount()), numTasks, learned);
  }

  /**
   * The classifier of {@link #classification} with a tasks.json as the learner writes it: task t
   * has input permutation {@code permutations[t]} (null: none, so no entry).
   */
  static TestRun permutedClassification(Path dir, int numTasks, int learned, int[][] permutations) throws IOException {
    TestRun run = classification(dir, numTasks, learned);
    ObjectNode tasks = Json.MAPPER.createObjectNode();
    var list = tasks.putArray("tasks");
    for (int t = 0; t < numTasks; t++) {
      ObjectNode task = list.addObject().put("index", t).put("name", "task-name-" + t);
      if (permutations[t] != null) {
        var p = task.putArray("permutation");
        for (int v : permutations[t]) {
          p.add(v);
        }
      }
    }
    Json.write(dir.resolve("tasks.json"), tasks);
    return run;
  }

  /** {@code out[r, j] = x[r, perm[j]]}, the learner's gather. */
  static float[] permute(float[] x, int n, int[] perm) {
    float[] out = new float[x.length];
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < perm.length; j++) {
        out[r * perm.length + j] = x[r * perm.length + perm[j]];
      }
    }
    return out;
  }

  private TestRun(Path dir, OutputKind kind, MlpSpec target, HypernetworkSpec spec, int numTasks, int learned)
      throws IOException {
    this.dir = dir;
    this.kind = kind;
    this.target = target;
    this.hnetSpec = spec;
    this.numTasks = numTasks;
    this.tasksLearned = learned;
    Ops tf = Ops.create(graph);
    Hypernetwork hnet = Hypernetwork.create(tf, spec, 7);
    TaskEmbeddings emb = new TaskEmbeddings(tf, numTasks, spec.embeddingDim(), 11);
    // Extra checkpoint content the exporter must skip: optimizer slots and a step counter.
    Variables.zeros(tf, "adam/m0", 3, 2);
    Variables.named(tf, "adam/step").variable(tf.constant(5f));
    x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, target.inputSize())));
    task = tf.placeholder(TInt32.class, Placeholder.shape(Shape.scalar()));
    table = tf.identity(emb.table());
    weights = hnet.generateOne(tf, hnet.read(tf), tf.gather(table, task, tf.constant(0)));
    output = target.network().forward(tf, x, weights, ForwardContext.head(task)).output();
    session = new Session(graph);
    session.initialize();

    Path ckpt = dir.resolve("checkpoints").resolve(String.format("task-%03d", learned));
    Files.createDirectories(ckpt);
    session.save(ckpt.resolve("model").toString());
    ObjectNode state = Json.MAPPER.createObjectNode();
    state.put("tasksLearned", learned);
    var names = state.putObject("results").putArray("tasks");
    for (int t = 0; t < numTasks; t++) {
      names.add("task-name-" + t);
    }
    Json.write(ckpt.resolve("state.json"), state);
    Files.writeString(dir.resolve("checkpoints").resolve("latest"), ckpt.getFileName() + "\n", StandardCharsets.UTF_8);
    ObjectNode config = Json.MAPPER.createObjectNode();
    config.put("experiment", "Test " + kind.name().toLowerCase());
    config.put("kind", kind.name());
    config.put("numTasks", numTasks);
    config.put("data", "synthetic");
    config.set("target", Json.MAPPER.valueToTree(target.toMap()));
    config.set("hypernetwork", Json.MAPPER.valueToTree(spec.toMap()));
    config.putObject("provenance").put("hypercl", "test").put("created", "2020-01-01T00:00:00Z");
    Json.write(dir.resolve("config.json"), config);
  }

  /** Target outputs for a task (its head), {@code [n · outputSize]}. */
  float[] predict(int t, float[] xs, int n) {
    try (TFloat32 tx = Tensors.floats(xs, n, target.inputSize());
        TInt32 tt = TInt32.scalarOf(t);
        Result r = session.runner().feed(x, tx).feed(task, tt).fetch(output).run()) {
      return Tensors.toFloats(r.get(0));
    }
  }

  float[] weights(int t) {
    try (TInt32 tt = TInt32.scalarOf(t);
        Result r = session.runner().feed(task, tt).fetch(weights).run()) {
      return Tensors.toFloats(r.get(0));
    }
  }

  float[] embedding(int t) {
    try (Result r = session.runner().fetch(table).run()) {
      float[] all = Tensors.toFloats(r.get(0));
      int d = hnetSpec.embeddingDim();
      return java.util.Arrays.copyOfRange(all, t * d, (t + 1) * d);
    }
  }

  static float[] inputs(int n, int width, long seed) {
    java.util.Random rng = new java.util.Random(seed);
    float[] v = new float[n * width];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (rng.nextGaussian() * 2);
    }
    return v;
  }

  static List<String> listTree(Path root) throws IOException {
    try (var s = Files.walk(root)) {
      return s.map(p -> root.relativize(p).toString()).sorted().toList();
    }
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
