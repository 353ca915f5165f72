package org.hypercl.savedmodels;

import java.util.Locale;
import java.util.regex.Pattern;

/** Model names: plain folder names, never paths. */
final class ModelNames {

  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");

  private ModelNames() {}

  /** True for a name that is a single, non-hidden folder name and not "." or "..". */
  static boolean isValid(String name) {
    return name != null && VALID.matcher(name).matches() && !name.equals("..");
  }

  /** A valid name made from an experiment name: lower case, other characters become '-'. */
  static String fromExperiment(String experiment) {
    String s = experiment.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^[-.]+", "");
    if (s.isEmpty()) {
      s = "model";
    }
    return s.length() > 100 ? s.substring(0, 100) : s;
  }

  static String task(String model, int task) {
    return model + "-task" + task;
  }

  static String hypernetwork(String model) {
    return model + "-hnet";
  }

  static String generator(String model) {
    return model + "-generator";
  }

  static String taskInference(String model) {
    return model + "-task-inference";
  }
}
