/**
 * Synthetic regression tasks, notably the paper's three 1-D polynomials ({@link
 * org.hypercl.data.toy.ToyRegression}). They are generated from a seed, so nothing is read from
 * disk.
 */
package org.hypercl.data.toy;
