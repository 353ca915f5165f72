/**
 * The {@code hypercl} commands around SavedModels: {@code export} (a run's per-task and
 * hypernetwork SavedModels), {@code predict} (batch inference from CSV or IDX files), {@code serve}
 * (TF Serving's REST API over an export) and {@code bench-serving} (in-process and REST latency).
 */
package org.hypercl.tools.serving;
