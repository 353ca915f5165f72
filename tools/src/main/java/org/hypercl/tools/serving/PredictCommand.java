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
import org.hypercl.data.PixelEncoding;
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
      "Input: CSV, one row of numbers per example, as many as the model's inputs (a first line that is a header "
          + "is skipped as --header says; a UTF-8 byte order mark is ignored), or IDX of unsigned bytes (plain or "
          + ".gz), e.g. MNIST images: either raw images of the shape that the export's manifest.json "
          + "records, padded and scaled as training did (PermutedMNIST: 28x28 padded to 32x32), or "
          + "rows of the model's width, divided by --idx-divisor.",
      "Output: a CSV with columns task_id, then y0.. (regression) or class, probability_0.. (classification), "
          + "then with --infer-task every task's score, named after the score (entropy_0.., energy_0.., ...).",
      "--task K uses the per-task model of task K (0-based, as in the manifest); --infer-task picks each row's "
          + "task by the lowest score of the export's infer_task (classifiers only; manifest.json's inferTaskScore, "
          + "predictive entropy unless export --task-inference chose another) and predicts with it.",
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

    @Option(names = "--infer-task", description = "Infer each row's task by the export's score (lowest wins; entropy by default).")
    boolean infer;
  }

  @Option(names = "--input", required = true, paramLabel = "FILE", description = "Inputs: .csv, or an IDX file (plain or .gz).")
  Path input;

  @Option(names = "--output", required = true, paramLabel = "OUT", description = "Where to write the predictions (CSV).")
  Path output;

  @Option(names = "--format", description = "Input format: csv, idx, or cifar10 / cifar100 for the CIFAR binary files "
      + "(data_batch_N.bin, test_batch.bin; train.bin, test.bin), encoded as the export's manifest records (default: "
      + "from the file name: .csv is csv, else idx).")
  String format;

  @Option(names = "--idx-divisor", paramLabel = "D", description = "IDX bytes are divided by this (default: the scale "
      + "training used, as manifest.json records it, else 255: [0, 1]).")
  Float idxDivisor;

  @Option(names = "--header", paramLabel = "auto|yes|no", converter = HeaderConverter.class,
      description = "Whether a CSV's first line is a header to skip: auto (default) only if none of its cells is a "
          + "number, saying so on stderr; yes always; no never.")
  HeaderMode header = HeaderMode.AUTO;

  static final class HeaderConverter implements picocli.CommandLine.ITypeConverter<HeaderMode> {
    @Override
    public HeaderMode convert(String value) {
      try {
        return HeaderMode.valueOf(value.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not auto, yes or no");
      }
    }
  }

  @Option(names = "--batch", description = "Rows per TensorFlow call (default: ${DEFAULT-VALUE}).")
  int batch = BATCH_DEFAULT;

  @Override
  public Integer call() throws IOException {
    if (batch <= 0) {
      throw new UserException("--batch must be positive, got " + batch);
    }
    if (idxDivisor != null && !(idxDivisor > 0 && Float.isFinite(idxDivisor))) {
      throw new UserException("--idx-divisor must be a positive number, got " + idxDivisor);
    }
    try (ExportedModels models = ExportedModels.open(exportDir)) {
      ExportManifest m = models.manifest();
      int width = m.input().exampleSize();
      float[] x = read(input, m, width);
      int n = x.length / width;
      if (task.id != null && (task.id < 0 || task.id >= models.numTasks())) {
        throw new UserException("--task " + task.id + " is not a task of this export; it has tasks " + m.taskRange());
      }
      if (task.infer && m.kind() != OutputKind.CLASSIFICATION) {
        throw new UserException("--infer-task needs a classifier (task inference from its outputs); this export is "
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
          task.infer ? "tasks inferred by " + inferTaskScore(m) : "task " + task.id, output);
      out.flush();
    }
    return 0;
  }

  /** The score infer_task picks by: the manifest's, entropy for exports from before it was recorded. */
  private static String inferTaskScore(ExportManifest m) {
    return m.inferTaskScore() != null ? m.inferTaskScore() : org.hypercl.graphs.TaskInference.Score.ENTROPY.id();
  }

  private String header(ExportManifest m) {
    String scoreColumn = inferTaskScore(m).replace('-', '_');
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
        cols.add(scoreColumn + "_" + t);
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
          line.append(',').append(inferred.scores()[r * inferred.numTasks() + t]);
        }
      }
      w.write(line.toString());
      w.newLine();
    }
  }

  private float[] read(Path file, ExportManifest m, int width) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new UserException("input file " + file + " does not exist");
    }
    String fmt = format != null ? format.toLowerCase(Locale.ROOT)
        : file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv") ? "csv" : "idx";
    return switch (fmt) {
      case "csv" -> readCsv(file, width, header, spec.commandLine().getErr());
      case "idx" -> readIdx(file, m.input().preprocessing(), width, idxDivisor);
      case "cifar10", "cifar100" -> readCifar(file, fmt, m.input().preprocessing(), width);
      default -> throw new UserException("--format must be csv, idx, cifar10 or cifar100, got '" + format + "'");
    };
  }

  /** Whether a CSV's first line is a header: {@code auto} takes it as one only if no cell is a number. */
  enum HeaderMode { AUTO, YES, NO }

  /**
   * Reads CSV rows of {@code width} numbers. A UTF-8 byte order mark is dropped; blank lines are
   * skipped; the first line is a header as {@code mode} says (with {@code AUTO}, when none of its
   * cells is a number, which {@code err} is told). A bad value is named by line and column.
   */
  static float[] readCsv(Path file, int width, HeaderMode mode, PrintWriter err) throws IOException {
    List<float[]> rows = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int lineNo = 0;
      boolean first = true;
      boolean firstData = false;
      while ((line = r.readLine()) != null) {
        lineNo++;
        if (lineNo == 1 && line.startsWith("\uFEFF")) {
          line = line.substring(1); // a byte order mark, as spreadsheet programs write one
        }
        String s = line.strip();
        if (s.isEmpty()) {
          continue;
        }
        String[] parts = s.split("\\s*,\\s*", -1);
        firstData = first;
        if (first) {
          first = false;
          if (mode == HeaderMode.YES) {
            continue;
          }
          if (mode == HeaderMode.AUTO && Arrays.stream(parts).noneMatch(PredictCommand::isNumber)) {
            err.println("hypercl predict: " + file + " line " + lineNo + " is taken as a header (no cell is a number): '"
                + clip(s) + "'; --header no reads it as data");
            err.flush();
            continue;
          }
        }
        if (parts.length != width) {
          throw new UserException(file + " line " + lineNo + ": " + parts.length + " values, the model takes " + width);
        }
        float[] row = new float[width];
        for (int i = 0; i < width; i++) {
          String cell = parts[i];
          if (!isNumber(cell)) {
            throw new UserException(file + " line " + lineNo + ", column " + (i + 1) + ": '" + clip(cell)
                + "' is not a number" + (firstData && mode == HeaderMode.AUTO
                    ? " (if line " + lineNo + " is a header, --header yes skips it)" : ""));
          }
          row[i] = Float.parseFloat(cell);
          if (!Float.isFinite(row[i])) {
            throw new UserException(file + " line " + lineNo + ", column " + (i + 1) + ": '" + clip(cell)
                + "' is not a finite number");
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

  /** Whether {@code cell} is a decimal number (Java's float syntax, without its hex and 'f'/'d' forms). */
  static boolean isNumber(String cell) {
    if (cell.isEmpty() || !cell.matches("[+-]?(NaN|Infinity|(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?)")) {
      return false;
    }
    try {
      Float.parseFloat(cell);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * Reads an unsigned-byte IDX file of examples. Examples of the raw image shape the export's
   * manifest records ({@code input.preprocessing}: e.g. PermutedMNIST's 28x28, padded to 32x32) are
   * padded and scaled as training did it; examples of the model's width are only scaled: divided
   * by {@code divisor} (default 255).
   *
   * @param pre the export's input preprocessing, or null for an export without one
   * @param divisor --idx-divisor, or null for the recorded scale (else 255)
   */
  static float[] readIdx(Path file, ExportManifest.Preprocessing pre, int width, Float divisor) throws IOException {
    IdxReader.IdxArray a = IdxReader.read(file);
    int[] dims = a.dims();
    long per = 1;
    for (int i = 1; i < dims.length; i++) {
      per *= dims[i];
    }
    int n = dims[0];
    byte[] b = a.data();
    int[] s = pre != null ? pre.rawShape() : null;
    boolean flat = dims.length == 2;
    boolean gray = s != null && dims.length == 3 && s[2] == 1 && dims[1] == s[0] && dims[2] == s[1];
    boolean colour = s != null && dims.length == 4 && dims[1] == s[0] && dims[2] == s[1] && dims[3] == s[2];
    // Raw images as training read them: encoded exactly as training did (b * scale + offset, padded), also when
    // no padding makes their size the model's width (split MNIST: 784).
    if (dims.length >= 2 && pre != null && per == pre.rawSize() && (flat || gray || colour || per != width)) {
      if (!(flat || gray || colour)) {
        throw new UserException(file + ": IDX dimensions " + Arrays.toString(dims) + " are not images of "
            + s[0] + "x" + s[1] + "x" + s[2] + " (height, width, channels), the raw shape this export's manifest.json records");
      }
      if (n == 0) {
        throw new UserException(file + " holds no examples");
      }
      PixelEncoding enc = encoding(pre, divisor);
      if (enc.dim() != width) {
        throw new UserException(file + ": padding " + s[0] + "x" + s[1] + " images by " + Arrays.toString(pre.pad())
            + " gives " + enc.dim() + " values; the model takes " + width + " (manifest.json input.preprocessing)");
      }
      float[] x = new float[n * width];
      for (int i = 0; i < n; i++) {
        enc.encode(b, i * (int) per, x, i * width);
      }
      return x;
    }
    if (dims.length < 2 || per != width) {
      String raw = pre == null ? "; this export's manifest.json records no input.preprocessing (exported from a run "
          + "trained before it was recorded), so only rows of " + width + " values are read"
          : " or images of " + pre.rawShape()[0] + "x" + pre.rawShape()[1] + "x" + pre.rawShape()[2]
              + " (padded as training did)";
      throw new UserException(file + ": IDX dimensions " + Arrays.toString(dims) + " give " + per
          + " values per example; the model takes " + width + raw);
    }
    if (n == 0) {
      throw new UserException(file + " holds no examples");
    }
    float d = divisor != null ? divisor : 255f;
    float[] x = new float[b.length];
    for (int i = 0; i < b.length; i++) {
      x[i] = (b[i] & 0xFF) / d;
    }
    return x;
  }

  /**
   * Reads a CIFAR-10 or CIFAR-100 binary file (label bytes, then 3,072 channel-first pixels per
   * record) and encodes each image as the export's manifest says training did (its channel
   * offsets and scales, e.g. the ImageNet standardisation of the ResNet-32 experiment), giving rows
   * of {@code width} values in height, width, channel order. The labels are not used.
   */
  static float[] readCifar(Path file, String format, ExportManifest.Preprocessing pre, int width) throws IOException {
    if (pre == null) {
      throw new UserException("this export's manifest.json records no input.preprocessing, so CIFAR images cannot be "
          + "encoded as training did; give rows of " + width + " encoded values as CSV instead");
    }
    int[] s = pre.rawShape();
    if (s[0] != org.hypercl.data.io.CifarReader.SIDE || s[1] != org.hypercl.data.io.CifarReader.SIDE
        || s[2] != org.hypercl.data.io.CifarReader.CHANNELS) {
      throw new UserException("this export takes " + s[0] + "x" + s[1] + "x" + s[2] + " images (manifest.json "
          + "input.preprocessing), not CIFAR's 32x32x3");
    }
    org.hypercl.data.ImageSet images;
    try {
      images = format.equals("cifar10")
          ? org.hypercl.data.io.CifarReader.readCifar10(List.of(file), file.toString())
          : org.hypercl.data.io.CifarReader.readCifar100(List.of(file), org.hypercl.data.io.CifarReader.Cifar100Labels.FINE,
              file.toString());
    } catch (org.hypercl.data.DataFileException e) {
      throw new UserException(e.getMessage(), e);
    }
    PixelEncoding enc = encoding(pre, null);
    if (enc.dim() != width) {
      throw new UserException(file + ": CIFAR images encode to " + enc.dim() + " values; the model takes " + width);
    }
    int n = images.size();
    int size = images.imageSize();
    byte[] raw = new byte[size];
    float[] x = new float[n * width];
    for (int i = 0; i < n; i++) {
      for (int p = 0; p < size; p++) {
        raw[p] = (byte) images.pixel(i, p);
      }
      enc.encode(raw, 0, x, i * width);
    }
    return x;
  }

  /**
   * The data's own encoding of a raw image, rebuilt from the manifest: the same {@link
   * PixelEncoding} code training used, so padding lands where it did (an uneven pad is refused
   * rather than guessed: padTo centres the image).
   */
  static PixelEncoding encoding(ExportManifest.Preprocessing pre, Float divisor) {
    int[] s = pre.rawShape();
    int[] p = pre.pad();
    float[] scale = pre.scale().clone();
    float[] offset = pre.offset().clone();
    if (divisor != null) {
      Arrays.fill(scale, 1f / divisor);
      Arrays.fill(offset, 0f);
    }
    PixelEncoding enc = PixelEncoding.affine(s[0], s[1], s[2], scale, offset).padTo(s[0] + p[0] + p[1], s[1] + p[2] + p[3]);
    if (!Arrays.equals(enc.padding(), p)) {
      throw new UserException("manifest.json input.preprocessing: pad " + Arrays.toString(p) + " is not the centred "
          + "padding this version applies (" + Arrays.toString(enc.padding()) + ")");
    }
    return enc;
  }

  private static String clip(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "..." : s;
  }
}
