package org.hypercl.data.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.Set;
import org.hypercl.data.BatchIterator;
import org.hypercl.data.ClassificationTask;
import org.hypercl.data.CropFlipAugmentation;
import org.hypercl.data.ImageData;
import org.hypercl.data.ImageSet;
import org.hypercl.data.TaskSequence;
import org.hypercl.data.TestData;
import org.hypercl.data.TrainTestImages;
import org.hypercl.data.fetch.KnownDataset;
import org.junit.jupiter.api.Test;

class SplitSequencesTest {
  private final TrainTestImages mnist = TestData.mnistLike("mnist", 40, 20, 3);

  @Test
  void splitMnistPairsDigitsAndRemapsLabels() {
    TaskSequence seq = TaskSequences.splitMnist(mnist, false, 42, 0);
    assertThat(seq.name()).isEqualTo("split-mnist");
    assertThat(seq.numTasks()).isEqualTo(5);
    assertThat(seq.inputDim()).isEqualTo(784);
    for (int t = 0; t < 5; t++) {
      ClassificationTask task = seq.task(t);
      assertThat(task.numClasses()).isEqualTo(2);
      ImageData train = (ImageData) task.train();
      assertThat(train.size()).isEqualTo(8); // labels i % 10 over 40 images: 4 per digit
      for (int i = 0; i < train.size(); i++) {
        int digit = mnist.train().label(train.sourceIndex(i));
        assertThat(digit).isIn(2 * t, 2 * t + 1);
        assertThat(train.label(i)).isEqualTo(digit - 2 * t);
      }
      assertThat(task.test().size()).isEqualTo(4);
    }
  }

  /** Class-incremental SplitMNIST: ten tasks of one digit each, one label. */
  @Test
  void splitClassesHasOneDigitPerTask() {
    TaskSequence seq = TaskSequences.splitClasses(mnist, false, 42, 0);
    assertThat(seq.name()).isEqualTo("split-mnist-classes");
    assertThat(seq.numTasks()).isEqualTo(10);
    for (int t = 0; t < 10; t++) {
      ClassificationTask task = seq.task(t);
      assertThat(task.numClasses()).isEqualTo(1);
      ImageData train = (ImageData) task.train();
      assertThat(train.size()).isEqualTo(4);
      for (int i = 0; i < train.size(); i++) {
        assertThat(mnist.train().label(train.sourceIndex(i))).isEqualTo(t);
        assertThat(train.label(i)).isZero();
      }
    }
    SequenceSpec spec = SequenceSpec.parse("split-mnist-classes");
    assertThat(spec.numTasks()).isEqualTo(10);
    assertThat(spec.withDataset(KnownDataset.FASHION_MNIST).name()).isEqualTo("split-fashion-mnist-classes");
  }

  @Test
  void splitMnistInputsAreUnpaddedUnitRange() {
    TaskSequence seq = TaskSequences.splitMnist(mnist, false, 42, 0);
    ImageData train = (ImageData) seq.task(1).train();
    float[] x = train.allInputs();
    assertThat(x[5]).isEqualTo(mnist.train().pixel(train.sourceIndex(0), 5) / 255f);
  }

  @Test
  void classShuffleIsSeededAndCoversAllDigits() {
    TaskSequence a = TaskSequences.splitMnist(mnist, true, 7, 0);
    TaskSequence b = TaskSequences.splitMnist(mnist, true, 7, 0);
    assertThat(TaskSequences.classOrder(10, true, 7)).isEqualTo(TaskSequences.classOrder(10, true, 7));
    assertThat(TaskSequences.classOrder(10, true, 7)).isNotEqualTo(TaskSequences.classOrder(10, false, 7));
    assertThat(TaskSequences.classOrder(10, true, 7)).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    Set<Integer> digits = new HashSet<>();
    for (int t = 0; t < 5; t++) {
      assertThat(a.task(t).name()).isEqualTo(b.task(t).name());
      ImageData train = (ImageData) a.task(t).train();
      for (int i = 0; i < train.size(); i++) {
        digits.add(mnist.train().label(train.sourceIndex(i)));
      }
    }
    assertThat(digits).hasSize(10);
  }

  @Test
  void perTaskValidationSplit() {
    TaskSequence seq = TaskSequences.splitMnist(mnist, false, 42, 2);
    for (ClassificationTask t : seq.tasks()) {
      assertThat(t.train().size()).isEqualTo(6);
      assertThat(t.validation().orElseThrow().size()).isEqualTo(2);
    }
  }

  @Test
  void splitCifarTasksAndNormalisation() {
    ImageSet c10 = TestData.random("cifar10/train", 40, 32, 32, 3, 10, 1);
    ImageSet c10t = TestData.random("cifar10/test", 20, 32, 32, 3, 10, 2);
    ImageSet c100 = TestData.random("cifar100/train", 200, 32, 32, 3, 100, 3);
    ImageSet c100t = TestData.random("cifar100/test", 100, 32, 32, 3, 100, 4);
    TaskSequence seq = TaskSequences.splitCifar(new TrainTestImages("cifar10", c10, c10t),
        new TrainTestImages("cifar100", c100, c100t), 5, true, 42, 0);
    assertThat(seq.numTasks()).isEqualTo(6);
    assertThat(seq.name()).isEqualTo("split-cifar-10-100-6");
    assertThat(seq.inputShape()).containsExactly(32, 32, 3);
    assertThat(seq.task(0).train().size()).isEqualTo(40);
    assertThat(seq.task(0).numClasses()).isEqualTo(10);
    for (int t = 1; t < 6; t++) {
      ImageData train = (ImageData) seq.task(t).train();
      assertThat(train.size()).isEqualTo(20);
      assertThat(train.numClasses()).isEqualTo(10);
      for (int i = 0; i < train.size(); i++) {
        assertThat(c100.label(train.sourceIndex(i))).isEqualTo(10 * (t - 1) + train.label(i));
      }
      assertThat(seq.task(t).augmentation()).isPresent();
    }
    // Task 0 inputs are standardised with CIFAR-10 training statistics: per-channel mean 0, std 1.
    float[] x = seq.task(0).train().allInputs();
    for (int c = 0; c < 3; c++) {
      double s = 0;
      double sq = 0;
      int n = 0;
      for (int i = c; i < x.length; i += 3) {
        s += x[i];
        sq += x[i] * x[i];
        n++;
      }
      assertThat(s / n).isCloseTo(0, within(1e-4));
      assertThat(Math.sqrt(sq / n - (s / n) * (s / n))).isCloseTo(1, within(1e-3));
    }
    // Augmented batches are reproducible from the seed.
    var aug = seq.task(1).augmentation().orElseThrow();
    float[] a = BatchIterator.shuffled(seq.task(1).train(), 8, 3, aug).next().inputs();
    float[] b = BatchIterator.shuffled(seq.task(1).train(), 8, 3, aug).next().inputs();
    assertThat(a).isEqualTo(b);
    assertThrows(IllegalArgumentException.class, () -> TaskSequences.splitCifar(new TrainTestImages("cifar10", c10, c10t),
        new TrainTestImages("cifar100", c100, c100t), 11, false, 42, 0));

    // The reference's encodings: pixels / 255 (ZenkeNet), and ImageNet's mean and deviation (ResNet-32).
    TaskSequence unit = TaskSequences.splitCifar(new TrainTestImages("cifar10", c10, c10t),
        new TrainTestImages("cifar100", c100, c100t), 1, false, 42, 0, SequenceSpec.CifarPixels.UNIT);
    TaskSequence imagenet = TaskSequences.splitCifar(new TrainTestImages("cifar10", c10, c10t),
        new TrainTestImages("cifar100", c100, c100t), 1, false, 42, 0, SequenceSpec.CifarPixels.IMAGENET);
    float[] u = unit.task(0).train().allInputs();
    float[] g = imagenet.task(0).train().allInputs();
    double[] mean = {0.485, 0.456, 0.406};
    double[] std = {0.229, 0.224, 0.225};
    for (int i = 0; i < 300; i++) {
      int c = i % 3;
      assertThat(u[i]).isBetween(0f, 1f);
      assertThat((double) g[i]).isCloseTo((u[i] - mean[c]) / std[c], within(1e-5));
    }
    // The crop pads with a black pixel in the encoding used: (0 - mean) / std with ImageNet's
    // statistics, 0 for pixels / 255, whatever the images' own statistics are.
    TaskSequence imagenetAugmented = TaskSequences.splitCifar(new TrainTestImages("cifar10", c10, c10t),
        new TrainTestImages("cifar100", c100, c100t), 1, true, 42, 0, SequenceSpec.CifarPixels.IMAGENET);
    TaskSequence unitAugmented = TaskSequences.splitCifar(new TrainTestImages("cifar10", c10, c10t),
        new TrainTestImages("cifar100", c100, c100t), 1, true, 42, 0, SequenceSpec.CifarPixels.UNIT);
    for (int t = 0; t < 2; t++) {
      float[] black = ((CropFlipAugmentation) imagenetAugmented.task(t).augmentation().orElseThrow()).fill();
      for (int c = 0; c < 3; c++) {
        assertThat((double) black[c]).as("task %d channel %d", t, c).isCloseTo(-mean[c] / std[c], within(1e-6));
      }
      assertThat(((CropFlipAugmentation) unitAugmented.task(t).augmentation().orElseThrow()).fill()).containsOnly(0f);
    }
  }

  @Test
  void specParsingAndSubstitution() {
    SequenceSpec p = SequenceSpec.parse("permuted-mnist-100");
    assertThat(p.kind()).isEqualTo(SequenceSpec.Kind.PERMUTED);
    assertThat(p.numTasks()).isEqualTo(100);
    assertThat(p.dataset()).isEqualTo(KnownDataset.MNIST);
    assertThat(p.seed()).isEqualTo(42);
    SequenceSpec f = p.withDataset(KnownDataset.FASHION_MNIST);
    assertThat(f.name()).isEqualTo("permuted-fashion-mnist-100");
    assertThat(SequenceSpec.parse("split-mnist").numTasks()).isEqualTo(5);
    assertThat(SequenceSpec.parse("split-fashion-mnist").dataset()).isEqualTo(KnownDataset.FASHION_MNIST);
    assertThat(SequenceSpec.parse("split-cifar-10-100").numTasks()).isEqualTo(6);
    assertThat(SequenceSpec.parse("split-cifar-10-100-11").numTasks()).isEqualTo(11);
    assertThat(SequenceSpec.parse("split-cifar-10-100-imagenet").pixels()).isEqualTo(SequenceSpec.CifarPixels.IMAGENET);
    assertThat(SequenceSpec.parse("split-cifar-10-100-3-unit").pixels()).isEqualTo(SequenceSpec.CifarPixels.UNIT);
    assertThat(SequenceSpec.parse("split-cifar-10-100-3-unit").name()).isEqualTo("split-cifar-10-100-3-unit");
    assertThat(SequenceSpec.parse("split-cifar-10-100").pixels()).isEqualTo(SequenceSpec.CifarPixels.STANDARDIZED);
    assertThrows(IllegalArgumentException.class, () -> SequenceSpec.parse("permuted-cifar-3"));
    assertThrows(IllegalArgumentException.class, () -> SequenceSpec.parse("split-cifar-10-100-12"));
    assertThrows(IllegalArgumentException.class, () -> p.withDataset(KnownDataset.CIFAR10));
    assertThrows(IllegalArgumentException.class, () -> SequenceSpec.parse("split-cifar").withDataset(KnownDataset.MNIST));
  }
}
