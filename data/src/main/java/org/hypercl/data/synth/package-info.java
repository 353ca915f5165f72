/**
 * Generated datasets in the formats of real ones, for smoke runs and tests on machines that cannot
 * download the real data: {@link org.hypercl.data.synth.SyntheticCifar} writes CIFAR-10 and
 * CIFAR-100 binary files with learnable classes where the data locator finds them. Nothing here is
 * real data.
 */
package org.hypercl.data.synth;
