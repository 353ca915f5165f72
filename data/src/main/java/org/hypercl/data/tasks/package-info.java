/**
 * The paper's continual-learning benchmarks as {@link org.hypercl.data.TaskSequence}s:
 * PermutedMNIST-N, SplitMNIST and Split CIFAR-10/100, on MNIST or Fashion-MNIST, all
 * deterministic from a seed. {@link org.hypercl.data.tasks.SequenceSpec} names them the way a
 * command line does.
 */
package org.hypercl.data.tasks;
