package org.hypercl.graphs;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * A task-conditioned hypernetwork {@code Θ = h(e, Θ_h)} (von Oswald et al., 2020, §2).
 *
 * <p>Its parameters are passed in explicitly as operands (in {@link #variables()} order), so the
 * same builder evaluates the network at {@code Θ_h}, at {@code Θ_h + ΔΘ_h} (the lookahead) or at
 * restored values. Every method takes a batch of k task embeddings {@code [k, d_e]} and runs all of
 * them in one pass.
 *
 * <p>The output layer is linear, {@code out_r = h'_r · W'} with {@code W' = [W; b]} and
 * {@code h'_r = [h_r, 1]}; {@link #lastHidden} and {@link #outputMatrix} expose the two factors so
 * the {@link OutputRegularizer} can expand the squared error without materialising outputs.
 */
public abstract class Hypernetwork {

  /** The name runs have always given the classifier's hypernetwork (its variables are {@code hnet/...}). */
  public static final String DEFAULT_NAME = "hnet";

  protected final HypernetworkSpec spec;
  protected final String name;
  private final List<Variable<TFloat32>> variables = new ArrayList<>();
  private final List<String> names = new ArrayList<>();

  protected Hypernetwork(String name, HypernetworkSpec spec) {
    if (name == null || name.isBlank() || name.startsWith("/") || name.endsWith("/")) {
      throw new IllegalArgumentException("a hypernetwork needs a name such as 'hnet' or 'replay/hnet', got '" + name + "'");
    }
    this.name = name;
    this.spec = spec;
  }

  /** Builds a full or chunked hypernetwork named {@link #DEFAULT_NAME}, initialised from {@code seed}. */
  public static Hypernetwork create(Ops tf, HypernetworkSpec spec, long seed) {
    return create(tf, DEFAULT_NAME, spec, seed);
  }

  /**
   * Builds a full or chunked hypernetwork as the spec says, initialised from {@code seed}; its
   * variables are named {@code name/...}, so hypernetworks of different names share a graph.
   */
  public static Hypernetwork create(Ops tf, String name, HypernetworkSpec spec, long seed) {
    return spec.isChunked() ? new ChunkedHypernetwork(tf, name, spec, seed) : new FullHypernetwork(tf, name, spec, seed);
  }

  /** The prefix of its variables' names. */
  public String name() {
    return name;
  }

  public HypernetworkSpec spec() {
    return spec;
  }

  /** The trainable parameters Θ_h, chunk embeddings included. */
  public List<Variable<TFloat32>> variables() {
    return Collections.unmodifiableList(variables);
  }

  /** Names of {@link #variables()}, in the same order. */
  public List<String> variableNames() {
    return Collections.unmodifiableList(names);
  }

  /** Identity reads of the variables, the usual parameter operands. */
  public List<Operand<TFloat32>> read(Ops tf) {
    return Variables.read(tf, variables);
  }

  protected Variable<TFloat32> register(Variable<TFloat32> v, String name) {
    variables.add(v);
    names.add(name);
    return v;
  }

  /** Creates the hidden and output layers after the first (which subclasses own). */
  protected void createLayers(Ops tf, SplittableRandom rng, int firstIn) {
    int[] hidden = spec.hidden();
    int in = firstIn;
    for (int l = 0; l <= hidden.length; l++) {
      int out = l < hidden.length ? hidden[l] : spec.rowSize();
      if (l > 0) {
        register(Variables.of(tf, name + "/w" + l, Initializers.xavierUniform(in, out, rng), in, out), "w" + l);
      }
      register(Variables.zeros(tf, name + "/b" + l, out), "b" + l);
      in = out;
    }
  }

  /** Number of leading parameters owned by the first layer's input (embeddings and W₀ parts). */
  protected abstract int firstLayerParamCount();

  /**
   * The first layer's pre-activation for every (task, chunk) row, {@code [k·n_c, width]}, given
   * the first layer's bias.
   */
  protected abstract Operand<TFloat32> firstLayer(
      Ops tf, List<Operand<TFloat32>> params, Operand<TFloat32> embeddings, Operand<TFloat32> bias);

  /** The first layer's input rows {@code [k·n_c, d_e (+ d_c)]}, for a network with no hidden layer. */
  protected abstract Operand<TFloat32> inputRows(
      Ops tf, List<Operand<TFloat32>> params, Operand<TFloat32> embeddings);

  /** The first layer's weight matrix {@code [d_e (+ d_c), width]}. */
  protected abstract Operand<TFloat32> firstLayerMatrix(Ops tf, List<Operand<TFloat32>> params);

  /**
   * Rows fed to the linear output layer, {@code [k·n_c, lastHiddenSize]}, task-major: row
   * {@code j·n_c + i} is chunk i of task j.
   */
  public Operand<TFloat32> lastHidden(Ops tf, List<Operand<TFloat32>> params, Operand<TFloat32> embeddings) {
    checkParams(params);
    int[] hidden = spec.hidden();
    if (hidden.length == 0) {
      return inputRows(tf, params, embeddings);
    }
    int p = firstLayerParamCount();
    Operand<TFloat32> h = spec.activation().apply(tf, firstLayer(tf, params, embeddings, params.get(p)));
    p++;
    for (int l = 1; l < hidden.length; l++) {
      h = spec.activation().apply(tf, tf.nn.biasAdd(tf.linalg.matMul(h, params.get(p)), params.get(p + 1)));
      p += 2;
    }
    return h;
  }

  /** The output layer with its bias as the last row, {@code W' = [W; b]}: {@code [h+1, S]}. */
  public Operand<TFloat32> outputMatrix(Ops tf, List<Operand<TFloat32>> params) {
    checkParams(params);
    int n = params.size();
    Operand<TFloat32> w = spec.hidden().length == 0 ? firstLayerMatrix(tf, params) : params.get(n - 2);
    Operand<TFloat32> b = tf.reshape(params.get(n - 1), tf.constant(new int[] {1, spec.rowSize()}));
    return tf.concat(List.of(w, b), tf.constant(0));
  }

  /** Output rows {@code [k·n_c, S]}. */
  public Operand<TFloat32> outputRows(Ops tf, List<Operand<TFloat32>> params, Operand<TFloat32> embeddings) {
    Operand<TFloat32> h = lastHidden(tf, params, embeddings);
    int n = params.size();
    Operand<TFloat32> w = spec.hidden().length == 0 ? firstLayerMatrix(tf, params) : params.get(n - 2);
    return tf.nn.biasAdd(tf.linalg.matMul(h, w), params.get(n - 1));
  }

  /** Generated target weights for k tasks, {@code [k, P]} (chunks concatenated, tail cut). */
  public Operand<TFloat32> generate(Ops tf, List<Operand<TFloat32>> params, Operand<TFloat32> embeddings) {
    Operand<TFloat32> rows = outputRows(tf, params, embeddings);
    int width = Math.multiplyExact(spec.numChunks(), spec.rowSize());
    Operand<TFloat32> flat = tf.reshape(rows, tf.constant(new int[] {-1, width}));
    if (width == spec.targetSize()) {
      return flat;
    }
    int p = Math.toIntExact(spec.targetSize());
    return tf.slice(flat, tf.constant(new int[] {0, 0}), tf.constant(new int[] {-1, p}));
  }

  /**
   * As {@link #generateOne} without cutting off the last chunk's unused tail: a flat {@code
   * [n_c·S]} vector whose first P values are the weights. For a target's forward pass in training,
   * whose {@link WeightLayout#split} drops the tail itself, so no slice and no pad of its gradient
   * copies the weights each step.
   */
  public Operand<TFloat32> generateOneUncut(Ops tf, List<Operand<TFloat32>> params, Operand<TFloat32> embedding) {
    Operand<TFloat32> e = tf.reshape(embedding, tf.constant(new int[] {1, spec.embeddingDim()}));
    return tf.reshape(outputRows(tf, params, e), tf.constant(new int[] {Math.multiplyExact(spec.numChunks(), spec.rowSize())}));
  }

  /** Generated target weights for one task embedding {@code [d_e]}, as a flat {@code [P]} vector. */
  public Operand<TFloat32> generateOne(Ops tf, List<Operand<TFloat32>> params, Operand<TFloat32> embedding) {
    Operand<TFloat32> e = tf.reshape(embedding, tf.constant(new int[] {1, spec.embeddingDim()}));
    return tf.reshape(generate(tf, params, e), tf.constant(new int[] {Math.toIntExact(spec.targetSize())}));
  }

  private void checkParams(List<Operand<TFloat32>> params) {
    if (params.size() != variables.size()) {
      throw new IllegalArgumentException(
          "expected " + variables.size() + " hypernetwork parameter operands, got " + params.size());
    }
  }
}
