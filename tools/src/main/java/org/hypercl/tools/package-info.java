/**
 * The {@code hypercl} command line (picocli): the toy demo, training, benchmarks, data fetching,
 * export and serving, plus the plots and tables those commands write.
 */
package org.hypercl.tools;
