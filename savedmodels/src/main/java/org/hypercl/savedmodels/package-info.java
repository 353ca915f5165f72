/**
 * SavedModels of a trained continual learner and their serving: per-task target networks with the
 * generated weights baked in, one hypernetwork model holding every task in compressed form, a Java
 * API that loads an export folder, and a server speaking a subset of TensorFlow Serving's REST API.
 *
 * <p>Reads a run folder by itself ({@code config.json} and the latest checkpoint) and rebuilds the
 * hypernetwork with the {@code graphs} builders; it never needs the training module.
 */
package org.hypercl.savedmodels;
