package org.hypercl.graphs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/** The convolutional targets: counts, layouts against TF's own ops, batch-norm state, dropout. */
class ConvTargetsTest {

  private static float[] random(int n, SplittableRandom rng, double scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) ((rng.nextDouble() * 2 - 1) * scale);
    }
    return v;
  }

  /** The paper's Split CIFAR-10/100 counts (6 tasks of 10 classes) and their hypernetworks. */
  @Test
  void parameterCounts() {
    ZenkeNetSpec zenke = new ZenkeNetSpec(6, 10);
    assertThat(zenke.parameterCount()).isEqualTo(1_276_508);
    HypernetworkSpec zh = HypernetworkSpec.chunked(48, 80, new int[] {100, 150, 200}, Activation.RELU, 5_500, zenke.parameterCount());
    assertThat(zh.numChunks()).isEqualTo(233);
    assertThat(zh.parameterCount()).isEqualTo(1_182_390);
    assertThat(6L * zh.embeddingDim()).isEqualTo(288);

    ResNetSpec resnet = ResNetSpec.resnet32(6, 10);
    assertThat(resnet.depth()).isEqualTo(32);
    assertThat(resnet.parameterCount()).isEqualTo(468_540);
    long bn = resnet.layout().entries().stream().filter(e -> e.name().startsWith("bn")).mapToLong(WeightLayout.Entry::size).sum();
    assertThat(bn).isEqualTo(2_272);
    HypernetworkSpec rh = HypernetworkSpec.chunked(32, 32, new int[0], Activation.RELU, 7_000, resnet.parameterCount());
    assertThat(rh.numChunks()).isEqualTo(67);
    assertThat(rh.parameterCount()).isEqualTo(457_144);
    assertThat(resnet.stateTables()).hasSize(62);
    assertThat(resnet.withHeads(1).parameterCount()).isEqualTo(468_540 - 5 * 650);
  }

  @Test
  void specsRoundTripThroughTheirTaggedMaps() {
    for (TargetSpec s : List.of(new ZenkeNetSpec(6, 10), new ZenkeNetSpec(2, 5, 0.1f, 0.3f), ResNetSpec.resnet32(6, 10), new ResNetSpec(1, 2, 3))) {
      assertThat(TargetSpec.fromMap(s.toMap())).isEqualTo(s);
    }
    assertThat(new ResNetSpec(3, 2, 10).toMap()).containsEntry("type", "resnet");
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> TargetSpec.fromMap(Map.of("type", "vgg")));
    assertThat(bad.getMessage()).contains("vgg").contains("zenkenet").contains("resnet");
    assertThat(assertThrows(IllegalArgumentException.class, () -> new ZenkeNetSpec(6, 10, 1f, 0.5f)).getMessage()).contains("convDropout");
  }

  /**
   * A strided, padded convolution from a {@code [out, in, kh, kw]} kernel against a plain Java
   * loop with PyTorch's semantics (symmetric zero padding), where TF's SAME padding would differ.
   */
  @Test
  void convolutionMatchesAJavaLoopWithSymmetricPadding() {
    // A strided convolution (a Pad op), stride 1 with pad 1 of a 3×3 kernel of known shape (SAME),
    // stride 1 without padding, and stride 1 with pad 1 of a kernel whose shape the graph does not know.
    convolutionMatchesAJavaLoop(2, 1, false);
    convolutionMatchesAJavaLoop(1, 1, true);
    convolutionMatchesAJavaLoop(1, 0, true);
    convolutionMatchesAJavaLoop(1, 1, false);
  }

  private static void convolutionMatchesAJavaLoop(int stride, int pad, boolean knownKernelShape) {
    int n = 2, h = 7, w = 6, cin = 3, cout = 4, k = 3;
    SplittableRandom rng = new SplittableRandom(3);
    float[] x = random(n * h * w * cin, rng, 1);
    float[] kernel = random(cout * cin * k * k, rng, 1);
    float[] bias = random(cout, rng, 1);
    int oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1;
    float[] expected = new float[n * oh * ow * cout];
    for (int b = 0; b < n; b++) {
      for (int i = 0; i < oh; i++) {
        for (int j = 0; j < ow; j++) {
          for (int o = 0; o < cout; o++) {
            double sum = bias[o];
            for (int c = 0; c < cin; c++) {
              for (int di = 0; di < k; di++) {
                for (int dj = 0; dj < k; dj++) {
                  int r = i * stride + di - pad, q = j * stride + dj - pad;
                  if (r >= 0 && r < h && q >= 0 && q < w) {
                    sum += x[((b * h + r) * w + q) * cin + c] * kernel[((o * cin + c) * k + di) * k + dj];
                  }
                }
              }
            }
            expected[((b * oh + i) * ow + j) * cout + o] = (float) sum;
          }
        }
      }
    }
    try (Graph g = new Graph(); Session s = new Session(g);
        TFloat32 xt = Tensors.floats(x, n, h, w, cin); TFloat32 kt = Tensors.floats(kernel, cout, cin, k, k); TFloat32 bt = Tensors.floats(bias, cout)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> xp = tf.placeholder(TFloat32.class);
      Placeholder<TFloat32> kp = tf.placeholder(TFloat32.class);
      Placeholder<TFloat32> bp = tf.placeholder(TFloat32.class);
      Operand<TFloat32> kernelOperand = knownKernelShape
          ? tf.constant(org.tensorflow.ndarray.Shape.of(cout, cin, k, k), org.tensorflow.ndarray.buffer.DataBuffers.of(kernel, true, false))
          : kp;
      Operand<TFloat32> y = ConvLayers.conv2d(tf, xp, kernelOperand, bp, stride, pad);
      float[] got = GraphTestSupport.fetch(s, knownKernelShape ? Map.of(xp, xt, bp, bt) : Map.of(xp, xt, kp, kt, bp, bt), y);
      assertThat(got).hasSize(expected.length);
      for (int i = 0; i < got.length; i++) {
        assertThat(got[i]).as("stride %d, pad %d, output %d", stride, pad, i).isCloseTo(expected[i], within(1e-4f));
      }
    }
  }

  /**
   * ZenkeNet on generated weights equals the same network written with TF's own SAME/VALID
   * convolutions, HWIO kernels and a channel-first flatten, in inference mode (no dropout).
   */
  @Test
  void zenkeNetMatchesTfOpsOnTheSameKernels() {
    ZenkeNetSpec spec = new ZenkeNetSpec(2, 3);
    WeightLayout layout = spec.layout();
    SplittableRandom rng = new SplittableRandom(11);
    float[] theta = random(Math.toIntExact(layout.totalSize()), rng, 0.05);
    float[] x = random(2 * 3072, rng, 1);
    try (Graph g = new Graph(); Session s = new Session(g); TFloat32 xt = Tensors.floats(x, 2, 3072)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> xp = tf.placeholder(TFloat32.class);
      Operand<TFloat32> mine = spec.network().forwardAllHeads(tf, xp, tf.constant(theta), ForwardContext.none()).output();

      Operand<TFloat32> h = tf.reshape(xp, tf.constant(new int[] {-1, 32, 32, 3}));
      h = tf.nn.relu(conv(tf, h, layout, theta, "c0", "SAME"));
      h = tf.nn.relu(conv(tf, h, layout, theta, "c1", "VALID"));
      h = tf.nn.maxPool(h, tf.constant(new int[] {1, 2, 2, 1}), tf.constant(new int[] {1, 2, 2, 1}), "VALID");
      h = tf.nn.relu(conv(tf, h, layout, theta, "c2", "SAME"));
      h = tf.nn.relu(conv(tf, h, layout, theta, "c3", "VALID"));
      h = tf.nn.maxPool(h, tf.constant(new int[] {1, 2, 2, 1}), tf.constant(new int[] {1, 2, 2, 1}), "VALID");
      h = tf.reshape(tf.linalg.transpose(h, tf.constant(new int[] {0, 3, 1, 2})), tf.constant(new int[] {-1, 2304}));
      h = tf.nn.relu(dense(tf, h, layout, theta, "f0"));
      Operand<TFloat32> ref = tf.reshape(dense(tf, h, layout, theta, "f1"), tf.constant(new int[] {-1, 2, 3}));

      float[][] out = GraphTestSupport.fetch(s, Map.of(xp, xt), List.of(mine, ref));
      assertThat(out[0]).hasSize(2 * 2 * 3);
      for (int i = 0; i < out[0].length; i++) {
        assertThat(out[0][i]).isCloseTo(out[1][i], within(1e-4f));
      }
    }
  }

  /**
   * ResNet (n = 1) on generated weights, in inference with fresh running statistics, equals the
   * network written with plain TF ops: explicit symmetric padding and VALID convolutions, a strided
   * slice for option A's subsample, batch norm as (x − 0)/√(1 + ε)·γ + β.
   */
  @Test
  void resNetMatchesPlainTfOpsOnTheSameKernels() {
    ResNetSpec spec = new ResNetSpec(1, 2, 3);
    WeightLayout layout = spec.layout();
    SplittableRandom rng = new SplittableRandom(13);
    float[] theta = random(Math.toIntExact(layout.totalSize()), rng, 0.2);
    float[] x = random(2 * 3072, rng, 1);
    try (Graph g = new Graph(); Session s = new Session(g); TFloat32 xt = Tensors.floats(x, 2, 3072)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> xp = tf.placeholder(TFloat32.class);
      NetworkState state = NetworkState.variables(tf, "t/", spec.network().stateTables(), 2);
      ForwardContext ctx = ForwardContext.head(tf.constant(1)).withState(state);
      Operand<TFloat32> mine = spec.network().forwardAllHeads(tf, xp, tf.constant(theta), ctx).output();

      Operand<TFloat32> h = tf.reshape(xp, tf.constant(new int[] {-1, 32, 32, 3}));
      h = tf.nn.relu(convBnRef(tf, h, layout, theta, 0, 1));
      int layer = 1;
      for (int stage = 0; stage < 3; stage++) {
        int stride = stage > 0 ? 2 : 1;
        Operand<TFloat32> shortcut = h;
        if (stride == 2) {
          int pad = ResNetSpec.FILTERS[stage + 1] / 4;
          Operand<TFloat32> sub = tf.stridedSlice(h, tf.constant(new int[] {0, 0, 0, 0}), tf.constant(new int[] {0, 0, 0, 0}),
              tf.constant(new int[] {1, 2, 2, 1}), org.tensorflow.op.core.StridedSlice.beginMask(15L),
              org.tensorflow.op.core.StridedSlice.endMask(15L));
          shortcut = tf.pad(sub, tf.constant(new int[][] {{0, 0}, {0, 0}, {0, 0}, {pad, pad}}), tf.constant(0f));
        }
        Operand<TFloat32> inner = tf.nn.relu(convBnRef(tf, h, layout, theta, layer++, stride));
        h = tf.nn.relu(tf.math.add(convBnRef(tf, inner, layout, theta, layer++, 1), shortcut));
      }
      h = tf.math.mean(h, tf.constant(new int[] {1, 2}));
      Operand<TFloat32> ref = tf.reshape(dense(tf, h, layout, theta, "fc"), tf.constant(new int[] {-1, 2, 3}));
      s.initialize();
      float[][] out = GraphTestSupport.fetch(s, Map.of(xp, xt), List.of(mine, ref));
      assertThat(out[0]).hasSize(2 * 2 * 3);
      double scale = 0;
      for (float v : out[1]) {
        scale = Math.max(scale, Math.abs(v));
      }
      assertThat(scale).isGreaterThan(1e-3);
      for (int i = 0; i < out[0].length; i++) {
        assertThat((double) out[0][i]).as("output %d", i).isCloseTo(out[1][i], within(1e-4 * scale + 1e-5));
      }
    }
  }

  /** Conv {@code i} of a ResNet (pad 1, then VALID with {@code stride}) and its batch norm at fresh statistics. */
  private static Operand<TFloat32> convBnRef(Ops tf, Operand<TFloat32> h, WeightLayout layout, float[] theta, int i, int stride) {
    Operand<TFloat32> k = hwioKernel(tf, layout, theta, "conv" + i + "_w");
    Operand<TFloat32> padded = tf.pad(h, tf.constant(new int[][] {{0, 0}, {1, 1}, {1, 1}, {0, 0}}), tf.constant(0f));
    Operand<TFloat32> c = tf.nn.biasAdd(tf.nn.conv2d(padded, k, List.of(1L, (long) stride, (long) stride, 1L), "VALID"),
        slice(tf, layout, theta, "conv" + i + "_b"));
    Operand<TFloat32> inv = tf.constant((float) (1 / Math.sqrt(1 + ConvLayers.BN_EPSILON)));
    return tf.math.add(tf.math.mul(tf.math.mul(c, inv), slice(tf, layout, theta, "bn" + i + "_gamma")),
        slice(tf, layout, theta, "bn" + i + "_beta"));
  }

  /** Max pooling (TF's MaxPool op) has MaxPoolV2's values and gradient, a ragged edge dropped. */
  @Test
  void maxPoolEqualsMaxPoolV2ForwardAndBack() {
    SplittableRandom rng = new SplittableRandom(17);
    float[] x = random(2 * 7 * 6 * 3, rng, 1);
    float[] w = random(2 * 3 * 3 * 3, rng, 1);
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> xs = tf.identity(tf.constant(org.tensorflow.ndarray.Shape.of(2, 7, 6, 3), org.tensorflow.ndarray.buffer.DataBuffers.of(x)));
      Operand<TFloat32> weights = tf.constant(org.tensorflow.ndarray.Shape.of(2, 3, 3, 3), org.tensorflow.ndarray.buffer.DataBuffers.of(w));
      Operand<TFloat32> mine = ConvLayers.maxPool(tf, xs, 2);
      Operand<TFloat32> v2 = tf.nn.maxPool(xs, tf.constant(new int[] {1, 2, 2, 1}), tf.constant(new int[] {1, 2, 2, 1}), "VALID");
      Operand<TInt32> all = tf.constant(new int[] {0, 1, 2, 3});
      Operand<TFloat32> gMine = Tensors.floatOperands(tf.gradients(tf.sum(tf.math.mul(mine, weights), all), List.of(xs))).get(0);
      Operand<TFloat32> gV2 = Tensors.floatOperands(tf.gradients(tf.sum(tf.math.mul(v2, weights), all), List.of(xs))).get(0);
      assertThat(mine.op().type()).isEqualTo("MaxPool");
      float[][] out = GraphTestSupport.fetch(s, Map.of(), List.of(mine, v2, gMine, gV2));
      assertThat(out[0]).hasSize(2 * 3 * 3 * 3).containsExactly(out[1]);
      assertThat(out[2]).containsExactly(out[3]);
    }
  }

  /** TF's conv on the kernel of {@code name}, transposed to HWIO in Java. */
  private static Operand<TFloat32> conv(Ops tf, Operand<TFloat32> h, WeightLayout layout, float[] theta, String name, String padding) {
    Operand<TFloat32> k = hwioKernel(tf, layout, theta, name + "_w");
    return tf.nn.biasAdd(tf.nn.conv2d(h, k, List.of(1L, 1L, 1L, 1L), padding), slice(tf, layout, theta, name + "_b"));
  }

  /** The 3×3 kernel {@code name} of {@code theta}, {@code [out, in, 3, 3]}, as a TF {@code [3, 3, in, out]} constant. */
  private static Operand<TFloat32> hwioKernel(Ops tf, WeightLayout layout, float[] theta, String name) {
    WeightLayout.Entry e = layout.entry(name);
    int out = (int) e.shape()[0], in = (int) e.shape()[1];
    float[] hwio = new float[(int) e.size()];
    for (int o = 0; o < out; o++) {
      for (int c = 0; c < in; c++) {
        for (int i = 0; i < 3; i++) {
          for (int j = 0; j < 3; j++) {
            hwio[((i * 3 + j) * in + c) * out + o] = theta[(int) e.offset() + ((o * in + c) * 3 + i) * 3 + j];
          }
        }
      }
    }
    return tf.constant(org.tensorflow.ndarray.Shape.of(3, 3, in, out), org.tensorflow.ndarray.buffer.DataBuffers.of(hwio, true, false));
  }

  private static Operand<TFloat32> dense(Ops tf, Operand<TFloat32> h, WeightLayout layout, float[] theta, String name) {
    WeightLayout.Entry e = layout.entry(name + "_w");
    float[] w = java.util.Arrays.copyOfRange(theta, (int) e.offset(), (int) (e.offset() + e.size()));
    Operand<TFloat32> wt = tf.constant(org.tensorflow.ndarray.Shape.of(e.shape()), org.tensorflow.ndarray.buffer.DataBuffers.of(w, true, false));
    return tf.nn.biasAdd(tf.linalg.matMul(h, wt, MatMul.transposeB(true)), slice(tf, layout, theta, name + "_b"));
  }

  private static Operand<TFloat32> slice(Ops tf, WeightLayout layout, float[] theta, String name) {
    WeightLayout.Entry e = layout.entry(name);
    return tf.constant(java.util.Arrays.copyOfRange(theta, (int) e.offset(), (int) (e.offset() + e.size())));
  }

  /**
   * Batch norm in training normalises with the batch's statistics and rewrites only the
   * condition's running statistics (0.9 old + 0.1 batch, unbiased variance); in inference the
   * condition's running statistics normalise. The other condition's row stays as it was.
   */
  @Test
  void batchNormUpdatesOnlyTheConditionsRunningStatistics() {
    int n = 3, hw = 2, c = 2;
    SplittableRandom rng = new SplittableRandom(5);
    float[] x = random(n * hw * hw * c, rng, 2);
    float[] gamma = {1.5f, 0.5f};
    float[] beta = {0.1f, -0.2f};
    double[] mean = new double[c], var = new double[c];
    int count = n * hw * hw;
    for (int i = 0; i < x.length; i++) {
      mean[i % c] += x[i] / count;
    }
    for (int i = 0; i < x.length; i++) {
      var[i % c] += (x[i] - mean[i % c]) * (x[i] - mean[i % c]) / count;
    }
    try (Graph g = new Graph(); Session s = new Session(g); TFloat32 xt = Tensors.floats(x, n, hw, hw, c);
        TInt32 one = TInt32.scalarOf(1); TInt32 zero = TInt32.scalarOf(0)) {
      Ops tf = Ops.create(g);
      NetworkState state = NetworkState.variables(tf, "target/", ConvLayers.batchNormTables("bn0", c), 2);
      Placeholder<TFloat32> xp = tf.placeholder(TFloat32.class);
      Placeholder<TInt32> cond = tf.placeholder(TInt32.class);
      ForwardContext ctx = new ForwardContext(null, false, cond, false).withState(state);
      ConvLayers.Normalized train = ConvLayers.batchNorm(tf, xp, tf.constant(gamma), tf.constant(beta), "bn0", ctx.inTraining());
      ConvLayers.Normalized test = ConvLayers.batchNorm(tf, xp, tf.constant(gamma), tf.constant(beta), "bn0", ctx);
      assertThat(train.updates()).hasSize(2);
      assertThat(test.updates()).isEmpty();
      s.initialize();

      float[] y = GraphTestSupport.fetch(s, Map.of(xp, xt, cond, one), train.output());
      for (int i = 0; i < x.length; i++) {
        int ch = i % c;
        assertThat(y[i]).isCloseTo((float) ((x[i] - mean[ch]) / Math.sqrt(var[ch] + 1e-5) * gamma[ch] + beta[ch]), within(1e-4f));
      }
      Session.Runner r = s.runner().feed(xp, xt).feed(cond, one);
      train.updates().forEach(r::addTarget);
      r.run();
      float[] meanTable = GraphTestSupport.fetch(s, Map.of(), state.table("bn0/mean"));
      float[] varTable = GraphTestSupport.fetch(s, Map.of(), state.table("bn0/var"));
      for (int ch = 0; ch < c; ch++) {
        assertThat(meanTable[ch]).as("condition 0 mean").isEqualTo(0f);
        assertThat(varTable[ch]).as("condition 0 var").isEqualTo(1f);
        assertThat(meanTable[c + ch]).isCloseTo((float) (0.1 * mean[ch]), within(1e-5f));
        assertThat(varTable[c + ch]).isCloseTo((float) (0.9 + 0.1 * var[ch] * count / (count - 1)), within(1e-5f));
      }
      float[] y0 = GraphTestSupport.fetch(s, Map.of(xp, xt, cond, zero), test.output());
      float[] y1 = GraphTestSupport.fetch(s, Map.of(xp, xt, cond, one), test.output());
      for (int i = 0; i < x.length; i++) {
        int ch = i % c;
        assertThat(y0[i]).isCloseTo((float) (x[i] / Math.sqrt(1 + 1e-5) * gamma[ch] + beta[ch]), within(1e-4f));
        double m1 = meanTable[c + ch], v1 = varTable[c + ch];
        assertThat(y1[i]).isCloseTo((float) ((x[i] - m1) / Math.sqrt(v1 + 1e-5) * gamma[ch] + beta[ch]), within(1e-4f));
      }
    }
  }

  /**
   * The fused batch norm's gradients with respect to x, γ and β in training equal those of the
   * composite {@code (x − mean)·rsqrt(var + ε)·γ + β} over the batch's statistics.
   */
  @Test
  void batchNormGradientsEqualTheCompositeFormulas() {
    int n = 4, hw = 3, c = 3;
    SplittableRandom rng = new SplittableRandom(9);
    float[] x = random(n * hw * hw * c, rng, 2);
    float[] w = random(n * hw * hw * c, rng, 1);
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      NetworkState state = NetworkState.variables(tf, "target/", ConvLayers.batchNormTables("bn0", c), 2);
      Operand<TFloat32> xs = tf.identity(tf.constant(org.tensorflow.ndarray.Shape.of(n, hw, hw, c), org.tensorflow.ndarray.buffer.DataBuffers.of(x)));
      Operand<TFloat32> gamma = tf.identity(tf.constant(new float[] {1.5f, 0.5f, -1f}));
      Operand<TFloat32> beta = tf.identity(tf.constant(new float[] {0.1f, -0.2f, 0.3f}));
      Operand<TFloat32> weights = tf.constant(org.tensorflow.ndarray.Shape.of(n, hw, hw, c), org.tensorflow.ndarray.buffer.DataBuffers.of(w));
      ForwardContext ctx = new ForwardContext(null, false, tf.constant(1), false).withState(state).inTraining();
      Operand<TFloat32> fused = ConvLayers.batchNorm(tf, xs, gamma, beta, "bn0", ctx).output();
      Operand<TInt32> axes = tf.constant(new int[] {0, 1, 2});
      Operand<TFloat32> mean = tf.math.mean(xs, axes);
      Operand<TFloat32> var = tf.math.mean(tf.math.square(tf.math.sub(xs, mean)), axes);
      Operand<TFloat32> composite = tf.math.add(
          tf.math.mul(tf.math.mul(tf.math.sub(xs, mean), tf.math.rsqrt(tf.math.add(var, tf.constant(ConvLayers.BN_EPSILON)))), gamma), beta);
      Operand<TInt32> all = tf.constant(new int[] {0, 1, 2, 3});
      List<Operand<TFloat32>> wrt = List.of(xs, gamma, beta);
      List<Operand<TFloat32>> gFused = Tensors.floatOperands(tf.gradients(tf.sum(tf.math.mul(fused, weights), all), wrt));
      List<Operand<TFloat32>> gComposite = Tensors.floatOperands(tf.gradients(tf.sum(tf.math.mul(composite, weights), all), wrt));
      s.initialize();
      float[][] a = GraphTestSupport.fetch(s, Map.of(), List.of(fused, gFused.get(0), gFused.get(1), gFused.get(2)));
      float[][] b = GraphTestSupport.fetch(s, Map.of(), List.of(composite, gComposite.get(0), gComposite.get(1), gComposite.get(2)));
      String[] names = {"output", "dx", "dgamma", "dbeta"};
      for (int k = 0; k < names.length; k++) {
        assertThat(a[k]).as(names[k]).containsExactly(b[k], within(2e-4f));
      }
    }
  }

  /** ResNet-32 runs in both modes, asks for one update per statistic in training, and needs its state. */
  @Test
  void resNetForwardAndStateUpdates() {
    ResNetSpec spec = new ResNetSpec(1, 2, 3);
    TargetNetwork net = spec.network();
    SplittableRandom rng = new SplittableRandom(7);
    float[] theta = random(Math.toIntExact(spec.parameterCount()), rng, 0.1);
    float[] x = random(4 * 3072, rng, 1);
    try (Graph g = new Graph(); Session s = new Session(g); TFloat32 xt = Tensors.floats(x, 4, 32, 32, 3)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> xp = tf.placeholder(TFloat32.class);
      assertThat(assertThrows(IllegalArgumentException.class,
          () -> net.forwardAllHeads(tf, xp, tf.constant(theta), ForwardContext.none())).getMessage()).contains("per-condition state");
      NetworkState state = NetworkState.variables(tf, "t/", net.stateTables(), 2);
      ForwardContext ctx = ForwardContext.head(tf.constant(1)).withState(state);
      TargetNetwork.Forward train = net.forwardAllHeads(tf, xp, tf.constant(theta), ctx.inTraining());
      TargetNetwork.Forward test = net.forward(tf, xp, tf.constant(theta), ctx);
      assertThat(train.stateUpdates()).hasSize(2 * spec.numConvs());
      assertThat(test.stateUpdates()).isEmpty();
      s.initialize();
      float[] all = GraphTestSupport.fetch(s, Map.of(xp, xt), train.output());
      assertThat(all).hasSize(4 * 2 * 3);
      for (float v : all) {
        assertThat(Float.isFinite(v)).isTrue();
      }
      float[] before = GraphTestSupport.fetch(s, Map.of(xp, xt), test.output());
      Session.Runner r = s.runner().feed(xp, xt);
      train.stateUpdates().forEach(r::addTarget);
      r.run();
      float[] after = GraphTestSupport.fetch(s, Map.of(xp, xt), test.output());
      assertThat(before).hasSize(4 * 3);
      assertThat(after).isNotEqualTo(before);
    }
  }

  /**
   * Dropout is the identity outside training; in training it is drawn from the seed (same seed,
   * same mask), Dropout2d zeroes whole feature maps, and the kept units are scaled by 1/(1−p).
   */
  @Test
  void dropoutOnlyInTrainingAndSeeded() {
    float[] ones = new float[2 * 4 * 4 * 8];
    java.util.Arrays.fill(ones, 1f);
    try (Graph g = new Graph(); Session s = new Session(g); TFloat32 xt = Tensors.floats(ones, 2, 4, 4, 8);
        TInt64 seedA = TInt64.vectorOf(1L, 2L); TInt64 seedB = TInt64.vectorOf(1L, 3L)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> xp = tf.placeholder(TFloat32.class);
      Placeholder<TInt64> seed = tf.placeholder(TInt64.class);
      ForwardContext eval = ForwardContext.none();
      Operand<TFloat32> off = tf.identity(ConvLayers.dropout(tf, xp, 0.5f, true, eval, 0));
      Operand<TFloat32> on = ConvLayers.dropout(tf, xp, 0.5f, true, eval.inTraining(seed), 0);
      assertThat(assertThrows(IllegalArgumentException.class, () -> ConvLayers.dropout(tf, xp, 0.5f, true, eval.inTraining(), 0)).getMessage())
          .contains("seed");
      assertThat(GraphTestSupport.fetch(s, Map.of(xp, xt), off)).containsOnly(1f);
      float[] a = GraphTestSupport.fetch(s, Map.of(xp, xt, seed, seedA), on);
      float[] a2 = GraphTestSupport.fetch(s, Map.of(xp, xt, seed, seedA), on);
      float[] b = GraphTestSupport.fetch(s, Map.of(xp, xt, seed, seedB), on);
      assertThat(a).isEqualTo(a2).isNotEqualTo(b).containsOnly(0f, 2f).contains(0f, 2f);
      for (int n = 0; n < 2; n++) {
        for (int c = 0; c < 8; c++) {
          float first = a[(n * 16) * 8 + c];
          for (int p = 0; p < 16; p++) {
            assertThat(a[(n * 16 + p) * 8 + c]).as("example %d channel %d", n, c).isEqualTo(first);
          }
        }
      }
    }
  }

  /**
   * The candidate pass of task inference: each candidate's outputs equal its own forward pass,
   * normalised by its own task's batch-norm statistics (ResNet; task 1's statistics moved by a
   * few training steps so the two tasks' differ), for k below the bound and k = 1; ZenkeNet likewise,
   * dropout off. Without the bound the conv targets refuse, naming it.
   */
  @Test
  void candidatePassEqualsEachCandidatesOwnPassWithItsStatistics() {
    ResNetSpec spec = new ResNetSpec(1, 2, 3);
    TargetNetwork net = spec.network();
    assertThat(net.supportsCandidates()).isTrue();
    SplittableRandom rng = new SplittableRandom(21);
    int p = Math.toIntExact(spec.parameterCount());
    float[][] thetas = {random(p, rng, 0.1), random(p, rng, 0.1), random(p, rng, 0.1)};
    int[] conditions = {1, 0, 1};
    float[] x = random(3 * 3072, rng, 1);
    float[] moved = random(8 * 3072, rng, 5);
    try (Graph g = new Graph(); Session s = new Session(g); TFloat32 xt = Tensors.floats(x, 3, 3072);
        TFloat32 movedT = Tensors.floats(moved, 8, 3072)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> xp = tf.placeholder(TFloat32.class);
      Placeholder<TFloat32> wp = tf.placeholder(TFloat32.class);
      Placeholder<TInt32> cp = tf.placeholder(TInt32.class);
      NetworkState state = NetworkState.variables(tf, "t/", net.stateTables(), 2);
      Operand<TFloat32> all = net.forwardCandidates(tf, tf.expandDims(xp, tf.constant(0)), wp,
          new ForwardContext(null, false, cp, false, state, null), 4);
      List<Operand<TFloat32>> own = new java.util.ArrayList<>();
      for (int j = 0; j < 3; j++) {
        ForwardContext cj = ForwardContext.head(tf.constant(conditions[j])).withState(state);
        own.add(net.forwardAllHeads(tf, xp, tf.constant(thetas[j]), cj).output());
      }
      TargetNetwork.Forward step = net.forwardAllHeads(tf, xp, tf.constant(thetas[0]),
          ForwardContext.head(tf.constant(1)).withState(state).inTraining());
      s.initialize();
      for (int i = 0; i < 20; i++) {
        Session.Runner r = s.runner().feed(xp, movedT);
        step.stateUpdates().forEach(r::addTarget);
        r.run();
      }

      float[] flat = new float[3 * p];
      for (int j = 0; j < 3; j++) {
        System.arraycopy(thetas[j], 0, flat, j * p, p);
      }
      try (TFloat32 w3 = Tensors.floats(flat, 3, p); TInt32 c3 = Tensors.ints(conditions, 3);
          TFloat32 w1 = Tensors.floats(thetas[1], 1, p); TInt32 c1 = Tensors.ints(new int[] {0}, 1)) {
        float[] got = GraphTestSupport.fetch(s, Map.of(xp, xt, wp, w3, cp, c3), all);
        float[] got1 = GraphTestSupport.fetch(s, Map.of(xp, xt, wp, w1, cp, c1), all);
        float[][] want = GraphTestSupport.fetch(s, Map.of(xp, xt), own);
        int per = 3 * 2 * 3; // batch × heads × size
        assertThat(got).hasSize(3 * per);
        assertThat(got1).hasSize(per);
        for (int j = 0; j < 3; j++) {
          for (int i = 0; i < per; i++) {
            assertThat(got[j * per + i]).as("candidate %d output %d", j, i).isCloseTo(want[j][i], within(1e-5f));
          }
        }
        for (int i = 0; i < per; i++) {
          assertThat(got1[i]).isCloseTo(want[1][i], within(1e-5f));
        }
        // The statistics matter: candidate 0 (task 1's) differs from the same weights under task 0's.
        float[] under0 = GraphTestSupport.fetch(s, Map.of(xp, xt), net.forwardAllHeads(tf, xp, tf.constant(thetas[0]),
            ForwardContext.head(tf.constant(0)).withState(state)).output());
        double diff = 0;
        for (int i = 0; i < per; i++) {
          diff = Math.max(diff, Math.abs(under0[i] - want[0][i]));
        }
        assertThat(diff).isGreaterThan(1e-3);
      }
      assertThat(assertThrows(UnsupportedOperationException.class,
          () -> net.forwardCandidates(tf, xp, wp, ForwardContext.none())).getMessage()).contains("maxCandidates");
    }

    ZenkeNetSpec zenke = new ZenkeNetSpec(2, 3);
    TargetNetwork zn = zenke.network();
    int q = Math.toIntExact(zenke.parameterCount());
    float[] za = random(q, rng, 0.05);
    float[] zb = random(q, rng, 0.05);
    float[] both = new float[2 * q];
    System.arraycopy(za, 0, both, 0, q);
    System.arraycopy(zb, 0, both, q, q);
    try (Graph g = new Graph(); Session s = new Session(g); TFloat32 xt = Tensors.floats(x, 3, 3072);
        TFloat32 wt = Tensors.floats(both, 2, q)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> xp = tf.placeholder(TFloat32.class);
      Placeholder<TFloat32> wp = tf.placeholder(TFloat32.class);
      Operand<TFloat32> all = zn.forwardCandidates(tf, tf.expandDims(xp, tf.constant(0)), wp,
          new ForwardContext(null, false, tf.constant(new int[] {0, 1}), false, null, null), 2);
      Operand<TFloat32> a = zn.forwardAllHeads(tf, xp, tf.constant(za), ForwardContext.none()).output();
      Operand<TFloat32> b = zn.forwardAllHeads(tf, xp, tf.constant(zb), ForwardContext.none()).output();
      s.initialize();
      float[] got = GraphTestSupport.fetch(s, Map.of(xp, xt, wp, wt), all);
      float[][] want = GraphTestSupport.fetch(s, Map.of(xp, xt), List.of(a, b));
      assertThat(got).hasSize(2 * want[0].length);
      for (int i = 0; i < want[0].length; i++) {
        assertThat(got[i]).isCloseTo(want[0][i], within(1e-5f));
        assertThat(got[want[0].length + i]).isCloseTo(want[1][i], within(1e-5f));
      }
    }
  }

  /**
   * Crop-and-flip: every output image is a window of the input padded with the fill values at an
   * offset in [0, 2·pad], mirrored or not; the same seed draws the same, another seed other windows.
   */
  @Test
  void cropFlipKeepsAWindowOfThePaddedImage() {
    int n = 16, h = 6, w = 5, c = 2, pad = 2;
    SplittableRandom rng = new SplittableRandom(9);
    float[] x = random(n * h * w * c, rng, 1);
    try (Graph g = new Graph(); Session s = new Session(g); TFloat32 xt = Tensors.floats(x, n, h * w * c);
        TInt64 seedA = TInt64.vectorOf(4L, 5L); TInt64 seedB = TInt64.vectorOf(4L, 6L)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> xp = tf.placeholder(TFloat32.class);
      Placeholder<TInt64> seed = tf.placeholder(TInt64.class);
      float[] fill = {0.5f, -1.25f};
      Operand<TFloat32> y = ImageAugmentation.cropFlip(tf, xp, h, w, c, pad, tf.constant(fill), seed, 0);
      float[] a = GraphTestSupport.fetch(s, Map.of(xp, xt, seed, seedA), y);
      assertThat(GraphTestSupport.fetch(s, Map.of(xp, xt, seed, seedA), y)).isEqualTo(a);
      assertThat(GraphTestSupport.fetch(s, Map.of(xp, xt, seed, seedB), y)).isNotEqualTo(a);
      int flipped = 0, shifted = 0;
      for (int e = 0; e < n; e++) {
        boolean found = false;
        for (int dy = 0; dy <= 2 * pad && !found; dy++) {
          for (int dx = 0; dx <= 2 * pad && !found; dx++) {
            for (int f = 0; f < 2 && !found; f++) {
              boolean match = true;
              for (int i = 0; i < h && match; i++) {
                for (int j = 0; j < w && match; j++) {
                  int sr = i + dy - pad, sc = (f == 1 ? w - 1 - j : j) + dx - pad;
                  for (int ch = 0; ch < c; ch++) {
                    float want = sr >= 0 && sr < h && sc >= 0 && sc < w ? x[((e * h + sr) * w + sc) * c + ch] : fill[ch];
                    if (a[((e * h + i) * w + j) * c + ch] != want) {
                      match = false;
                      break;
                    }
                  }
                }
              }
              if (match) {
                found = true;
                flipped += f;
                shifted += dy != pad || dx != pad ? 1 : 0;
              }
            }
          }
        }
        assertThat(found).as("example %d is a window of its padded input", e).isTrue();
      }
      assertThat(flipped).as("flipped examples").isBetween(1, n - 1);
      assertThat(shifted).as("shifted examples").isPositive();
    }
  }
}
