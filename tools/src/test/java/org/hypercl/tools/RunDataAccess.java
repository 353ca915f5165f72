package org.hypercl.tools;

import java.util.Map;
import org.hypercl.data.TaskSequence;

/** Package-private parts of {@link RunData} for tests in other packages. */
public final class RunDataAccess {
  private RunDataAccess() {}

  public static Map<String, Object> inputPreprocessing(TaskSequence tasks) {
    return RunData.inputPreprocessing(tasks);
  }
}
