/**
 * The {@code hypercl data} command line: {@code fetch} downloads and verifies datasets, {@code
 * list} shows which are available and where. The commands are thin; the work is in {@code
 * org.hypercl.data.fetch}.
 */
package org.hypercl.tools.data;
