package org.hypercl.savedmodels;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * TF Serving's REST predict formats over one signature: the row format ({@code "instances"}, one
 * entry per example, answered with {@code "predictions"}) and the columnar format
 * ({@code "inputs"}, whole tensors, answered with {@code "outputs"}). Every value is checked
 * against the signature's dtype and shape before a tensor is made.
 *
 * <p>In the row format, inputs without a batch dimension ({@code task_id}, {@code task_embedding},
 * {@code head}) travel in each instance; instances that share them run as one batch, so one
 * request may mix tasks.
 */
final class RestCodec {

  private RestCodec() {}

  /** A dense value read from JSON: its shape and values (as doubles; ints are checked exact). */
  record Dense(long[] shape, double[] values) {
    long rowSize() {
      long s = 1;
      for (int i = 1; i < shape.length; i++) {
        s *= shape[i];
      }
      return s;
    }
  }

  /** Reads a nested JSON array (or a scalar) of numbers for input {@code name} of type {@code dtype}. */
  static Dense dense(JsonNode node, String name, DataType dtype) {
    List<Long> shape = new ArrayList<>();
    JsonNode n = node;
    while (n.isArray()) {
      if (n.isEmpty()) {
        throw RestException.badRequest("input '" + name + "' has an empty array");
      }
      shape.add((long) n.size());
      n = n.get(0);
    }
    long[] dims = shape.stream().mapToLong(Long::longValue).toArray();
    long count = 1;
    for (long d : dims) {
      count = Math.multiplyExact(count, d);
    }
    if (count > Integer.MAX_VALUE - 8) {
      throw RestException.badRequest("input '" + name + "' is too large");
    }
    double[] values = new double[(int) count];
    int[] pos = {0};
    fill(node, 0, dims, values, pos, name, dtype);
    return new Dense(dims, values);
  }

  private static void fill(JsonNode n, int depth, long[] dims, double[] out, int[] pos, String name, DataType dtype) {
    if (depth == dims.length) {
      if (n.isArray()) {
        throw RestException.badRequest("input '" + name + "' is ragged: nested deeper than its first element");
      }
      out[pos[0]++] = number(n, name, dtype);
      return;
    }
    if (!n.isArray() || n.size() != dims[depth]) {
      throw RestException.badRequest("input '" + name + "' is ragged: dimension " + depth + " should have "
          + dims[depth] + " entries, found " + (n.isArray() ? n.size() + " entries" : "a scalar"));
    }
    for (JsonNode c : n) {
      fill(c, depth + 1, dims, out, pos, name, dtype);
    }
  }

  private static double number(JsonNode n, String name, DataType dtype) {
    if (!n.isNumber()) {
      throw RestException.badRequest("input '" + name + "' must hold numbers, found " + describe(n));
    }
    if (dtype == DataType.DT_FLOAT) {
      double v = n.asDouble();
      // NaN and the infinities (the literals) pass, as in TF Serving; a finite value must fit.
      if (Double.isFinite(v) && Math.abs(v) > Float.MAX_VALUE) {
        throw RestException.badRequest("input '" + name + "' value " + n + " does not fit a float32");
      }
      return v;
    }
    if (dtype == DataType.DT_INT32 || dtype == DataType.DT_INT64) {
      if (!n.canConvertToExactIntegral() || !n.canConvertToInt()) {
        throw RestException.badRequest("input '" + name + "' must hold integers, found " + n);
      }
      return n.asInt();
    }
    throw RestException.badRequest("input '" + name + "' has type " + dtype + ", which this server does not read");
  }

  private static String describe(JsonNode n) {
    String s = n.toString();
    return n.getNodeType().name().toLowerCase() + " " + (s.length() > 40 ? s.substring(0, 40) + "..." : s);
  }

  /** Checks {@code d} against the signature's shape ({@code -1} matches any size). */
  static void checkShape(String name, Dense d, Shape want) {
    if (want.isUnknown()) {
      return;
    }
    boolean ok = want.numDimensions() == d.shape().length;
    for (int i = 0; ok && i < d.shape().length; i++) {
      ok = want.size(i) < 0 || want.size(i) == d.shape()[i];
    }
    if (!ok) {
      throw RestException.badRequest("input '" + name + "' has shape " + Arrays.toString(d.shape())
          + ", the signature expects " + describe(want));
    }
  }

  static String describe(Shape s) {
    if (s.isUnknown()) {
      return "any shape";
    }
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < s.numDimensions(); i++) {
      b.append(i > 0 ? ", " : "").append(s.size(i) < 0 ? "batch" : String.valueOf(s.size(i)));
    }
    return b.append(']').toString();
  }

  static boolean batched(Shape s) {
    return !s.isUnknown() && s.numDimensions() >= 1 && s.size(0) < 0;
  }

  /** A tensor of the signature's dtype from {@code d}; the caller closes it. */
  static Tensor tensor(Dense d, DataType dtype) {
    Shape shape = Shape.of(d.shape());
    double[] v = d.values();
    switch (dtype) {
      case DT_FLOAT -> {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
          f[i] = (float) v[i];
        }
        return TFloat32.tensorOf(shape, DataBuffers.of(f, true, false));
      }
      case DT_INT32 -> {
        int[] f = new int[v.length];
        for (int i = 0; i < v.length; i++) {
          f[i] = (int) v[i];
        }
        return TInt32.tensorOf(shape, DataBuffers.of(f, true, false));
      }
      case DT_INT64 -> {
        long[] f = new long[v.length];
        for (int i = 0; i < v.length; i++) {
          f[i] = (long) v[i];
        }
        return TInt64.tensorOf(shape, DataBuffers.of(f, true, false));
      }
      default -> throw RestException.badRequest("input type " + dtype + " is not supported");
    }
  }

  /** An output tensor as plain values with its shape. */
  record Output(long[] shape, float[] floats, long[] longs) {
    static Output of(Tensor t) {
      long[] shape = t.shape().asArray();
      if (t instanceof TFloat32) {
        return new Output(shape, TensorValues.floats(t), null);
      }
      if (t instanceof TInt64 l) {
        long[] v = new long[Math.toIntExact(l.shape().size())];
        l.copyTo(DataBuffers.of(v, false, false));
        return new Output(shape, null, v);
      }
      int[] i = TensorValues.ints(t);
      return new Output(shape, null, Arrays.stream(i).asLongStream().toArray());
    }

    int length() {
      return floats != null ? floats.length : longs.length;
    }

    /** Writes elements [from, from + count) shaped as {@code dims}. */
    void write(JsonGenerator g, long[] dims, int from) throws IOException {
      write(g, dims, 0, from);
    }

    private int write(JsonGenerator g, long[] dims, int depth, int at) throws IOException {
      if (depth == dims.length) {
        if (floats != null) {
          // NaN, Infinity and -Infinity come out bare, as TF Serving writes them (Json.COMPACT).
          g.writeNumber(floats[at]);
        } else {
          g.writeNumber(longs[at]);
        }
        return at + 1;
      }
      g.writeStartArray();
      for (long i = 0; i < dims[depth]; i++) {
        at = write(g, dims, depth + 1, at);
      }
      g.writeEndArray();
      return at;
    }
  }

  /** The inputs of one call: named dense values, parsed and checked. */
  static Map<String, Dense> columnar(JsonNode inputs, Signature sig, Map<String, Integer> bounds) {
    Map<String, Signature.TensorDescription> want = sig.getInputs();
    Map<String, JsonNode> named = new LinkedHashMap<>();
    if (inputs.isObject()) {
      inputs.fields().forEachRemaining(e -> named.put(e.getKey(), e.getValue()));
    } else if (want.size() == 1) {
      named.put(want.keySet().iterator().next(), inputs);
    } else {
      throw RestException.badRequest("signature '" + sig.key() + "' has inputs " + want.keySet()
          + "; send \"inputs\" as an object with one entry per input");
    }
    for (String k : named.keySet()) {
      if (!want.containsKey(k)) {
        throw RestException.badRequest("unknown input '" + k + "'; signature '" + sig.key() + "' takes " + want.keySet());
      }
    }
    Map<String, Dense> out = new LinkedHashMap<>();
    for (var e : want.entrySet()) {
      JsonNode v = named.get(e.getKey());
      if (v == null) {
        throw RestException.badRequest("missing input '" + e.getKey() + "'; signature '" + sig.key() + "' takes " + want.keySet());
      }
      Dense d = dense(v, e.getKey(), e.getValue().dataType);
      checkShape(e.getKey(), d, e.getValue().shape);
      checkBounds(e.getKey(), d, bounds);
      out.put(e.getKey(), d);
    }
    return out;
  }

  /** Ids beyond what the model knows: a task id is a missing resource (404), a head a bad value (400). */
  static void checkBounds(String name, Dense d, Map<String, Integer> bounds) {
    Integer bound = bounds.get(name);
    if (bound == null) {
      return;
    }
    for (double v : d.values()) {
      if (v < 0 || v >= bound) {
        String msg = (name.equals(Signatures.TASK_ID) ? "unknown task id " : "input '" + name + "' value ")
            + (long) v + "; this model has " + name + " 0.." + (bound - 1);
        throw name.equals(Signatures.TASK_ID) ? RestException.notFound(msg) : RestException.badRequest(msg);
      }
    }
  }

  /** One group of row-format instances that share their unbatched inputs: one call. */
  record Group(List<Integer> rows, Map<String, Dense> inputs) {}

  /** Splits {@code "instances"} into groups, checking every instance against the signature. */
  static List<Group> rows(JsonNode instances, Signature sig, Map<String, Integer> bounds) {
    if (!instances.isArray() || instances.isEmpty()) {
      throw RestException.badRequest("\"instances\" must be a non-empty list");
    }
    Map<String, Signature.TensorDescription> want = sig.getInputs();
    for (var e : sig.getOutputs().entrySet()) {
      if (!batched(e.getValue().shape)) {
        throw RestException.badRequest("signature '" + sig.key() + "' output '" + e.getKey()
            + "' has no batch dimension, so it cannot answer \"instances\"; send \"inputs\" (columnar) instead");
      }
    }
    boolean anyBatched = want.values().stream().anyMatch(d -> batched(d.shape));
    if (!anyBatched) {
      throw RestException.badRequest("signature '" + sig.key() + "' has no batched input; send \"inputs\" (columnar)");
    }
    Map<String, List<Integer>> groupRows = new LinkedHashMap<>();
    Map<String, Map<String, Dense>> groupUnbatched = new LinkedHashMap<>();
    List<Map<String, Dense>> batchedPerRow = new ArrayList<>();
    int row = 0;
    for (JsonNode inst : instances) {
      Map<String, JsonNode> named = new LinkedHashMap<>();
      if (inst.isObject()) {
        inst.fields().forEachRemaining(e -> named.put(e.getKey(), e.getValue()));
      } else if (want.size() == 1) {
        named.put(want.keySet().iterator().next(), inst);
      } else {
        throw RestException.badRequest("instance " + row + " must be an object with inputs " + want.keySet());
      }
      for (String k : named.keySet()) {
        if (!want.containsKey(k)) {
          throw RestException.badRequest("instance " + row + ": unknown input '" + k + "'; signature '" + sig.key()
              + "' takes " + want.keySet());
        }
      }
      Map<String, Dense> batchedHere = new LinkedHashMap<>();
      Map<String, Dense> unbatchedHere = new LinkedHashMap<>();
      StringBuilder key = new StringBuilder();
      for (var e : want.entrySet()) {
        JsonNode v = named.get(e.getKey());
        if (v == null) {
          throw RestException.badRequest("instance " + row + ": missing input '" + e.getKey() + "'");
        }
        Dense d = dense(v, e.getKey(), e.getValue().dataType);
        Shape s = e.getValue().shape;
        if (batched(s)) {
          long[] inner = new long[s.numDimensions() - 1];
          for (int i = 0; i < inner.length; i++) {
            inner[i] = s.size(i + 1);
          }
          checkShape(e.getKey(), d, Shape.of(inner));
          batchedHere.put(e.getKey(), d);
        } else {
          checkShape(e.getKey(), d, s);
          checkBounds(e.getKey(), d, bounds);
          unbatchedHere.put(e.getKey(), d);
          key.append(e.getKey()).append('=').append(Arrays.toString(d.values())).append(';');
        }
      }
      batchedPerRow.add(batchedHere);
      String k = key.toString();
      groupRows.computeIfAbsent(k, x -> new ArrayList<>()).add(row);
      groupUnbatched.putIfAbsent(k, unbatchedHere);
      row++;
    }
    List<Group> groups = new ArrayList<>();
    for (var g : groupRows.entrySet()) {
      Map<String, Dense> inputs = new LinkedHashMap<>(groupUnbatched.get(g.getKey()));
      for (var e : want.entrySet()) {
        if (!batched(e.getValue().shape)) {
          continue;
        }
        List<Integer> rs = g.getValue();
        Dense first = batchedPerRow.get(rs.get(0)).get(e.getKey());
        int rowSize = first.values().length;
        double[] stacked = new double[Math.multiplyExact(rs.size(), rowSize)];
        for (int i = 0; i < rs.size(); i++) {
          Dense d = batchedPerRow.get(rs.get(i)).get(e.getKey());
          if (!Arrays.equals(d.shape(), first.shape())) {
            throw RestException.badRequest("instances " + rs.get(0) + " and " + rs.get(i) + " give input '"
                + e.getKey() + "' different shapes " + Arrays.toString(first.shape()) + " and " + Arrays.toString(d.shape()));
          }
          System.arraycopy(d.values(), 0, stacked, i * rowSize, rowSize);
        }
        long[] shape = new long[first.shape().length + 1];
        shape[0] = rs.size();
        System.arraycopy(first.shape(), 0, shape, 1, first.shape().length);
        inputs.put(e.getKey(), new Dense(shape, stacked));
      }
      groups.add(new Group(g.getValue(), inputs));
    }
    return groups;
  }

  /** Runs one call with tensors made from {@code inputs}, closing them; returns the outputs by name. */
  static Map<String, Output> call(LoadedModel model, Signature sig, Map<String, Dense> inputs) {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    try {
      for (var e : inputs.entrySet()) {
        tensors.put(e.getKey(), tensor(e.getValue(), sig.getInputs().get(e.getKey()).dataType));
      }
      try (Result r = model.call(sig.key(), tensors)) {
        Map<String, Output> out = new LinkedHashMap<>();
        for (String name : sig.outputNames()) {
          out.put(name, Output.of(r.get(name).orElseThrow()));
        }
        return out;
      }
    } finally {
      tensors.values().forEach(Tensor::close);
    }
  }

  /** {@code {"predictions": [...]}}: per instance, the value of a single output or an object of all. */
  static void writePredictions(JsonGenerator g, int rows, List<Group> groups, List<Map<String, Output>> results)
      throws IOException {
    int[] groupOf = new int[rows];
    int[] indexInGroup = new int[rows];
    for (int gi = 0; gi < groups.size(); gi++) {
      List<Integer> rs = groups.get(gi).rows();
      for (int i = 0; i < rs.size(); i++) {
        groupOf[rs.get(i)] = gi;
        indexInGroup[rs.get(i)] = i;
      }
    }
    g.writeStartObject();
    g.writeArrayFieldStart("predictions");
    for (int r = 0; r < rows; r++) {
      Map<String, Output> res = results.get(groupOf[r]);
      boolean single = res.size() == 1;
      if (!single) {
        g.writeStartObject();
      }
      for (var e : res.entrySet()) {
        Output o = e.getValue();
        long[] inner = Arrays.copyOfRange(o.shape(), 1, o.shape().length);
        int per = o.length() / Math.toIntExact(o.shape()[0]);
        if (!single) {
          g.writeFieldName(e.getKey());
        }
        o.write(g, inner, indexInGroup[r] * per);
      }
      if (!single) {
        g.writeEndObject();
      }
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  /** {@code {"outputs": ...}}: the value of a single output, or an object of all. */
  static void writeOutputs(JsonGenerator g, Map<String, Output> res) throws IOException {
    g.writeStartObject();
    g.writeFieldName("outputs");
    if (res.size() == 1) {
      Output o = res.values().iterator().next();
      o.write(g, o.shape(), 0);
    } else {
      g.writeStartObject();
      for (var e : res.entrySet()) {
        g.writeFieldName(e.getKey());
        e.getValue().write(g, e.getValue().shape(), 0);
      }
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  /** Iterates a JSON object's field names (for checking request keys). */
  static Iterator<String> fieldNames(JsonNode n) {
    return n.fieldNames();
  }
}
