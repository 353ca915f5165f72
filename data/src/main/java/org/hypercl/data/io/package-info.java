/**
 * Readers for the standard dataset files: IDX (MNIST, Fashion-MNIST) and the CIFAR-10/100 binary
 * versions. They validate magic numbers, sizes and label ranges and fail with a {@link
 * org.hypercl.data.DataFileException} naming the file.
 */
package org.hypercl.data.io;
