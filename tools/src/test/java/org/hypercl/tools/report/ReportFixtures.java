package org.hypercl.tools.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.hypercl.training.RunDirectory;
import org.hypercl.training.RunResults;

/** Results built directly, as a finished classification or regression run would leave them. */
final class ReportFixtures {

  private ReportFixtures() {}

  /** A 3-task accuracy run with no forgetting to speak of: exact values the tests check. */
  static RunResults hnetThreeTasks() {
    double nan = Double.NaN;
    return new RunResults("split-mnist-hnet", "accuracy", List.of("0/1", "2/3", "4/5"),
        new double[][] {{99.5, nan, nan}, {99.4, 98.0, nan}, {99.3, 97.9, 99.0}},
        new double[] {10.0, 12.0, 14.0}, new double[] {5.0, 6.0, 7.5},
        new double[] {0.01, 0.02, 0.03}, new double[] {0.0, 0.001, 0.002});
  }

  /** The same tasks fine-tuned: earlier tasks forgotten. */
  static RunResults fineTuningThreeTasks() {
    double nan = Double.NaN;
    return new RunResults("split-mnist-fine-tuning", "accuracy", List.of("0/1", "2/3", "4/5"),
        new double[][] {{99.6, nan, nan}, {70.0, 98.5, nan}, {60.0, 65.0, 99.2}},
        new double[] {8.0, 8.5, 9.0}, new double[] {4.0, 4.0, 4.25},
        new double[] {0.01, 0.02, 0.03}, new double[] {0.0, 0.0, 0.0});
  }

  /** A toy-regression-like MSE run. */
  static RunResults mseThreeTasks() {
    double nan = Double.NaN;
    return new RunResults("toy-regression-hnet", "mse", List.of("x+3", "2x^2-1", "(x-3)^3"),
        new double[][] {{1.3e-4, nan, nan}, {6.8e-5, 3.0e-3, nan}, {1.1e-3, 3.3e-3, 1.9e-3}},
        new double[] {1.5, 1.45, 1.5}, new double[] {0.37, 0.36, 0.38},
        new double[] {0.0048, 0.0027, 0.0031}, new double[] {0.0, 1.8e-5, 8.2e-6});
  }

  /** A PermutedMNIST-100-like run with slowly decaying accuracy, seeded. */
  static RunResults permutedHundred() {
    int n = 100;
    Random rnd = new Random(7);
    double[][] m = new double[n][n];
    List<String> names = new ArrayList<>();
    double[] during = new double[n];
    for (int j = 0; j < n; j++) {
      names.add("permutation " + j);
      during[j] = 97.5 - 0.01 * j + rnd.nextGaussian() * 0.2;
    }
    for (int i = 0; i < n; i++) {
      Arrays.fill(m[i], Double.NaN);
      for (int j = 0; j <= i; j++) {
        m[i][j] = during[j] - 0.03 * (i - j) * (1 + 0.2 * rnd.nextGaussian());
      }
    }
    double[] seconds = new double[n];
    double[] ms = new double[n];
    for (int t = 0; t < n; t++) {
      ms[t] = 20 + 0.5 * Math.min(t, 32);
      seconds[t] = ms[t] * 5;
    }
    return new RunResults("permuted-mnist-100-hnet", "accuracy", names, m, seconds, ms, new double[n], new double[n]);
  }

  /** A finished run on disk: results.json as the runner writes it, and a placeholder config.json. */
  static Path writeRun(Path dir, RunResults results) throws IOException {
    RunDirectory.createNew(dir).writeResults(results);
    Files.writeString(dir.resolve(RunDirectory.CONFIG), "{\"experiment\": \"" + results.experiment() + "\"}");
    return dir;
  }

  /** Runs {@code hypercl report ARGS...} in process, writing to the given streams; the exit code. */
  static int report(java.io.StringWriter out, java.io.StringWriter err, String... args) {
    picocli.CommandLine cl = org.hypercl.tools.HyperclCommand.commandLine();
    cl.setOut(new java.io.PrintWriter(out));
    cl.setErr(new java.io.PrintWriter(err));
    String[] all = new String[args.length + 1];
    all[0] = "report";
    System.arraycopy(args, 0, all, 1, args.length);
    return cl.execute(all);
  }

  /** RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks. */
  static List<List<String>> parseCsv(String text) {
    List<List<String>> records = new ArrayList<>();
    List<String> record = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        record.add(field.toString());
        field.setLength(0);
      } else if (c == '\n') {
        record.add(field.toString());
        field.setLength(0);
        records.add(record);
        record = new ArrayList<>();
      } else {
        field.append(c);
      }
    }
    if (field.length() > 0 || !record.isEmpty()) {
      record.add(field.toString());
      records.add(record);
    }
    return records;
  }
}
