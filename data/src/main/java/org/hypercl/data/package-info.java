/**
 * The data a continual learner trains on: {@link org.hypercl.data.TaskSequence}s of {@link
 * org.hypercl.data.ClassificationTask}s whose splits are {@link
 * org.hypercl.data.ClassificationData}, stored compactly as bytes ({@link
 * org.hypercl.data.ImageSet}) and turned into floats per batch ({@link
 * org.hypercl.data.BatchIterator}). Sub-packages read files, fetch and find datasets, build the
 * paper's task sequences and the toy regression tasks.
 */
package org.hypercl.data;
