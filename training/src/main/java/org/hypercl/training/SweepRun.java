package org.hypercl.training;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run of an expanded sweep ({@link SweepSpec#expand}): the overrides of its configuration, in
 * the order they are applied, and its seed.
 *
 * @param name {@code config + "-seed" + seed}, the run's folder name
 * @param config the configuration's name: a short hash of its overrides without the seed
 *     ({@link SweepSpec#configName}), shared by the runs of the configuration over its seeds
 * @param seed the training seed ({@code train --seed})
 * @param overrides path (normalised, {@link ConfigOverrides#normalPath}) to JSON value
 */
public record SweepRun(String name, String config, long seed, Map<String, JsonNode> overrides) {

  public SweepRun {
    overrides = Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
  }

  /** The run of configuration {@code overrides} with {@code seed}, named from both. */
  public static SweepRun of(Map<String, JsonNode> overrides, long seed) {
    String config = SweepSpec.configName(overrides);
    return new SweepRun(config + "-seed" + seed, config, seed, overrides);
  }

  /** The overrides as {@link ConfigOverrides#apply} and {@code train --set} take them: values as JSON text. */
  public Map<String, String> overrideTexts() {
    Map<String, String> out = new LinkedHashMap<>();
    overrides.forEach((path, value) -> out.put(path, value.toString()));
    return out;
  }

  /** {@code --set PATH=VALUE} for each override, in order. */
  public List<String> setArguments() {
    List<String> out = new ArrayList<>();
    overrideTexts().forEach((path, value) -> {
      out.add("--set");
      out.add(path + "=" + value);
    });
    return out;
  }
}
