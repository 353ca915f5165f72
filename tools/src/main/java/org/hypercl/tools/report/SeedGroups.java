package org.hypercl.tools.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.ToDoubleFunction;
import org.hypercl.training.RunResults;

/**
 * Runs of one configuration repeated over seeds, summarised: mean and sample standard deviation of
 * each summary quantity, and a 95% Student-t interval for the mean final accuracy (ACC).
 *
 * <p>Two runs belong to the same group when their {@code config.json} agree on everything but the
 * seeds, the thread counts, the evaluation batch size, the checkpoint interval and provenance:
 * settings that do not change what is learned. So runs of different kernel orders, β or data sets
 * never mix, even under one experiment name.
 */
final class SeedGroups {

  private SeedGroups() {}

  /** A finished run with its configuration. */
  record Member(Path dir, RunResults results, JsonNode config) {

    /** The training seed from config.json, if it records one. */
    OptionalLong seed() {
      JsonNode s = config.path("settings").path("seed");
      return s.isIntegralNumber() ? OptionalLong.of(s.asLong()) : OptionalLong.empty();
    }
  }

  /** Mean, sample standard deviation (NaN for one run) and count of finite values. */
  record Stats(double mean, double sd, int n) {

    static Stats of(List<Member> members, ToDoubleFunction<RunResults> f) {
      double sum = 0;
      int n = 0;
      for (Member m : members) {
        double v = f.applyAsDouble(m.results());
        if (Double.isFinite(v)) {
          sum += v;
          n++;
        }
      }
      if (n == 0) {
        return new Stats(Double.NaN, Double.NaN, 0);
      }
      double mean = sum / n;
      double ss = 0;
      for (Member m : members) {
        double v = f.applyAsDouble(m.results());
        if (Double.isFinite(v)) {
          ss += (v - mean) * (v - mean);
        }
      }
      return new Stats(mean, n > 1 ? Math.sqrt(ss / (n - 1)) : Double.NaN, n);
    }

    /** Half-width of the two-sided 95% t-interval for the mean (NaN below two values). */
    double halfWidth95() {
      return n > 1 ? tCritical95(n - 1) * sd / Math.sqrt(n) : Double.NaN;
    }
  }

  /** Runs that differ only in seeds, in the order their first member was given. */
  record Group(List<Member> members) {

    Member first() {
      return members.get(0);
    }

    String experiment() {
      return first().results().experiment();
    }

    String metric() {
      return first().results().metric();
    }

    Stats during() {
      return Stats.of(members, RunResults::meanDuring);
    }

    Stats after() {
      return Stats.of(members, RunResults::meanAfter);
    }

    Stats bwt() {
      return Stats.of(members, RunResults::backwardTransfer);
    }

    Stats forgetting() {
      return Stats.of(members, RunResults::forgetting);
    }

    /** The seeds, e.g. "42, 43, 44", or "?" for a run whose config has none. */
    String seeds() {
      List<String> s = new ArrayList<>();
      for (Member m : members) {
        OptionalLong seed = m.seed();
        s.add(seed.isPresent() ? Long.toString(seed.getAsLong()) : "?");
      }
      return String.join(", ", s);
    }

    /** Seeds that more than one run of the group has, in increasing order. */
    java.util.SortedSet<Long> repeatedSeeds() {
      java.util.Set<Long> seen = new java.util.HashSet<>();
      java.util.SortedSet<Long> repeated = new java.util.TreeSet<>();
      for (Member m : members) {
        m.seed().ifPresent(seed -> {
          if (!seen.add(seed)) {
            repeated.add(seed);
          }
        });
      }
      return repeated;
    }

    /** The final metric of task {@code t} over the runs ({@code t} below the group's task count). */
    Stats afterOfTask(int t) {
      return Stats.of(members, r -> r.after()[t]);
    }

    int numTasks() {
      return first().results().numTasks();
    }
  }

  /** Groups runs by configuration, seeds aside. */
  static List<Group> of(List<Member> members) {
    Map<String, List<Member>> byKey = new LinkedHashMap<>();
    for (Member m : members) {
      byKey.computeIfAbsent(key(m.config()), k -> new ArrayList<>()).add(m);
    }
    return byKey.values().stream().map(Group::new).toList();
  }

  /** The configuration with what does not change the learned result removed, as canonical text. */
  static String key(JsonNode config) {
    JsonNode copy = config.deepCopy();
    if (copy instanceof ObjectNode o) {
      // parts are derived from the method and settings; data files are checked when a run resumes.
      o.remove(List.of("provenance", "parts"));
      if (o.get("settings") instanceof ObjectNode s) {
        s.remove(List.of("seed", "intraOpThreads", "interOpThreads", "evalBatchSize", "checkpointEvery"));
      }
      if (o.get("dataOptions") instanceof ObjectNode d) {
        // Where the files were found is not what they hold.
        // input (how images become rows) follows from the sequence and dataset, and older runs lack it.
        d.remove(List.of("dataSeed", "dataFolder", "dataFiles", "input"));
        if (!d.has("sequence") && o.has("experiment")) {
          d.put("sequence", o.get("experiment").asText().replaceAll("-(fine-tuning|target-only)$", ""));
        }
      }
      // Fields that runs written before they existed hold at these values.
      if (o.get("target") instanceof ObjectNode t && !t.has("type")) {
        t.put("type", "mlp");
      }
      if (!o.has("scenario")) {
        o.put("scenario", "cl1");
      }
      if (!o.has("taskInference")) {
        o.put("taskInference", "entropy");
      }
    }
    StringBuilder sb = new StringBuilder();
    canonical(copy, sb);
    return sb.toString();
  }

  /** JSON text with object fields in name order, so field order never splits a group. */
  private static void canonical(JsonNode n, StringBuilder sb) {
    if (n.isObject()) {
      java.util.TreeMap<String, JsonNode> fields = new java.util.TreeMap<>();
      n.fields().forEachRemaining(e -> fields.put(e.getKey(), e.getValue()));
      sb.append('{');
      fields.forEach((k, v) -> {
        sb.append(com.fasterxml.jackson.databind.node.TextNode.valueOf(k)).append(':');
        canonical(v, sb);
        sb.append(',');
      });
      sb.append('}');
    } else if (n.isArray()) {
      sb.append('[');
      n.forEach(v -> {
        canonical(v, sb);
        sb.append(',');
      });
      sb.append(']');
    } else {
      sb.append(n);
    }
  }

  /**
   * The 97.5% quantile of Student's t with {@code df} degrees of freedom: exact to three decimals
   * from the table for df ≤ 30, then the Cornish-Fisher expansion around the normal quantile.
   */
  static double tCritical95(int df) {
    if (df < 1) {
      throw new IllegalArgumentException("degrees of freedom must be positive, got " + df);
    }
    double[] table = {
      12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
      2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
      2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042
    };
    if (df <= table.length) {
      return table[df - 1];
    }
    double z = 1.959963984540054;
    double z3 = z * z * z;
    double z5 = z3 * z * z;
    return z + (z3 + z) / (4.0 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96.0 * df * df);
  }

  /** "99.23 ± 0.06" in the metric's format; a lone run shows its value only. */
  static String meanSd(String metric, Stats s, boolean signed) {
    if (s.n() == 0) {
      return MetricFormat.MISSING;
    }
    String mean = signed ? MetricFormat.signed(metric, s.mean()) : MetricFormat.value(metric, s.mean());
    return Double.isFinite(s.sd()) ? mean + " ± " + MetricFormat.value(metric, s.sd()) : mean;
  }

  /** "[99.16, 99.29]" for the 95% interval of the mean, or "-" below two runs. */
  static String interval(String metric, Stats s) {
    double h = s.halfWidth95();
    if (!Double.isFinite(h)) {
      return MetricFormat.MISSING;
    }
    return String.format(Locale.ROOT, "[%s, %s]",
        MetricFormat.value(metric, s.mean() - h), MetricFormat.value(metric, s.mean() + h));
  }
}
