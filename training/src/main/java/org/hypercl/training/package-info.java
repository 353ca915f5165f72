/**
 * Continual learning runs: the hypernetwork learner that trains a task sequence with the output
 * regularizer, the experiment records that configure it, metrics (the accuracy or MSE matrix,
 * during/after, ACC, BWT, forgetting) and the run directory with its config, results and
 * checkpoints.
 */
package org.hypercl.training;
