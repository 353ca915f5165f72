package org.hypercl.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.hypercl.tools.report.ResultPlots;
import org.hypercl.tools.report.ResultsCsv;
import org.hypercl.training.RunDirectory;
import org.hypercl.training.RunResults;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code hypercl demo} end to end, with few steps: its table, its run folders and its plots. */
class DemoCommandTest {

  private static final String ITERATIONS = "150";

  @TempDir Path tmp;

  private record Result(int exitCode, String out, String err) {}

  private static Result demo(Path out) {
    CommandLine cl = HyperclCommand.commandLine();
    StringWriter sw = new StringWriter();
    StringWriter ew = new StringWriter();
    cl.setOut(new PrintWriter(sw));
    cl.setErr(new PrintWriter(ew));
    int code = cl.execute("demo", "--iterations", ITERATIONS, "--out", out.toString());
    return new Result(code, sw.toString(), ew.toString());
  }

  @Test
  void demoPrintsItsTableLeavesTwoRunsAndRunsAgainIntoTheSameFolder() throws Exception {
    Path out = tmp.resolve("demo");
    Result first = demo(out);
    assertThat(first.exitCode()).as(first.err()).isZero();

    RunResults hnet = RunDirectory.open(out.resolve("hnet")).readResults();
    RunResults fineTuning = RunDirectory.open(out.resolve("fine-tuning")).readResults();
    assertThat(hnet.metric()).isEqualTo("mse");
    assertThat(hnet.numTasks()).isEqualTo(3);
    assertThat(first.out()).contains("HNET beta=0.005").contains("fine-tuning").contains("during").contains("after");
    // Each task row holds during/after of HNET, then of fine-tuning, as results.json has them.
    String[] names = {"1: x+3", "2: 2x^2-1", "3: (x-3)^3"};
    for (int t = 0; t < 3; t++) {
      assertThat(row(first.out(), names[t])).containsExactly(
          f5(hnet.during()[t]), f5(hnet.after()[t]), f5(fineTuning.during()[t]), f5(fineTuning.after()[t]));
    }
    assertThat(row(first.out(), "mean")).containsExactly(
        f5(hnet.meanDuring()), f5(hnet.meanAfter()), f5(fineTuning.meanDuring()), f5(fineTuning.meanAfter()));

    for (String run : List.of("hnet", "fine-tuning")) {
      Path dir = out.resolve(run);
      assertThat(dir.resolve(RunDirectory.CONFIG)).isRegularFile();
      assertThat(dir.resolve(RunDirectory.RESULTS)).isRegularFile();
      assertThat(dir.resolve(RunDirectory.CHECKPOINTS).resolve(RunDirectory.LATEST)).isRegularFile();
      assertThat(RunDirectory.open(dir).latestCheckpoint()).isPresent();
      assertThat(Files.readString(dir.resolve(ResultsCsv.FILE_NAME)))
          .startsWith(String.join(",", ResultsCsv.COLUMNS) + "\n");
      assertPng(dir.resolve("plots").resolve(ResultPlots.MATRIX_FILE));
      assertPng(dir.resolve("plots").resolve(ResultPlots.DURING_AFTER_FILE));
    }
    BufferedImage fit = assertPng(out.resolve("plots").resolve("toy-fit.png"));
    assertThat(fit.getWidth()).isGreaterThan(fit.getHeight());  // two panels side by side

    Result again = demo(out);
    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(out.resolve("hnet").resolve(RunDirectory.RESULTS)).isRegularFile();
    assertThat(out.resolve("fine-tuning").resolve(ResultsCsv.FILE_NAME)).isRegularFile();
  }

  @Test
  void aFolderHoldingSomethingElseIsRefused() throws Exception {
    Path out = tmp.resolve("taken");
    Path notes = Files.createDirectories(out.resolve("hnet")).resolve("notes.txt");
    Files.writeString(notes, "mine");

    Result r = demo(out);
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).startsWith("hypercl demo: ").contains(out.resolve("hnet").toString()).contains("--out");
    assertThat(Files.readString(notes)).isEqualTo("mine");
    assertThat(out.resolve("fine-tuning")).doesNotExist();
  }

  /** The four numbers of the demo table's row {@code label}. */
  private static List<String> row(String table, String label) {
    String line = table.lines().filter(l -> l.startsWith(label + " ")).findFirst()
        .orElseThrow(() -> new AssertionError("no row '" + label + "' in\n" + table));
    return Arrays.asList(line.substring(label.length()).strip().split("\\s+"));
  }

  private static String f5(double v) {
    return String.format(Locale.ROOT, "%.5f", v);
  }

  private static BufferedImage assertPng(Path file) throws Exception {
    assertThat(file).isRegularFile();
    BufferedImage image = ImageIO.read(file.toFile());
    assertThat(image).as("%s is a PNG", file).isNotNull();
    return image;
  }
}
