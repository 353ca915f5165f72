package org.hypercl.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BatchIteratorTest {
  private final ImageData data = ImageData.of(TestData.images("s", 10, 2, 2, 1, 5));

  @Test
  void sameSeedSameBatches_differentSeedDifferentBatches() {
    BatchIterator a = BatchIterator.shuffled(data, 4, 7);
    BatchIterator b = BatchIterator.shuffled(data, 4, 7);
    BatchIterator c = BatchIterator.shuffled(data, 4, 8);
    boolean anyDifferent = false;
    for (int i = 0; i < 20; i++) {
      Batch x = a.next();
      Batch y = b.next();
      assertThat(x.indices()).isEqualTo(y.indices());
      assertThat(x.inputs()).isEqualTo(y.inputs());
      assertThat(x.labels()).isEqualTo(y.labels());
      anyDifferent |= !Arrays.equals(x.indices(), c.nextIndices());
    }
    assertThat(anyDifferent).isTrue();
  }

  @Test
  void shuffledCoversEveryExampleOncePerEpoch() {
    BatchIterator it = BatchIterator.shuffled(data, 5, 1);
    for (int epoch = 0; epoch < 3; epoch++) {
      Set<Integer> seen = new HashSet<>();
      for (int k = 0; k < 2; k++) {
        for (int i : it.nextIndices()) {
          seen.add(i);
        }
      }
      assertThat(seen).hasSize(10);
    }
    assertThat(it.hasNext()).isTrue();
  }

  @Test
  void batchesStraddleEpochsAndStayFull() {
    BatchIterator it = BatchIterator.shuffled(data, 4, 3);
    List<Integer> stream = new ArrayList<>();
    for (int k = 0; k < 5; k++) {
      int[] idx = it.nextIndices();
      assertThat(idx).hasSize(4);
      for (int i : idx) {
        stream.add(i);
      }
    }
    assertThat(new HashSet<>(stream.subList(0, 10))).hasSize(10);
    assertThat(new HashSet<>(stream.subList(10, 20))).hasSize(10);
  }

  @Test
  void batchContentsMatchTheData() {
    Batch b = BatchIterator.shuffled(data, 3, 5).next();
    float[] expected = new float[3 * 4];
    data.copyInputs(b.indices(), expected);
    assertThat(b.inputs()).isEqualTo(expected);
    for (int r = 0; r < 3; r++) {
      assertThat(b.labels()[r]).isEqualTo(data.label(b.indices()[r]));
    }
  }

  @Test
  void inOrderVisitsEachOnceWithPartialLastBatch() {
    BatchIterator it = BatchIterator.inOrder(data, 4);
    assertThat(it.next().indices()).containsExactly(0, 1, 2, 3);
    assertThat(it.next().indices()).containsExactly(4, 5, 6, 7);
    Batch last = it.next();
    assertThat(last.indices()).containsExactly(8, 9);
    assertThat(last.inputs()).hasSize(8);
    assertThat(it.hasNext()).isFalse();
    assertThrows(NoSuchElementException.class, it::next);
  }

  @Test
  void augmentationIsSeededToo() {
    Augmentation noise = (inputs, count, dim, rng) -> {
      for (int i = 0; i < count * dim; i++) {
        inputs[i] += (float) rng.nextGaussian();
      }
    };
    Batch a = BatchIterator.shuffled(data, 4, 11, noise).next();
    Batch b = BatchIterator.shuffled(data, 4, 11, noise).next();
    Batch plain = BatchIterator.shuffled(data, 4, 11).next();
    assertThat(a.inputs()).isEqualTo(b.inputs());
    assertThat(a.inputs()).isNotEqualTo(plain.inputs());
  }

  @Test
  void rejectsBadArguments() {
    assertThrows(IllegalArgumentException.class, () -> BatchIterator.shuffled(data, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> BatchIterator.inOrder(data.subset(new int[0]), 2));
  }

  @Test
  void cropFlipMovesPixelsAndFillsBorders() {
    // 1 channel 4x4 image with values 1..16; pad 1; fill -1.
    CropFlipAugmentation aug = new CropFlipAugmentation(4, 4, 1, 1, true, new float[] {-1f});
    float[] img = new float[16];
    for (int i = 0; i < 16; i++) {
      img[i] = i + 1;
    }
    Random rng = new Random(0);
    Set<String> seen = new HashSet<>();
    for (int trial = 0; trial < 200; trial++) {
      float[] x = img.clone();
      aug.apply(x, 1, 16, rng);
      // Every output is either the fill or an original value; the multiset of originals shrinks by crop only.
      int fills = 0;
      for (float v : x) {
        assertThat(v == -1f || (v >= 1 && v <= 16)).isTrue();
        if (v == -1f) {
          fills++;
        }
      }
      assertThat(fills).isIn(0, 4, 7, 8);
      seen.add(Arrays.toString(x));
    }
    assertThat(seen.size()).isGreaterThan(10);
    // Zero padding, no flip: identity.
    CropFlipAugmentation none = new CropFlipAugmentation(4, 4, 1, 0, false, new float[] {0f});
    float[] x = img.clone();
    none.apply(x, 1, 16, rng);
    assertThat(x).isEqualTo(img);
  }
}
