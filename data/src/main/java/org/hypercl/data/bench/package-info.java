/** Benchmarks of the data module, runnable with {@code java -cp}: loading and task construction costs. */
package org.hypercl.data.bench;
