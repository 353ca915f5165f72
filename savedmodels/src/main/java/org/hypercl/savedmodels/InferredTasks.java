package org.hypercl.savedmodels;

/**
 * Tasks inferred by an HNET+TIR run's task-inference model ({@link ExportedModels#inferTask}).
 *
 * @param taskIds the chosen task per input row, {@code [n]}: the task with the largest score
 * @param taskScores the probability of every learned task per row, {@code [n · numTasks]} row-major
 * @param numTasks tasks scored (the tasks learned)
 */
public record InferredTasks(int[] taskIds, float[] taskScores, int numTasks) {}
