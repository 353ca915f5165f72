package org.hypercl.training;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;

/**
 * Where one traced training step spent its time ({@link Learner#traceStep}): every node TensorFlow
 * ran, with its op type and its time from start to end, and the step's span (first node start to
 * last node end) beside the wall time the caller measured around the session run. Node times add up
 * to more than the span when the inter-op pool runs nodes side by side; the wall time minus the span
 * is what the run costs outside the executor (feeds, fetches, setting up the call).
 *
 * @param nodes every node the step ran, in TensorFlow's order
 * @param spanMicros from the earliest node start to the latest node end
 * @param wallMicros the session run's wall time as measured by the caller
 */
public record StepTrace(List<Node> nodes, double spanMicros, double wallMicros) {

  /** One node's execution: its name (with scopes), op type, time in microseconds and first output's shape ("" if none recorded). */
  public record Node(String name, String opType, long micros, String shape) {}

  /** A group's total time and node count. */
  public record Total(String key, double micros, int count) {}

  public StepTrace {
    nodes = List.copyOf(nodes);
  }

  /** The nodes of {@code meta}'s step statistics (every device), with the wall time measured around the run. */
  public static StepTrace of(RunMetadata meta, double wallMicros) {
    List<Node> nodes = new ArrayList<>();
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    for (DeviceStepStats dev : meta.getStepStats().getDevStatsList()) {
      for (NodeExecStats n : dev.getNodeStatsList()) {
        long start = n.getAllStartMicros();
        long micros = Math.max(0, n.getAllEndRelMicros());
        first = Math.min(first, start);
        last = Math.max(last, start + micros);
        nodes.add(new Node(n.getNodeName(), opType(n), micros, shape(n)));
      }
    }
    return new StepTrace(nodes, nodes.isEmpty() ? 0 : last - first, wallMicros);
  }

  /**
   * The op type from a node's timeline label ({@code "name = Type(inputs)"}); the node name when the
   * label has none (the executor's own source and sink nodes).
   */
  static String opType(NodeExecStats n) {
    String label = n.getTimelineLabel();
    int eq = label.indexOf(" = ");
    if (eq >= 0) {
      int open = label.indexOf('(', eq);
      return label.substring(eq + 3, open > eq ? open : label.length()).trim();
    }
    return n.getNodeName();
  }

  private static String shape(NodeExecStats n) {
    if (n.getOutputCount() == 0 || !n.getOutput(0).hasTensorDescription()) {
      return "";
    }
    StringBuilder b = new StringBuilder("[");
    for (var d : n.getOutput(0).getTensorDescription().getShape().getDimList()) {
      b.append(b.length() > 1 ? "," : "").append(d.getSize());
    }
    return b.append(']').toString();
  }

  /** The sum of every node's time. */
  public double nodeMicros() {
    return nodes.stream().mapToLong(Node::micros).sum();
  }

  /** Node time summed by op type, largest first. */
  public List<Total> byOpType() {
    return totals(nodes, Node::opType);
  }

  /**
   * Node time summed by the first {@code depth} components of the node names ({@code train/hnet/...}
   * at depth 2 is {@code train/hnet}), largest first; TensorFlow's gradient nodes keep their
   * {@code gradients} component, so the backward pass is a group of its own.
   */
  public List<Total> byScope(int depth) {
    return totals(nodes, n -> prefix(n.name(), depth));
  }

  /** The {@code limit} slowest single nodes. */
  public List<Node> slowest(int limit) {
    return nodes.stream().sorted(Comparator.comparingLong(Node::micros).reversed()).limit(limit).toList();
  }

  /** Several traces' groups merged, each total divided by the number of traces (a mean per step). */
  public static List<Total> mean(Collection<List<Total>> perTrace) {
    Map<String, double[]> sums = new LinkedHashMap<>();
    for (List<Total> totals : perTrace) {
      for (Total t : totals) {
        double[] s = sums.computeIfAbsent(t.key(), k -> new double[2]);
        s[0] += t.micros();
        s[1] += t.count();
      }
    }
    int n = Math.max(1, perTrace.size());
    return sums.entrySet().stream()
        .map(e -> new Total(e.getKey(), e.getValue()[0] / n, (int) Math.round(e.getValue()[1] / n)))
        .sorted(Comparator.comparingDouble(Total::micros).reversed())
        .toList();
  }

  static String prefix(String name, int depth) {
    int at = -1;
    for (int i = 0; i < depth; i++) {
      int next = name.indexOf('/', at + 1);
      if (next < 0) {
        return name;
      }
      at = next;
    }
    return name.substring(0, at);
  }

  private static List<Total> totals(List<Node> nodes, java.util.function.Function<Node, String> key) {
    Map<String, long[]> sums = new LinkedHashMap<>();
    for (Node n : nodes) {
      long[] s = sums.computeIfAbsent(key.apply(n), k -> new long[2]);
      s[0] += n.micros();
      s[1]++;
    }
    return sums.entrySet().stream()
        .map(e -> new Total(e.getKey(), e.getValue()[0], (int) e.getValue()[1]))
        .sorted(Comparator.comparingDouble(Total::micros).reversed())
        .toList();
  }
}
