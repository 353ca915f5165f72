package org.hypercl.tools.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.hypercl.training.RunDirectory;
import org.hypercl.training.RunResults;

/**
 * The files a finished run leaves for people to read: {@code results.csv} ({@link ResultsCsv}) and
 * the plots {@code plots/matrix.png} and {@code plots/during-after.png} ({@link ResultPlots}).
 * Every file is written atomically, so an interrupted call leaves each one whole or absent.
 *
 * <pre>
 * RunResults results = runner.run().results();
 * RunReport.writeAll(runDirectory, results);
 * </pre>
 */
public final class RunReport {

  private RunReport() {}

  /**
   * Writes results.csv and both plots for {@code results} into {@code dir}.
   *
   * @return the files written, in the order above
   * @throws IllegalArgumentException if the results are inconsistent (see {@link #requireConsistent})
   */
  public static List<Path> writeAll(RunDirectory dir, RunResults results) throws IOException {
    requireConsistent(results, dir.root().toString());
    List<Path> written = new ArrayList<>();
    written.add(ResultsCsv.write(dir.root().resolve(ResultsCsv.FILE_NAME), results));
    written.addAll(ResultPlots.writeAll(dir.plots(), results));
    return written;
  }

  /**
   * Checks that {@code results} describes a T-task run: a T × T matrix, one value per task in every
   * per-task array and a known metric. Files read from disk may be truncated or hand-edited, so
   * every reader of results checks this before indexing.
   *
   * @param where the run or file the results came from, for the message
   */
  public static void requireConsistent(RunResults results, String where) {
    int n = results.taskNames() == null ? -1 : results.taskNames().size();
    if (n < 1) {
      throw new IllegalArgumentException(where + ": results name no tasks");
    }
    if (!"accuracy".equals(results.metric()) && !"mse".equals(results.metric())) {
      throw new IllegalArgumentException(where + ": unknown metric '" + results.metric() + "' (expected accuracy or mse)");
    }
    if (results.matrix() == null || results.matrix().length != n) {
      throw new IllegalArgumentException(where + ": the matrix has "
          + (results.matrix() == null ? "no" : results.matrix().length) + " rows for " + n + " tasks");
    }
    for (int i = 0; i < n; i++) {
      if (results.matrix()[i] == null || results.matrix()[i].length != n) {
        throw new IllegalArgumentException(where + ": matrix row " + (i + 1) + " has "
            + (results.matrix()[i] == null ? "no" : results.matrix()[i].length) + " values for " + n + " tasks");
      }
    }
    requireLength(results.trainSeconds(), n, "trainSeconds", where);
    requireLength(results.msPerStep(), n, "msPerStep", where);
    requireLength(results.finalTaskLoss(), n, "finalTaskLoss", where);
    requireLength(results.finalRegularizerLoss(), n, "finalRegularizerLoss", where);
  }

  private static void requireLength(double[] values, int n, String field, String where) {
    if (values == null || values.length != n) {
      throw new IllegalArgumentException(where + ": " + field + " has "
          + (values == null ? "no" : values.length) + " values for " + n + " tasks");
    }
  }
}
