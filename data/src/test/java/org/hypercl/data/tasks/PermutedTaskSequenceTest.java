package org.hypercl.data.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.hypercl.data.ClassificationData;
import org.hypercl.data.ClassificationTask;
import org.hypercl.data.ImageData;
import org.hypercl.data.TestData;
import org.hypercl.data.TrainTestImages;
import org.junit.jupiter.api.Test;

class PermutedTaskSequenceTest {
  private final TrainTestImages mnist = TestData.mnistLike("mnist", 30, 12, 5);

  @Test
  void shapeNamesAndLabels() {
    PermutedTaskSequence seq = PermutedTaskSequence.build(mnist, 4, 42, 0);
    assertThat(seq.name()).isEqualTo("permuted-mnist-4");
    assertThat(seq.numTasks()).isEqualTo(4);
    assertThat(seq.inputDim()).isEqualTo(1024);
    assertThat(seq.inputShape()).containsExactly(32, 32, 1);
    for (ClassificationTask t : seq.tasks()) {
      assertThat(t.numClasses()).isEqualTo(10);
      assertThat(t.train().size()).isEqualTo(30);
      assertThat(t.test().size()).isEqualTo(12);
      assertThat(t.train().labels()).isEqualTo(seq.baseTrain().labels());
      assertThat(t.validation()).isEmpty();
    }
  }

  @Test
  void firstTaskIsUnpermutedAndPadded() {
    PermutedTaskSequence seq = PermutedTaskSequence.build(mnist, 3, 42, 0);
    int[] p0 = seq.permutation(0);
    for (int j = 0; j < 1024; j++) {
      assertThat(p0[j]).isEqualTo(j);
    }
    float[] x = seq.task(0).train().allInputs();
    assertThat(x).isEqualTo(seq.baseTrain().allInputs());
    // row 0 of the padded 32x32 image is zero; pixel (2,2) is source pixel (0,0)
    for (int j = 0; j < 32; j++) {
      assertThat(x[j]).isEqualTo(0f);
    }
    assertThat(x[2 * 32 + 2]).isEqualTo(mnist.train().pixel(0, 0) / 255f);
  }

  @Test
  void permutedInputsAreTheBaseGathered() {
    PermutedTaskSequence seq = PermutedTaskSequence.build(mnist, 3, 42, 0);
    float[] base = seq.baseTest().allInputs();
    int[] perm = seq.permutation(2);
    float[] x = seq.task(2).test().allInputs();
    for (int i = 0; i < 12; i++) {
      for (int j = 0; j < 1024; j++) {
        assertThat(x[i * 1024 + j]).isEqualTo(base[i * 1024 + perm[j]]);
      }
    }
  }

  @Test
  void permutationsReproducibleFromSeedAndDifferentBetweenTasks() {
    PermutedTaskSequence a = PermutedTaskSequence.build(mnist, 5, 42, 0);
    PermutedTaskSequence b = PermutedTaskSequence.build(mnist, 5, 42, 0);
    PermutedTaskSequence c = PermutedTaskSequence.build(mnist, 5, 43, 0);
    PermutedTaskSequence longer = PermutedTaskSequence.build(mnist, 8, 42, 0);
    for (int t = 1; t < 5; t++) {
      assertThat(a.permutation(t)).isEqualTo(b.permutation(t));
      assertThat(a.permutation(t)).isEqualTo(longer.permutation(t));
      assertThat(a.permutation(t)).isNotEqualTo(c.permutation(t));
      for (int u = 0; u < t; u++) {
        assertThat(a.permutation(t)).isNotEqualTo(a.permutation(u));
      }
      int[] sorted = a.permutation(t).clone();
      java.util.Arrays.sort(sorted);
      for (int j = 0; j < 1024; j++) {
        assertThat(sorted[j]).isEqualTo(j);
      }
    }
  }

  @Test
  void permutationAccessorReturnsACopy() {
    PermutedTaskSequence seq = PermutedTaskSequence.build(mnist, 2, 42, 0);
    seq.permutation(1)[0] = -5;
    assertThat(seq.permutation(1)[0]).isNotEqualTo(-5);
  }

  @Test
  void validationSplitIsSharedByAllTasksAndDisjointFromTraining() {
    PermutedTaskSequence seq = PermutedTaskSequence.build(mnist, 3, 42, 8);
    ImageData val = seq.baseValidation().orElseThrow();
    assertThat(val.size()).isEqualTo(8);
    assertThat(seq.baseTrain().size()).isEqualTo(22);
    java.util.Set<Integer> trainRows = new java.util.HashSet<>();
    for (int i = 0; i < 22; i++) {
      trainRows.add(seq.baseTrain().sourceIndex(i));
    }
    for (int i = 0; i < 8; i++) {
      assertThat(trainRows).doesNotContain(val.sourceIndex(i));
    }
    for (ClassificationTask t : seq.tasks()) {
      ClassificationData v = t.validation().orElseThrow();
      assertThat(v.labels()).isEqualTo(val.labels());
      assertThat(((ImageData) v).sourceIndex(3)).isEqualTo(val.sourceIndex(3));
    }
    assertThrows(IllegalArgumentException.class, () -> PermutedTaskSequence.build(mnist, 3, 42, 30));
  }

  @Test
  void rejectsZeroTasks() {
    assertThrows(IllegalArgumentException.class, () -> PermutedTaskSequence.build(mnist, 0, 42, 0));
  }
}
