package org.hypercl.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.hypercl.data.ImageSet;
import org.hypercl.data.TrainTestImages;
import org.hypercl.data.tasks.SequenceSpec;
import org.hypercl.data.tasks.TaskSequences;
import org.junit.jupiter.api.Test;

/** What {@link SequenceTasks} hands the learner besides the arrays. */
class SequenceTasksTest {

  private static ImageSet random(String name, int n, int h, int w, int c, int classes, long seed) {
    byte[] pixels = new byte[n * h * w * c];
    new Random(seed).nextBytes(pixels);
    byte[] labels = new byte[n];
    for (int i = 0; i < n; i++) {
      labels[i] = (byte) (i % classes);
    }
    return new ImageSet(name, h, w, c, classes, pixels, labels);
  }

  /**
   * Image tasks carry their encoding's black pixel (each channel's value for a zero byte), the
   * crop's padding: (0 − mean) / std with ImageNet's statistics, for the CIFAR-10 task and a
   * CIFAR-100 task alike; permuted tasks have no image geometry left and carry none.
   */
  @Test
  void imageTasksCarryTheirEncodedBlackPixel() {
    TrainTestImages c10 = new TrainTestImages("cifar10", random("c10", 20, 32, 32, 3, 10, 1), random("c10t", 10, 32, 32, 3, 10, 2));
    TrainTestImages c100 = new TrainTestImages("cifar100", random("c100", 100, 32, 32, 3, 100, 3),
        random("c100t", 100, 32, 32, 3, 100, 4));
    SequenceTasks cifar = new SequenceTasks(TaskSequences.splitCifar(c10, c100, 1, true, 42, 0, SequenceSpec.CifarPixels.IMAGENET));
    double[] mean = {0.485, 0.456, 0.406};
    double[] std = {0.229, 0.224, 0.225};
    for (int t = 0; t < 2; t++) {
      float[] black = cifar.task(t).blackPixel();
      assertThat(black).hasSize(3);
      for (int c = 0; c < 3; c++) {
        assertThat((double) black[c]).as("task %d channel %d", t, c).isCloseTo(-mean[c] / std[c], within(1e-6));
      }
    }
    // Standardised with each training set's own statistics: CIFAR-10's black is not CIFAR-100's.
    SequenceTasks own = new SequenceTasks(TaskSequences.splitCifar(c10, c100, 1, true, 42, 0));
    assertThat(own.task(0).blackPixel()).isNotEqualTo(own.task(1).blackPixel());

    ImageSet digits = random("digits", 30, 28, 28, 1, 10, 5);
    SequenceTasks permuted = new SequenceTasks(TaskSequences.permuted(new TrainTestImages("mnist", digits, digits), 2, 42, 0));
    assertThat(permuted.task(1).blackPixel()).isNull();
    assertThat(permuted.task(1).permutation()).isNotNull();
  }
}
