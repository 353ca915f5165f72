package org.hypercl.savedmodels;

import java.nio.file.Path;
import java.util.List;

/**
 * What an export wrote.
 *
 * @param out the export folder
 * @param modelDirs every model's version folder, per-task models first
 * @param manifest the manifest written beside them
 * @param maxDifference the largest difference found when verifying against the checkpoint
 */
public record ExportResult(Path out, List<Path> modelDirs, ExportManifest manifest, double maxDifference) {
  public ExportResult {
    modelDirs = List.copyOf(modelDirs);
  }
}
