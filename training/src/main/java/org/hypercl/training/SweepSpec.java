package org.hypercl.training;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * A hyperparameter sweep as data (docs/sweeps.md): a base experiment, overrides by path
 * ({@link ConfigOverrides}) fixed, on a grid and drawn at random, conditional overrides, seeds,
 * and extra {@code hypercl train} flags. {@link #expand} turns it into runs.
 *
 * <pre>
 * {
 *   "name": "beta-split-mnist",
 *   "experiment": "split-mnist",              // or "config": "base.json" (relative to the spec)
 *   "set": {"settings.iterations": 500},
 *   "grid": {"settings.beta": [0.001, 0.01, 0.1]},
 *   "random": {"count": 4, "seed": 1, "ranges": {"settings.learningRate": {"logUniform": [1e-4, 1e-2]}}},
 *   "conditions": [{"when": {"hypernetwork.chunkSize": 0}, "set": {"hypernetwork.chunkEmbeddingDim": 0}}],
 *   "seeds": [42, 43],
 *   "train": ["--dataset", "fashion-mnist"]
 * }
 * </pre>
 *
 * <p>Every field is checked when the spec is read, each message naming its field; every override
 * path must exist in the base, and {@link #expand} applies each configuration's overrides to the
 * base, so a bad path or value fails before anything runs.
 */
public final class SweepSpec {

  /** The fields a spec may have. */
  public static final List<String> FIELDS =
      List.of("name", "description", "experiment", "config", "set", "grid", "random", "conditions", "seeds", "train");

  /** {@code hypercl train} flags a spec's {@code train} may not hold, with the reason given. */
  public static final Map<String, String> REFUSED_TRAIN_FLAGS = refusedTrainFlags();

  private static Map<String, String> refusedTrainFlags() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("--run-dir", "the sweep puts each run in OUT/runs/<name>");
    m.put("--seed", "give the seeds as \"seeds\"");
    m.put("--resume", "the sweep resumes stopped runs itself");
    m.put("--experiment", "give the base experiment as \"experiment\"");
    m.put("--config", "give the base config file as \"config\"");
    m.put("--set", "give overrides in \"set\", \"grid\", \"random\" or \"conditions\"");
    m.put("--baselines", "each run trains one method into its folder (sweep settings.beta; 0 is fine-tuning)");
    for (String help : List.of("--help", "-h", "--version", "-V")) {
      m.put(help, "train would print it and train nothing");
    }
    return Collections.unmodifiableMap(m);
  }

  private static final String SEED_PATH = "settings.seed";

  /** How a value of a random search is drawn. Every draw takes one {@code nextDouble()}. */
  public sealed interface Range permits Uniform, LogUniform, IntUniform, Choice {
    JsonNode draw(Random random);
  }

  /** Uniform on [a, b], rounded to six significant digits. */
  public record Uniform(double a, double b) implements Range {
    @Override
    public JsonNode draw(Random random) {
      return DoubleNode.valueOf(clamp(round6(a + random.nextDouble() * (b - a)), a, b));
    }
  }

  /** Log-uniform on [a, b] (0 &lt; a), rounded to six significant digits. */
  public record LogUniform(double a, double b) implements Range {
    @Override
    public JsonNode draw(Random random) {
      double v = Math.exp(Math.log(a) + random.nextDouble() * (Math.log(b) - Math.log(a)));
      return DoubleNode.valueOf(clamp(round6(v), a, b));
    }
  }

  /** An integer in [a, b], both included, each equally likely. */
  public record IntUniform(long a, long b) implements Range {
    @Override
    public JsonNode draw(Random random) {
      long v = Math.min(b, a + (long) Math.floor(random.nextDouble() * ((double) (b - a) + 1)));
      return v == (int) v ? IntNode.valueOf((int) v) : LongNode.valueOf(v);
    }
  }

  /** One of the values, each equally likely. */
  public record Choice(List<JsonNode> values) implements Range {
    public Choice {
      values = List.copyOf(values);
    }

    @Override
    public JsonNode draw(Random random) {
      return values.get(Math.min(values.size() - 1, (int) Math.floor(random.nextDouble() * values.size())));
    }
  }

  /** {@code count} samples drawn from {@code ranges} (in their order) by a {@link Random} seeded with {@code seed}. */
  public record RandomSearch(int count, long seed, Map<String, Range> ranges) {
    public RandomSearch {
      ranges = Collections.unmodifiableMap(new LinkedHashMap<>(ranges));
    }

    /** The samples, reproducible from the seed. */
    public List<Map<String, JsonNode>> samples() {
      Random random = new Random(seed);
      List<Map<String, JsonNode>> out = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        Map<String, JsonNode> sample = new LinkedHashMap<>();
        ranges.forEach((path, range) -> sample.put(path, range.draw(random)));
        out.add(sample);
      }
      return out;
    }
  }

  /** Overrides {@code set} applied to each configuration whose values match all of {@code when}. */
  public record Condition(Map<String, JsonNode> when, Map<String, JsonNode> set) {
    public Condition {
      when = Collections.unmodifiableMap(new LinkedHashMap<>(when));
      set = Collections.unmodifiableMap(new LinkedHashMap<>(set));
    }
  }

  private final JsonNode json;
  private final String name;
  private final String description;
  private final String experiment;
  private final Path config;
  private final ExperimentConfig base;
  private final Map<String, JsonNode> set;
  private final Map<String, List<JsonNode>> grid;
  private final RandomSearch random;
  private final List<Condition> conditions;
  /** The base's value at each path a condition's {@code when} reads. */
  private final Map<String, JsonNode> baseValues;
  private final List<Long> seeds;
  private final List<String> train;

  private SweepSpec(JsonNode json, String name, String description, String experiment, Path config, ExperimentConfig base,
      Map<String, JsonNode> set, Map<String, List<JsonNode>> grid, RandomSearch random, List<Condition> conditions,
      Map<String, JsonNode> baseValues, List<Long> seeds, List<String> train) {
    this.json = json;
    this.name = name;
    this.description = description;
    this.experiment = experiment;
    this.config = config;
    this.base = base;
    this.set = Collections.unmodifiableMap(set);
    this.grid = Collections.unmodifiableMap(grid);
    this.random = random;
    this.conditions = List.copyOf(conditions);
    this.baseValues = baseValues;
    this.seeds = List.copyOf(seeds);
    this.train = List.copyOf(train);
  }

  /** Reads a spec from a JSON file; {@code config} is relative to the file's folder. Messages start with the file. */
  public static SweepSpec read(Path file) {
    JsonNode tree;
    try {
      tree = JsonFiles.MAPPER.reader().with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).readTree(Files.readAllBytes(file));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(file + " is not valid JSON: " + e.getOriginalMessage()
          + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")", e);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read sweep spec " + file + ": " + e.getMessage(), e);
    }
    try {
      return parse(tree, file.toAbsolutePath().getParent());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  /** A spec from its JSON; {@code folder} is where a relative {@code config} path starts. Messages name the field. */
  public static SweepSpec parse(JsonNode tree, Path folder) {
    if (tree == null || !tree.isObject()) {
      throw new IllegalArgumentException("a sweep spec is a JSON object");
    }
    List<String> unknown = new ArrayList<>();
    tree.fieldNames().forEachRemaining(f -> {
      if (!FIELDS.contains(f)) {
        unknown.add(f);
      }
    });
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown field" + (unknown.size() > 1 ? "s " : " ") + quoted(unknown)
          + "; a sweep spec has " + String.join(", ", FIELDS));
    }
    String name = text(tree, "name", true);
    if (name.isBlank()) {
      throw new IllegalArgumentException("name: must not be empty");
    }
    String description = text(tree, "description", false);
    String experiment = text(tree, "experiment", false);
    String configText = text(tree, "config", false);
    if ((experiment == null) == (configText == null)) {
      throw new IllegalArgumentException("give the base as \"experiment\" (a name, e.g. split-mnist) or \"config\" "
          + "(a file in config.json's format), " + (experiment == null ? "neither is given" : "not both"));
    }
    ExperimentConfig base;
    Path config = null;
    if (experiment != null) {
      try {
        base = Experiments.byName(experiment);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("experiment: " + e.getMessage(), e);
      }
    } else {
      config = (folder == null ? Path.of(configText) : folder.resolve(configText)).toAbsolutePath().normalize();
      try {
        base = ConfigOverrides.read(config);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("config: " + e.getMessage(), e);
      }
    }

    Map<String, JsonNode> set = overrides(tree.get("set"), "set", base);
    Map<String, List<JsonNode>> grid = grid(tree.get("grid"), base);
    RandomSearch random = random(tree.get("random"), base);
    List<Condition> conditions = new ArrayList<>();
    Map<String, JsonNode> baseValues = new LinkedHashMap<>();
    JsonNode cs = tree.get("conditions");
    if (cs != null) {
      if (!cs.isArray()) {
        throw new IllegalArgumentException("conditions: must be a list of {\"when\": {...}, \"set\": {...}}");
      }
      for (int i = 0; i < cs.size(); i++) {
        String field = "conditions[" + i + "]";
        JsonNode c = cs.get(i);
        onlyFields(c, field, List.of("when", "set"));
        if (!c.has("when") || !c.has("set")) {
          throw new IllegalArgumentException(field + ": needs both \"when\" and \"set\"");
        }
        Map<String, JsonNode> when = overrides(c.get("when"), field + ".when", base);
        Map<String, JsonNode> then = overrides(c.get("set"), field + ".set", base);
        if (when.isEmpty() || then.isEmpty()) {
          throw new IllegalArgumentException(field + ": \"when\" and \"set\" must not be empty");
        }
        for (String path : then.keySet()) {
          if (grid.containsKey(path) || random != null && random.ranges().containsKey(path)) {
            throw new IllegalArgumentException(field + ".set: '" + path + "' is swept by " + (grid.containsKey(path) ? "grid" : "random")
                + "; a condition may not change a swept value");
          }
        }
        for (String path : when.keySet()) {
          baseValues.put(path, ConfigOverrides.valueAt(base, path));
        }
        conditions.add(new Condition(when, then));
      }
    }
    for (String path : grid.keySet()) {
      if (set.containsKey(path)) {
        throw new IllegalArgumentException("'" + path + "' is both in set and in grid");
      }
    }
    if (random != null) {
      for (String path : random.ranges().keySet()) {
        if (set.containsKey(path) || grid.containsKey(path)) {
          throw new IllegalArgumentException("'" + path + "' is both in " + (set.containsKey(path) ? "set" : "grid") + " and in random");
        }
      }
    }
    List<Long> seeds = seeds(tree.get("seeds"), base);
    List<String> train = train(tree.get("train"));
    return new SweepSpec(tree.deepCopy(), name, description, experiment, config, base, set, grid, random, conditions,
        baseValues, seeds, train);
  }

  // ---- accessors

  /** The spec as read. */
  public JsonNode json() {
    return json.deepCopy();
  }

  public String name() {
    return name;
  }

  /** The free-text description, or null. */
  public String description() {
    return description;
  }

  /** The base experiment's name, or null when the base is a {@link #config} file. */
  public String experiment() {
    return experiment;
  }

  /** The base config file (absolute), or null when the base is an {@link #experiment}. */
  public Path config() {
    return config;
  }

  /** The base experiment every override applies to. */
  public ExperimentConfig base() {
    return base;
  }

  public Map<String, JsonNode> set() {
    return set;
  }

  public Map<String, List<JsonNode>> grid() {
    return grid;
  }

  /** The random search, or null. */
  public RandomSearch random() {
    return random;
  }

  public List<Condition> conditions() {
    return conditions;
  }

  public List<Long> seeds() {
    return seeds;
  }

  /** Extra {@code hypercl train} flags, as given. */
  public List<String> train() {
    return train;
  }

  /** Grid points times random samples: the configurations before duplicates are dropped. */
  public int plannedConfigurations() {
    int points = 1;
    for (List<JsonNode> values : grid.values()) {
      points *= values.size();
    }
    return points * (random == null ? 1 : random.count());
  }

  // ---- expansion

  /**
   * The runs: for each grid point (the first grid path varying slowest), for each random sample,
   * the overrides {@code set}, then the grid values, then the sample, then each matching
   * condition's {@code set} in order (a condition sees what earlier ones set; a path no override
   * names matches on the base's value); then one run per seed. A configuration equal to an earlier
   * one (random choices can repeat) is dropped. Each configuration is applied to the base, so
   * invalid ones fail here, naming their overrides.
   */
  public List<SweepRun> expand() {
    List<Map<String, JsonNode>> points = new ArrayList<>();
    points.add(new LinkedHashMap<>());
    for (Map.Entry<String, List<JsonNode>> e : grid.entrySet()) {
      List<Map<String, JsonNode>> next = new ArrayList<>();
      for (Map<String, JsonNode> p : points) {
        for (JsonNode v : e.getValue()) {
          Map<String, JsonNode> q = new LinkedHashMap<>(p);
          q.put(e.getKey(), v);
          next.add(q);
        }
      }
      points = next;
    }
    List<Map<String, JsonNode>> samples = random == null ? List.of(Map.of()) : random.samples();
    List<SweepRun> runs = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Map<String, JsonNode> point : points) {
      for (Map<String, JsonNode> sample : samples) {
        Map<String, JsonNode> o = new LinkedHashMap<>(set);
        o.putAll(point);
        o.putAll(sample);
        for (Condition c : conditions) {
          if (matches(c.when(), o)) {
            o.putAll(c.set());
          }
        }
        String configName = configName(o);
        if (!seen.add(configName)) {
          continue;
        }
        SweepRun first = SweepRun.of(o, seeds.get(0));
        try {
          ConfigOverrides.apply(base, first.overrideTexts());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("configuration " + describe(o) + ": " + e.getMessage(), e);
        }
        for (long seed : seeds) {
          runs.add(SweepRun.of(o, seed));
        }
      }
    }
    return runs;
  }

  private boolean matches(Map<String, JsonNode> when, Map<String, JsonNode> overrides) {
    for (Map.Entry<String, JsonNode> e : when.entrySet()) {
      JsonNode actual = overrides.containsKey(e.getKey()) ? overrides.get(e.getKey()) : baseValues.get(e.getKey());
      if (!sameValue(actual, e.getValue())) {
        return false;
      }
    }
    return true;
  }

  /** JSON equality with numbers compared by value (1 = 1.0; a float setting equals the double that rounds to it). */
  static boolean sameValue(JsonNode a, JsonNode b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a.isNumber() && b.isNumber()) {
      if (a.decimalValue().compareTo(b.decimalValue()) == 0) {
        return true;
      }
      return (a.isFloat() || b.isFloat()) && (float) a.doubleValue() == (float) b.doubleValue();
    }
    if (a.isArray() && b.isArray()) {
      if (a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (!sameValue(a.get(i), b.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (a.isObject() && b.isObject()) {
      if (a.size() != b.size()) {
        return false;
      }
      for (Iterator<String> it = a.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!sameValue(a.get(f), b.get(f))) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }

  /** "settings.beta=0.01, hypernetwork.hidden=[10,10]" (or "no overrides"). */
  public static String describe(Map<String, JsonNode> overrides) {
    if (overrides.isEmpty()) {
      return "(no overrides)";
    }
    List<String> parts = new ArrayList<>();
    overrides.forEach((k, v) -> parts.add(k + "=" + v));
    return String.join(", ", parts);
  }

  /**
   * A configuration's name: the first 10 hex digits of the SHA-256 of its overrides as canonical
   * JSON ({@link #canonicalJson}), so the same overrides in any order, in any expansion, have the
   * same name.
   */
  public static String configName(Map<String, JsonNode> overrides) {
    ObjectNode o = JsonFiles.MAPPER.createObjectNode();
    overrides.forEach(o::set);
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonicalJson(o).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, 10);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Compact JSON with object fields sorted by name and numbers written by value (1.0 as 1). */
  public static String canonicalJson(JsonNode n) {
    StringBuilder sb = new StringBuilder();
    canonical(n, sb);
    return sb.toString();
  }

  private static void canonical(JsonNode n, StringBuilder sb) {
    if (n.isObject()) {
      TreeMap<String, JsonNode> fields = new TreeMap<>();
      n.properties().forEach(e -> fields.put(e.getKey(), e.getValue()));
      sb.append('{');
      boolean first = true;
      for (Map.Entry<String, JsonNode> e : fields.entrySet()) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        sb.append(com.fasterxml.jackson.databind.node.TextNode.valueOf(e.getKey())).append(':');
        canonical(e.getValue(), sb);
      }
      sb.append('}');
    } else if (n.isArray()) {
      sb.append('[');
      for (int i = 0; i < n.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        canonical(n.get(i), sb);
      }
      sb.append(']');
    } else if (n.isNumber()) {
      sb.append(n.decimalValue().stripTrailingZeros().toString());
    } else {
      sb.append(n);
    }
  }

  // ---- field readers

  private static String text(JsonNode tree, String field, boolean required) {
    JsonNode n = tree.get(field);
    if (n == null || n.isNull()) {
      if (required) {
        throw new IllegalArgumentException(field + ": is required");
      }
      return null;
    }
    if (!n.isTextual()) {
      throw new IllegalArgumentException(field + ": must be a string, got " + n);
    }
    return n.asText();
  }

  private static void onlyFields(JsonNode n, String field, List<String> allowed) {
    if (!n.isObject()) {
      throw new IllegalArgumentException(field + ": must be an object with " + String.join(", ", allowed));
    }
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!allowed.contains(f)) {
        throw new IllegalArgumentException(field + ": unknown field '" + f + "'; it has " + String.join(", ", allowed));
      }
    }
  }

  /** A path checked against the base and normalised; {@code settings.seed} is refused (seeds are "seeds"). */
  private static String path(String field, String path, ExperimentConfig base) {
    String normal;
    try {
      normal = ConfigOverrides.normalPath(path);
      ConfigOverrides.valueAt(base, normal);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
    }
    if (normal.equals(SEED_PATH)) {
      throw new IllegalArgumentException(field + ": '" + path + "' is the training seed; give the seeds as \"seeds\"");
    }
    return normal;
  }

  /** An object of path to value, paths checked and normalised. */
  private static Map<String, JsonNode> overrides(JsonNode n, String field, ExperimentConfig base) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    if (n == null) {
      return out;
    }
    if (!n.isObject()) {
      throw new IllegalArgumentException(field + ": must be an object of PATH: VALUE, e.g. {\"settings.beta\": 0.01}");
    }
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      String p = path(field, e.getKey(), base);
      if (out.put(p, e.getValue()) != null) {
        throw new IllegalArgumentException(field + ": '" + p + "' is given twice");
      }
    }
    return out;
  }

  private static Map<String, List<JsonNode>> grid(JsonNode n, ExperimentConfig base) {
    Map<String, List<JsonNode>> out = new LinkedHashMap<>();
    if (n == null) {
      return out;
    }
    if (!n.isObject()) {
      throw new IllegalArgumentException("grid: must be an object of PATH: [VALUE, ...], e.g. {\"settings.beta\": [0.001, 0.01]}");
    }
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      String p = path("grid", e.getKey(), base);
      JsonNode values = e.getValue();
      if (!values.isArray() || values.isEmpty()) {
        throw new IllegalArgumentException("grid." + e.getKey() + ": must be a non-empty list of values, got " + values);
      }
      List<JsonNode> list = new ArrayList<>();
      values.forEach(list::add);
      for (int i = 0; i < list.size(); i++) {
        for (int j = 0; j < i; j++) {
          if (sameValue(list.get(i), list.get(j))) {
            throw new IllegalArgumentException("grid." + e.getKey() + ": " + list.get(i) + " is listed twice");
          }
        }
      }
      if (out.put(p, list) != null) {
        throw new IllegalArgumentException("grid: '" + p + "' is given twice");
      }
    }
    return out;
  }

  private static RandomSearch random(JsonNode n, ExperimentConfig base) {
    if (n == null) {
      return null;
    }
    onlyFields(n, "random", List.of("count", "seed", "ranges"));
    JsonNode count = n.get("count");
    if (count == null || !count.canConvertToInt() || !count.isIntegralNumber() || count.asInt() < 1) {
      throw new IllegalArgumentException("random.count: must be a positive integer, got " + count);
    }
    JsonNode seed = n.get("seed");
    if (seed == null || !seed.isIntegralNumber() || !seed.canConvertToLong()) {
      throw new IllegalArgumentException("random.seed: must be an integer (the samples are reproducible from it), got " + seed);
    }
    JsonNode ranges = n.get("ranges");
    if (ranges == null || !ranges.isObject() || ranges.isEmpty()) {
      throw new IllegalArgumentException("random.ranges: must be a non-empty object of PATH: {\"uniform\"|\"logUniform\"|\"intUniform\": [a, b]} "
          + "or {\"choice\": [v1, v2, ...]}");
    }
    Map<String, Range> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : ranges.properties()) {
      String field = "random.ranges." + e.getKey();
      String p = path("random.ranges", e.getKey(), base);
      if (out.put(p, range(field, e.getValue())) != null) {
        throw new IllegalArgumentException("random.ranges: '" + p + "' is given twice");
      }
    }
    return new RandomSearch(count.asInt(), seed.asLong(), out);
  }

  private static Range range(String field, JsonNode r) {
    List<String> kinds = List.of("uniform", "logUniform", "intUniform", "choice");
    if (!r.isObject() || r.size() != 1 || !kinds.contains(r.fieldNames().next())) {
      throw new IllegalArgumentException(field + ": must be one of {\"uniform\": [a, b]}, {\"logUniform\": [a, b]}, "
          + "{\"intUniform\": [a, b]}, {\"choice\": [v1, v2, ...]}; got " + r);
    }
    String kind = r.fieldNames().next();
    JsonNode v = r.get(kind);
    if (kind.equals("choice")) {
      if (!v.isArray() || v.isEmpty()) {
        throw new IllegalArgumentException(field + ".choice: must be a non-empty list of values, got " + v);
      }
      List<JsonNode> values = new ArrayList<>();
      v.forEach(values::add);
      return new Choice(values);
    }
    if (!v.isArray() || v.size() != 2 || !v.get(0).isNumber() || !v.get(1).isNumber()) {
      throw new IllegalArgumentException(field + "." + kind + ": must be [a, b], two numbers, got " + v);
    }
    double a = v.get(0).asDouble();
    double b = v.get(1).asDouble();
    if (!(a <= b) || !Double.isFinite(a) || !Double.isFinite(b)) {
      throw new IllegalArgumentException(field + "." + kind + ": needs a <= b, got " + v);
    }
    return switch (kind) {
      case "uniform" -> new Uniform(a, b);
      case "logUniform" -> {
        if (a <= 0) {
          throw new IllegalArgumentException(field + ".logUniform: needs 0 < a, got " + v);
        }
        yield new LogUniform(a, b);
      }
      default -> {
        if (!v.get(0).isIntegralNumber() || !v.get(1).isIntegralNumber()) {
          throw new IllegalArgumentException(field + ".intUniform: needs two integers, got " + v);
        }
        yield new IntUniform(v.get(0).asLong(), v.get(1).asLong());
      }
    };
  }

  private static List<Long> seeds(JsonNode n, ExperimentConfig base) {
    if (n == null) {
      return List.of(base.settings().seed());
    }
    if (!n.isArray() || n.isEmpty()) {
      throw new IllegalArgumentException("seeds: must be a non-empty list of integers, got " + n);
    }
    List<Long> out = new ArrayList<>();
    for (JsonNode s : n) {
      if (!s.isIntegralNumber() || !s.canConvertToLong()) {
        throw new IllegalArgumentException("seeds: " + s + " is not an integer");
      }
      if (out.contains(s.asLong())) {
        throw new IllegalArgumentException("seeds: " + s + " is listed twice");
      }
      out.add(s.asLong());
    }
    return out;
  }

  private static List<String> train(JsonNode n) {
    if (n == null) {
      return List.of();
    }
    if (!n.isArray()) {
      throw new IllegalArgumentException("train: must be a list of hypercl train arguments, e.g. [\"--dataset\", \"fashion-mnist\"]");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode a : n) {
      if (!a.isTextual() && !a.isNumber()) {
        throw new IllegalArgumentException("train: " + a + " is not a string");
      }
      String arg = a.asText();
      int eq = arg.indexOf('=');
      String flag = arg.startsWith("-") && eq > 0 ? arg.substring(0, eq) : arg;
      String why = REFUSED_TRAIN_FLAGS.get(flag);
      if (why != null) {
        throw new IllegalArgumentException("train: '" + flag + "' may not be given, " + why);
      }
      out.add(arg);
    }
    if (!out.isEmpty() && !out.get(0).startsWith("-")) {
      throw new IllegalArgumentException("train: the arguments must start with a flag, got '" + out.get(0) + "'");
    }
    return out;
  }

  private static String quoted(List<String> names) {
    List<String> q = new ArrayList<>();
    for (String s : names) {
      q.add("'" + s + "'");
    }
    return String.join(", ", q);
  }

  private static double round6(double v) {
    if (v == 0 || !Double.isFinite(v)) {
      return v;
    }
    return new BigDecimal(v).round(new MathContext(6, RoundingMode.HALF_EVEN)).doubleValue();
  }

  private static double clamp(double v, double a, double b) {
    return Math.max(a, Math.min(b, v));
  }
}
