/**
 * TensorFlow Java graph builders for continual learning with task-conditioned hypernetworks
 * (von Oswald et al., ICLR 2020): functional target networks whose weights are an input operand,
 * full and chunked hypernetworks, task embeddings, the output regularizer (Eq. 2) with its Adam
 * lookahead, and our own Adam update.
 *
 * <p>Builders are stateless where they can be and take {@code Ops tf} first; nothing here runs a
 * session except small helpers that say so.
 */
package org.hypercl.graphs;
