package org.hypercl.tools.sweep;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.hypercl.tools.UserException;
import org.hypercl.training.AtomicFiles;

/**
 * The {@code sbatch} array script of a sweep: one array task per run, index {@code i} being run
 * {@code i} of {@code sweep.json}. The task runs {@code hypercl train} with the run's arguments,
 * read from {@code slurm/args/<name>.new} (or {@code .resume} when the run folder already has a
 * {@code config.json}, as the local backend decides), and as it ends records its exit code in
 * {@code slurm/tasks/<name>.json}, so the outcome is known without Slurm's accounting.
 *
 * <pre>
 * #SBATCH --job-name=hypercl-toy-beta
 * #SBATCH --array=0-3%2
 * #SBATCH --output=/sweeps/toy/slurm/%A_%a.out
 * ...
 * runs=(54ad1f352e-seed1 54ad1f352e-seed2 9398c42857-seed1 9398c42857-seed2)
 * name=${runs[$SLURM_ARRAY_TASK_ID]}
 * mapfile -d '' -t args &lt; "$dir/slurm/args/$name.$mode"
 * "${launcher[@]}" "${args[@]}"
 * </pre>
 *
 * <p>The arguments are in files, NUL-separated, rather than in the script, so no argument passes
 * through the shell's parsing at all; the run names the script lists are plain words. Only the
 * launcher and the folder are quoted into the script, as single-quoted words.
 */
final class SlurmScript {

  /** Run names as SweepRun makes them; anything else is refused rather than quoted into a bash array. */
  private static final Pattern RUN_NAME = Pattern.compile("[A-Za-z0-9._-]+");
  /**
   * What a sweep folder's path may hold to appear in {@code #SBATCH --output} and {@code --chdir}:
   * Slurm reads those lines without a shell's quoting, and {@code %} starts its file name patterns.
   */
  private static final Pattern SBATCH_PATH = Pattern.compile("[A-Za-z0-9_./+@:,=~-]+");

  private SlurmScript() {}

  /** The job name: {@code hypercl-} and the sweep's name, reduced to what squeue shows plainly. */
  static String jobName(String sweepName) {
    String n = sweepName.replaceAll("[^A-Za-z0-9._-]+", "-");
    return "hypercl-" + (n.isEmpty() ? "sweep" : n);
  }

  /**
   * The {@code --array} value of {@code indices} (ascending, no repeats): ranges of consecutive
   * ones joined by commas ({@code 0-3}, {@code 1,4-6}), and {@code %K} when at most K may run.
   */
  static String arraySpec(List<Integer> indices, Integer maxParallel) {
    if (indices.isEmpty()) {
      throw new IllegalArgumentException("no array indices");
    }
    StringBuilder b = new StringBuilder();
    int i = 0;
    while (i < indices.size()) {
      int first = indices.get(i);
      int last = first;
      while (i + 1 < indices.size() && indices.get(i + 1) == last + 1) {
        last = indices.get(++i);
      }
      if (i + 1 < indices.size() && indices.get(i + 1) <= last) {
        throw new IllegalArgumentException("array indices not ascending: " + indices);
      }
      if (b.length() > 0) {
        b.append(',');
      }
      b.append(first);
      if (last > first) {
        b.append('-').append(last);
      }
      i++;
    }
    if (maxParallel != null) {
      b.append('%').append(maxParallel);
    }
    return b.toString();
  }

  /** {@code s} as one single-quoted bash word. */
  static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  /** Refuses a sweep folder whose path an {@code #SBATCH} line cannot hold as it is. */
  static void requirePlainPath(Path out) {
    if (!SBATCH_PATH.matcher(out.toString()).matches()) {
      throw new UserException("--out " + out + ": a Slurm sweep's folder must be a plain path (letters, digits and "
          + "_ . / + @ : , = ~ -, no blanks or %), since #SBATCH --output and --chdir name it without quoting");
    }
  }

  /**
   * The script submitting array {@code indices} of {@code plan}, whose folder is {@code out}
   * (absolute), each task running {@code launcher} (an absolute java command ending in hypercl's
   * main class) with the run's arguments.
   */
  static String render(SweepPlan plan, Path out, List<Integer> indices, SlurmSettings settings, List<String> launcher) {
    requirePlainPath(out);
    List<String> names = new ArrayList<>();
    for (SweepPlan.Planned p : plan.runs()) {
      if (!RUN_NAME.matcher(p.name()).matches()) {
        throw new UserException(out.resolve(SweepFolder.PLAN) + ": run name '" + p.name() + "' is not a plain word");
      }
      names.add(p.name());
    }
    Path slurm = SweepFolder.slurmDir(out);
    StringBuilder s = new StringBuilder();
    s.append("#!/bin/bash\n");
    s.append("# hypercl sweep ").append(plan.name().replaceAll("\\p{Cntrl}", " ")).append(": one array task per run; index i is run i of\n");
    s.append("# ").append(out.resolve(SweepFolder.PLAN)).append(". Written by 'hypercl sweep run --slurm' (docs/sweeps.md).\n");
    s.append("#SBATCH --job-name=").append(jobName(plan.name())).append('\n');
    s.append("#SBATCH --array=").append(arraySpec(indices, settings.maxParallel())).append('\n');
    s.append("#SBATCH --output=").append(slurm).append("/%A_%a.out\n");
    s.append("#SBATCH --chdir=").append(out).append('\n');
    for (String f : settings.resourceFlags()) {
      s.append("#SBATCH ").append(f).append('\n');
    }
    s.append('\n');
    s.append("set -u\n");
    s.append("dir=").append(quote(out.toString())).append('\n');
    s.append("runs=(").append(String.join(" ", names)).append(")\n");
    s.append("launcher=(").append(String.join(" ", launcher.stream().map(SlurmScript::quote).toList())).append(")\n");
    s.append("""
        export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"

        task=${SLURM_ARRAY_TASK_ID:?not an array task: submit this script with sbatch}
        name=${runs[$task]:-}
        if [[ -z $name ]]; then
          echo "hypercl: array index $task is not a run of this sweep (0-$((${#runs[@]} - 1)))" >&2
          exit 2
        fi
        # A run folder with config.json is continued (train --resume), as the local backend does.
        mode=%s
        [[ -f $dir/runs/$name/config.json ]] && mode=%s
        if ! mapfile -d '' -t args < "$dir/slurm/args/$name.$mode"; then
          echo "hypercl: cannot read the arguments of $name ($dir/slurm/args/$name.$mode)" >&2
          exit 2
        fi
        node=${SLURMD_NODENAME:-$(hostname -s)}
        started=$(date +%%s)
        echo "== $(date -u +%%Y-%%m-%%dT%%H:%%M:%%SZ) ${SLURM_ARRAY_JOB_ID}_$task on $node: $mode run $name: hypercl ${args[*]}"
        trap 'echo "hypercl: SIGTERM (scancel or the time limit); the run keeps its checkpoints"' TERM
        "${launcher[@]}" "${args[@]}" </dev/null
        code=$?

        # What this task did, for 'hypercl sweep status' when sacct has nothing: written whole, then renamed.
        mkdir -p "$dir/slurm/tasks"
        tmp=$(mktemp "$dir/slurm/tasks/.$name.json.XXXXXX") && chmod 0644 "$tmp" \\
          && printf '{"arrayJobId": "%%s", "arrayTaskId": %%d, "jobId": "%%s", "node": "%%s", "mode": "%%s", "started": %%d, "seconds": %%d, "exitCode": %%d}\\n' \\
            "$SLURM_ARRAY_JOB_ID" "$task" "${SLURM_JOB_ID:-}" "$node" "$mode" "$started" "$(($(date +%%s) - started))" "$code" >"$tmp" \\
          && mv -f "$tmp" "$dir/slurm/tasks/$name.json"
        exit $code
        """.formatted(SweepFolder.NEW, SweepFolder.RESUME));
    return s.toString();
  }

  /**
   * Writes {@code slurm/args/<name>.new} and {@code .resume} of each run, atomically: its
   * arguments after {@code hypercl}, each ended by a NUL byte (what {@code mapfile -d ''} reads).
   */
  static void writeArgs(Path out, List<SweepPlan.Planned> runs) {
    for (SweepPlan.Planned p : runs) {
      write(SweepFolder.slurmArgs(out, p.name(), SweepFolder.NEW), p.args());
      write(SweepFolder.slurmArgs(out, p.name(), SweepFolder.RESUME), p.resumeArgs());
    }
  }

  private static void write(Path file, List<String> args) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (String a : args) {
      if (a.indexOf('\0') >= 0) {
        throw new UserException("a train argument holds a NUL character: " + a.replace('\0', '?'));
      }
      b.writeBytes(a.getBytes(StandardCharsets.UTF_8));
      b.write(0);
    }
    try {
      AtomicFiles.write(file, b.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Reads an arguments file back, as the task's {@code mapfile -d ''} does. */
  static List<String> readArgs(Path file) throws IOException {
    String all = new String(java.nio.file.Files.readAllBytes(file), StandardCharsets.UTF_8);
    List<String> out = new ArrayList<>();
    int from = 0;
    for (int i = 0; i < all.length(); i++) {
      if (all.charAt(i) == '\0') {
        out.add(all.substring(from, i));
        from = i + 1;
      }
    }
    if (from != all.length()) {
      throw new IOException(file + " does not end with a NUL byte");
    }
    return out;
  }

  static String plural(int n, String what) {
    return String.format(Locale.ROOT, "%d %s%s", n, what, n == 1 ? "" : "s");
  }
}
