/**
 * What a finished run is turned into for people: {@code results.csv} in a tidy long format, PNG
 * plots of the metric matrix and of during-vs-after per task, and the {@code hypercl report}
 * table that sets several runs side by side. {@link org.hypercl.tools.report.RunReport} is the one
 * call a command makes after a run.
 */
package org.hypercl.tools.report;
