package org.hypercl.savedmodels;

/**
 * Tasks inferred by the export's {@code infer_task} ({@link org.hypercl.graphs.TaskInference}): the
 * task with the lowest score wins.
 *
 * @param taskIds the chosen task per input row, {@code [n]}
 * @param scores the score of every learned task per row, {@code [n · numTasks]}
 * @param numTasks tasks compared
 * @param score the score's name ({@code entropy}, {@code max-softmax}, {@code energy}, {@code max-logit})
 */
public record TaskInference(int[] taskIds, float[] scores, int numTasks, String score) {}
