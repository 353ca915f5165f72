/**
 * Continual learning runs: the learner assembled from parts (a weight source, the task loss,
 * penalties and an optimizer per part), the experiment records and methods that configure it, the
 * scenarios and their evaluation with the task id given or inferred, metrics (named accuracy or MSE
 * matrices, during/after, ACC, BWT, forgetting) and the run directory with its config, results and
 * checkpoints.
 */
package org.hypercl.training;
