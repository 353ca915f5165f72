package org.hypercl.tools.serving;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.hypercl.data.io.IdxReader;
import org.hypercl.graphs.TempFiles;
import org.hypercl.savedmodels.ExportManifest;
import org.hypercl.savedmodels.ExportedModels;
import org.hypercl.savedmodels.OutputKind;
import org.hypercl.savedmodels.Prediction;
import org.hypercl.savedmodels.TaskInference;
import org.hypercl.tools.UserException;
import org.hypercl.tools.Writes;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hypercl predict EXPORT_DIR}: batch inference from a file to a CSV. */
@Command(
    name = "predict",
    mixinStandardHelpOptions = true,
    header = "Predicts for every row of a CSV or IDX file with an exported model.",
    description = {
      // One element per paragraph: picocli wraps each to the help's width.
      "Input: CSV (one row of numbers per example, as many as the model's inputs; a header line is skipped) or "
          + "IDX (unsigned bytes, e.g. MNIST images, divided by --idx-divisor; each example must have as many "
          + "values as the model's inputs). Output: a CSV with columns task_id, then y0.. (regression) or class, "
          + "probability_0.. (classification), then entropy_0.. with --infer-task.",
      "--task K uses the per-task model of task K (0-based, as in the manifest); --infer-task picks each row's "
          + "task by lowest predictive entropy (classifiers only) and predicts with it.",
    })
public final class PredictCommand implements Callable<Integer> {

  /** Rows per TensorFlow call. */
  static final int BATCH_DEFAULT = 1024;

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "EXPORT_DIR", description = "The export folder (holds manifest.json).")
  Path exportDir;

  @ArgGroup(exclusive = true, multiplicity = "1")
  TaskChoice task;

  static final class TaskChoice {
    @Option(names = "--task", paramLabel = "K", description = "Task id (0-based) to predict for.")
    Integer id;

    @Option(names = "--infer-task", description = "Infer each row's task by lowest predictive entropy.")
    boolean infer;
  }

  @Option(names = "--input", required = true, paramLabel = "FILE", description = "Inputs: .csv, or an IDX file (plain or .gz).")
  Path input;

  @Option(names = "--output", required = true, paramLabel = "OUT", description = "Where to write the predictions (CSV).")
  Path output;

  @Option(names = "--format", description = "Input format, csv or idx (default: from the file name).")
  String format;

  @Option(names = "--idx-divisor", description = "IDX bytes are divided by this (default: ${DEFAULT-VALUE}, giving [0, 1]).")
  float idxDivisor = 255f;

  @Option(names = "--batch", description = "Rows per TensorFlow call (default: ${DEFAULT-VALUE}).")
  int batch = BATCH_DEFAULT;

  @Override
  public Integer call() throws IOException {
    if (batch <= 0) {
      throw new UserException("--batch must be positive, got " + batch);
    }
    try (ExportedModels models = ExportedModels.open(exportDir)) {
      ExportManifest m = models.manifest();
      int width = Math.toIntExact(m.input().shape()[1]);
      float[] x = read(input, width);
      int n = x.length / width;
      if (task.id != null && (task.id < 0 || task.id >= models.numTasks())) {
        throw new UserException("--task " + task.id + " is not a task of this export; it has tasks " + m.taskRange());
      }
      if (task.infer && m.kind() != OutputKind.CLASSIFICATION) {
        throw new UserException("--infer-task needs a classifier (task inference by entropy); this export is "
            + m.kind().name().toLowerCase(Locale.ROOT) + "; use --task K");
      }
      // Whole or absent: written beside the output, then renamed; a failed write names the output and why.
      Path tmp = null;
      try {
        Path folder = Files.createDirectories(output.toAbsolutePath().getParent());
        tmp = TempFiles.createFile(folder, "." + output.getFileName(), ".tmp");
        try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
          w.write(header(m));
          w.newLine();
          for (int start = 0; start < n; start += batch) {
            int rows = Math.min(batch, n - start);
            float[] chunk = Arrays.copyOfRange(x, start * width, (start + rows) * width);
            writeBatch(w, models, chunk, rows, width);
          }
        }
        try {
          Files.move(tmp, output, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING);
        }
      } catch (IOException e) {
        throw Writes.cannotWrite(output, e);
      } finally {
        if (tmp != null) {
          Files.deleteIfExists(tmp);
        }
      }
      PrintWriter out = spec.commandLine().getOut();
      out.printf("Wrote %d predictions (%s) to %s%n", n,
          task.infer ? "tasks inferred by entropy" : "task " + task.id, output);
      out.flush();
    }
    return 0;
  }

  private String header(ExportManifest m) {
    List<String> cols = new ArrayList<>();
    cols.add("task_id");
    if (m.kind() == OutputKind.REGRESSION) {
      for (int i = 0; i < m.outputSize(); i++) {
        cols.add("y" + i);
      }
    } else {
      cols.add("class");
      for (int i = 0; i < m.outputSize(); i++) {
        cols.add("probability_" + i);
      }
    }
    if (task.infer) {
      for (int t = 0; t < m.tasks().size(); t++) {
        cols.add("entropy_" + t);
      }
    }
    return String.join(",", cols);
  }

  private void writeBatch(BufferedWriter w, ExportedModels models, float[] x, int rows, int width) throws IOException {
    int[] tasks = new int[rows];
    TaskInference inferred = null;
    Prediction[] perRow = new Prediction[rows];
    int[] indexInPrediction = new int[rows];
    if (task.infer) {
      inferred = models.hypernetwork().inferTask(x, rows);
      tasks = inferred.taskIds();
      for (int t = 0; t < models.numTasks(); t++) {
        List<Integer> mine = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
          if (tasks[r] == t) {
            mine.add(r);
          }
        }
        if (mine.isEmpty()) {
          continue;
        }
        float[] sub = new float[mine.size() * width];
        for (int i = 0; i < mine.size(); i++) {
          System.arraycopy(x, mine.get(i) * width, sub, i * width, width);
        }
        Prediction p = models.task(t).predict(sub, mine.size());
        for (int i = 0; i < mine.size(); i++) {
          perRow[mine.get(i)] = p;
          indexInPrediction[mine.get(i)] = i;
        }
      }
    } else {
      Arrays.fill(tasks, task.id);
      Prediction p = models.task(task.id).predict(x, rows);
      for (int r = 0; r < rows; r++) {
        perRow[r] = p;
        indexInPrediction[r] = r;
      }
    }
    StringBuilder line = new StringBuilder();
    for (int r = 0; r < rows; r++) {
      line.setLength(0);
      Prediction p = perRow[r];
      int i = indexInPrediction[r];
      line.append(tasks[r]);
      if (p.kind() == OutputKind.REGRESSION) {
        for (float v : p.row(i)) {
          line.append(',').append(v);
        }
      } else {
        line.append(',').append(p.classes()[i]);
        for (int c = 0; c < p.outputSize(); c++) {
          line.append(',').append(p.probabilities()[i * p.outputSize() + c]);
        }
      }
      if (inferred != null) {
        for (int t = 0; t < inferred.numTasks(); t++) {
          line.append(',').append(inferred.entropies()[r * inferred.numTasks() + t]);
        }
      }
      w.write(line.toString());
      w.newLine();
    }
  }

  private float[] read(Path file, int width) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new UserException("input file " + file + " does not exist");
    }
    String fmt = format != null ? format.toLowerCase(Locale.ROOT)
        : file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv") ? "csv" : "idx";
    return switch (fmt) {
      case "csv" -> readCsv(file, width);
      case "idx" -> readIdx(file, width);
      default -> throw new UserException("--format must be csv or idx, got '" + format + "'");
    };
  }

  static float[] readCsv(Path file, int width) throws IOException {
    List<float[]> rows = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int lineNo = 0;
      while ((line = r.readLine()) != null) {
        lineNo++;
        String s = line.strip();
        if (s.isEmpty()) {
          continue;
        }
        String[] parts = s.split("\\s*,\\s*", -1);
        float[] row = new float[parts.length];
        try {
          for (int i = 0; i < parts.length; i++) {
            row[i] = Float.parseFloat(parts[i]);
          }
        } catch (NumberFormatException e) {
          if (rows.isEmpty() && lineNo == 1) {
            continue; // a header
          }
          throw new UserException(file + " line " + lineNo + ": not a number in '" + clip(s) + "'");
        }
        if (row.length != width) {
          throw new UserException(file + " line " + lineNo + ": " + row.length + " values, the model takes " + width);
        }
        for (float v : row) {
          if (!Float.isFinite(v)) {
            throw new UserException(file + " line " + lineNo + ": value " + v + " is not finite");
          }
        }
        rows.add(row);
      }
    }
    if (rows.isEmpty()) {
      throw new UserException(file + " holds no rows");
    }
    float[] x = new float[rows.size() * width];
    for (int i = 0; i < rows.size(); i++) {
      System.arraycopy(rows.get(i), 0, x, i * width, width);
    }
    return x;
  }

  private float[] readIdx(Path file, int width) throws IOException {
    IdxReader.IdxArray a = IdxReader.read(file);
    int[] dims = a.dims();
    long per = 1;
    for (int i = 1; i < dims.length; i++) {
      per *= dims[i];
    }
    if (dims.length < 2 || per != width) {
      throw new UserException(file + ": IDX dimensions " + Arrays.toString(dims) + " give " + per
          + " values per example; the model takes " + width);
    }
    if (dims[0] == 0) {
      throw new UserException(file + " holds no examples");
    }
    byte[] b = a.data();
    float[] x = new float[b.length];
    for (int i = 0; i < b.length; i++) {
      x[i] = (b[i] & 0xFF) / idxDivisor;
    }
    return x;
  }

  private static String clip(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "..." : s;
  }
}
