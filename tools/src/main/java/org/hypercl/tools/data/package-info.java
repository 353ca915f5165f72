/**
 * The {@code hypercl data} command line: {@code fetch} downloads and verifies datasets, {@code
 * list} shows which are available and where, {@code synth} writes synthetic CIFAR-format datasets
 * for smoke runs. The commands are thin; the work is in {@code org.hypercl.data.fetch} and {@code
 * org.hypercl.data.synth}.
 */
package org.hypercl.tools.data;
