package org.hypercl.training;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings of an experiment changed by path, as {@code train --set} and sweeps give them: an
 * experiment is its config.json tree ({@link ExperimentConfig} through {@link JsonFiles#MAPPER}),
 * a path names one value in it, dotted ({@code settings.beta}, {@code hypernetwork.hidden}) or as
 * a JSON pointer ({@code /settings/beta}), and the new value is JSON ({@code 0.05}, {@code [25,25]},
 * {@code true}) or else a plain string ({@code relu}). Only values that exist can be set, so a
 * misspelt path is an error naming the fields there are; the changed tree is read back as an
 * experiment, which validates it.
 *
 * <p>The hypernetwork's {@code targetSize} follows the target network when an override changes the
 * target and does not set {@code hypernetwork.targetSize} itself.
 */
public final class ConfigOverrides {

  private ConfigOverrides() {}

  /** Parses {@code path=value} assignments (the first {@code =} splits), in order. */
  public static Map<String, String> parse(List<String> assignments) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String a : assignments) {
      int eq = a.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("override '" + a + "' is not PATH=VALUE (e.g. settings.beta=0.05)");
      }
      out.put(a.substring(0, eq).trim(), a.substring(eq + 1).trim());
    }
    return out;
  }

  /** {@code base} with every override applied, validated as an experiment. */
  public static ExperimentConfig apply(ExperimentConfig base, Map<String, String> overrides) {
    if (overrides.isEmpty()) {
      return base;
    }
    ObjectNode tree = JsonFiles.MAPPER.valueToTree(base);
    boolean targetChanged = false;
    boolean targetSizeSet = false;
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      List<String> path = segments(e.getKey());
      access(tree, path, e.getKey(), value(e.getValue()));
      targetChanged |= path.get(0).equals("target");
      targetSizeSet |= path.equals(List.of("hypernetwork", "targetSize"));
    }
    if (targetChanged && !targetSizeSet) {
      try {
        long p = JsonFiles.MAPPER.treeToValue(tree.get("target"), org.hypercl.graphs.TargetSpec.class).parameterCount();
        ((ObjectNode) tree.get("hypernetwork")).put("targetSize", p);
      } catch (JsonProcessingException | IllegalArgumentException ex) {
        throw new IllegalArgumentException("overrides " + overrides.keySet() + " make an invalid target network: " + message(ex), ex);
      }
    }
    try {
      return JsonFiles.MAPPER.treeToValue(tree, ExperimentConfig.class);
    } catch (JsonProcessingException | IllegalArgumentException ex) {
      throw new IllegalArgumentException("overrides " + overrides + " give an invalid experiment: " + message(ex), ex);
    }
  }

  /**
   * The value at {@code path} in {@code base}'s config.json tree (a copy), as {@link #apply} would
   * find it: an unknown path is an {@link IllegalArgumentException} naming the fields there are.
   */
  public static JsonNode valueAt(ExperimentConfig base, String path) {
    ObjectNode tree = JsonFiles.MAPPER.valueToTree(base);
    return access(tree, segments(path), path, null);
  }

  /**
   * One spelling of a path: dotted ({@code settings.beta}) unless a part holds a dot, then a JSON
   * pointer; so {@code /settings/beta} and {@code settings.beta} are the same path.
   */
  public static String normalPath(String path) {
    List<String> parts = segments(path);
    if (parts.stream().noneMatch(s -> s.contains("."))) {
      return String.join(".", parts);
    }
    StringBuilder sb = new StringBuilder();
    for (String s : parts) {
      sb.append('/').append(s.replace("~", "~0").replace("/", "~1"));
    }
    return sb.toString();
  }

  /** Reads an experiment from a JSON file in config.json's format (a run's config.json works). */
  public static ExperimentConfig read(Path file) {
    JsonNode tree;
    try {
      tree = JsonFiles.MAPPER.readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read experiment config " + file + ": " + e.getMessage(), e);
    }
    if (tree == null || !tree.isObject()) {
      throw new IllegalArgumentException(file + " is not a JSON object");
    }
    try {
      return JsonFiles.MAPPER.treeToValue(tree, ExperimentConfig.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new IllegalArgumentException(file + " is not a valid experiment config: " + message(e), e);
    }
  }

  private static String message(Exception e) {
    String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    if (e instanceof com.fasterxml.jackson.databind.JsonMappingException jm && !jm.getPath().isEmpty()) {
      List<String> names = new ArrayList<>();
      for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : jm.getPath()) {
        names.add(r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()));
      }
      m = "field '" + String.join(".", names) + "': " + m;
    }
    Throwable c = e.getCause();
    // Validation in a record's constructor arrives wrapped; its own message says what is wrong.
    while (c != null) {
      if (c instanceof IllegalArgumentException) {
        m = c.getMessage();
      }
      c = c.getCause();
    }
    return m;
  }

  static List<String> segments(String path) {
    String p = path.trim();
    List<String> out = new ArrayList<>();
    if (p.startsWith("/")) {
      for (String s : p.substring(1).split("/", -1)) {
        out.add(s.replace("~1", "/").replace("~0", "~"));
      }
    } else {
      for (String s : p.split("\\.", -1)) {
        out.add(s);
      }
    }
    if (out.isEmpty() || out.stream().anyMatch(String::isEmpty)) {
      throw new IllegalArgumentException("override path '" + path + "' has an empty part");
    }
    return out;
  }

  private static JsonNode value(String text) {
    try {
      JsonNode n = JsonFiles.MAPPER.readTree(text);
      return n == null || n.isMissingNode() ? TextNode.valueOf(text) : n;
    } catch (IOException e) {
      return TextNode.valueOf(text);
    }
  }

  /** Sets the value at {@code path} to {@code value}, or with {@code value} null only reads it; returns the value found. */
  private static JsonNode access(ObjectNode root, List<String> path, String given, JsonNode value) {
    JsonNode node = root;
    for (int i = 0; i < path.size(); i++) {
      String key = path.get(i);
      boolean last = i == path.size() - 1;
      String at = String.join(".", path.subList(0, i));
      if (node instanceof ObjectNode obj) {
        if (!obj.has(key)) {
          throw new IllegalArgumentException("override path '" + given + "': " + (at.isEmpty() ? "the experiment" : "'" + at + "'")
              + " has no field '" + key + "'; it has " + fieldNames(obj));
        }
        if (last) {
          JsonNode found = obj.get(key);
          if (value != null) {
            obj.set(key, value);
          }
          return found;
        }
        node = obj.get(key);
      } else if (node instanceof ArrayNode arr) {
        int index;
        try {
          index = Integer.parseInt(key);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("override path '" + given + "': '" + at + "' is a list; '" + key + "' is not an index");
        }
        if (index < 0 || index >= arr.size()) {
          throw new IllegalArgumentException("override path '" + given + "': '" + at + "' has " + arr.size() + " entries, no index " + index);
        }
        if (last) {
          JsonNode found = arr.get(index);
          if (value != null) {
            arr.set(index, value);
          }
          return found;
        }
        node = arr.get(index);
      } else {
        throw new IllegalArgumentException("override path '" + given + "': '" + at + "' is a single value, it has no '" + key + "'");
      }
    }
    throw new IllegalStateException("unreachable: path " + path + " has no last part");
  }

  private static List<String> fieldNames(ObjectNode obj) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }
}
