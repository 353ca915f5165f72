package org.hypercl.tools.sweep;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.hypercl.tools.UserException;

/**
 * What each array task of a Slurm sweep asks the scheduler for, as {@code sweep run --slurm}'s
 * flags give it: partition, time limit, memory, generic resources, CPUs, and how many tasks may
 * run at once. A value left out (null) is the cluster's default. Values are checked only for what
 * would break the {@code #SBATCH} line (blanks, control characters); Slurm checks the rest and
 * {@code sbatch}'s refusal is shown as it is.
 *
 * @param partition {@code --partition}, or null
 * @param time {@code --time} of each task, e.g. {@code 2:00:00}, or null
 * @param mem {@code --mem} of each task, e.g. {@code 8G}, or null
 * @param gres {@code --gres} of each task, e.g. {@code gpu:1}, or null
 * @param cpus {@code --cpus-per-task}, also each run's {@code train --threads} unless the spec's
 *     train flags give one
 * @param maxParallel the array's {@code %K}: at most K tasks at a time, or null for no limit
 */
record SlurmSettings(String partition, String time, String mem, String gres, int cpus, Integer maxParallel) {

  /** CPUs per task when {@code --cpus} is not given: Slurm's own default. */
  static final int CPUS_DEFAULT = 1;

  private static final Pattern WORD = Pattern.compile("[^\\s\\p{Cntrl}'\"\\\\]+");

  SlurmSettings {
    partition = checked("--partition", partition);
    time = checked("--time", time);
    mem = checked("--mem", mem);
    gres = checked("--gres", gres);
    if (cpus < 1) {
      throw new UserException("--cpus must be at least 1, got " + cpus);
    }
    if (maxParallel != null && maxParallel < 1) {
      throw new UserException("--max-parallel must be at least 1, got " + maxParallel);
    }
  }

  private static String checked(String flag, String value) {
    if (value == null) {
      return null;
    }
    if (!WORD.matcher(value).matches()) {
      throw new UserException(flag + " '" + value + "' is not one word (no blanks, quotes or control characters)");
    }
    return value;
  }

  /** The resource flags as {@code #SBATCH} takes them, in a fixed order. */
  List<String> resourceFlags() {
    List<String> out = new ArrayList<>();
    out.add("--cpus-per-task=" + cpus);
    if (partition != null) {
      out.add("--partition=" + partition);
    }
    if (time != null) {
      out.add("--time=" + time);
    }
    if (mem != null) {
      out.add("--mem=" + mem);
    }
    if (gres != null) {
      out.add("--gres=" + gres);
    }
    return out;
  }
}
