package org.hypercl.savedmodels;

/**
 * Tasks inferred by lowest predictive entropy ({@link org.hypercl.graphs.TaskInference}, the export's {@code infer_task}).
 *
 * @param taskIds the chosen task per input row, {@code [n]}
 * @param entropies the entropy of every learned task per row, {@code [n · numTasks]}
 * @param numTasks tasks compared
 */
public record TaskInference(int[] taskIds, float[] entropies, int numTasks) {}
