package org.hypercl.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ImageDataTest {

  private final ImageSet set = TestData.images("s", 6, 3, 2, 1, 3);

  @Test
  void unitRangeScalesBytes() {
    ImageData data = ImageData.of(set);
    assertThat(data.inputDim()).isEqualTo(6);
    assertThat(data.inputShape()).containsExactly(3, 2, 1);
    float[] out = new float[12];
    data.copyInputs(new int[] {4, 1}, out);
    for (int j = 0; j < 6; j++) {
      assertThat(out[j]).isCloseTo(set.pixel(4, j) / 255f, within(1e-7f));
      assertThat(out[6 + j]).isCloseTo(set.pixel(1, j) / 255f, within(1e-7f));
    }
  }

  @Test
  void paddingCentresTheImage() {
    ImageSet mnistLike = TestData.images("m", 2, 28, 28, 1, 10);
    PixelEncoding enc = PixelEncoding.unitRange(28, 28, 1).padTo(32, 32);
    ImageData data = ImageData.of(mnistLike, enc);
    assertThat(data.inputShape()).containsExactly(32, 32, 1);
    float[] out = new float[1024];
    data.copyInputs(new int[] {1}, out);
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        float v = out[y * 32 + x];
        if (y < 2 || y >= 30 || x < 2 || x >= 30) {
          assertThat(v).as("border at %d,%d", y, x).isEqualTo(0f);
        } else {
          assertThat(v).isCloseTo(mnistLike.pixel(1, (y - 2) * 28 + (x - 2)) / 255f, within(1e-7f));
        }
      }
    }
  }

  @Test
  void standardizationAndPaddingUseTheZeroByteValue() {
    ImageSet rgb = TestData.images("rgb", 2, 2, 2, 3, 2);
    double[] mean = {0.5, 0.25, 0.0};
    double[] std = {0.5, 0.25, 2.0};
    PixelEncoding enc = PixelEncoding.standardized(2, 2, 3, mean, std).padTo(4, 4);
    float[] out = new float[48];
    ImageData.of(rgb, enc).copyInputs(new int[] {0}, out);
    // corner is padding: (0 - mean) / std
    assertThat(out[0]).isCloseTo(-1f, within(1e-6f));
    assertThat(out[1]).isCloseTo(-1f, within(1e-6f));
    assertThat(out[2]).isCloseTo(0f, within(1e-6f));
    // pixel (1,1) of the padded image is source (0,0)
    int j = (1 * 4 + 1) * 3;
    for (int c = 0; c < 3; c++) {
      assertThat(out[j + c]).isCloseTo((float) ((rgb.pixel(0, c) / 255.0 - mean[c]) / std[c]), within(1e-5f));
    }
  }

  @Test
  void permutationReordersEncodedValues() {
    PixelEncoding base = PixelEncoding.unitRange(3, 2, 1);
    int[] perm = {5, 4, 3, 2, 1, 0};
    ImageData plain = ImageData.of(set, base);
    ImageData permuted = plain.withEncoding(base.permute(perm));
    float[] a = plain.allInputs();
    float[] b = permuted.allInputs();
    for (int i = 0; i < set.size(); i++) {
      for (int j = 0; j < 6; j++) {
        assertThat(b[i * 6 + j]).isEqualTo(a[i * 6 + perm[j]]);
      }
    }
    assertThrows(IllegalStateException.class, () -> base.permute(perm).padTo(4, 4));
  }

  @Test
  void rejectsNonPermutations() {
    PixelEncoding base = PixelEncoding.unitRange(3, 2, 1);
    assertThrows(IllegalArgumentException.class, () -> base.permute(new int[] {0, 1, 2, 3, 4, 4}));
    assertThrows(IllegalArgumentException.class, () -> base.permute(new int[] {0, 1, 2}));
    assertThrows(IllegalArgumentException.class, () -> base.permute(new int[] {0, 1, 2, 3, 4, 6}));
  }

  @Test
  void classSelectionRemapsLabels() {
    ImageData data = ImageData.ofClasses(set, new int[] {2, 0}, PixelEncoding.unitRange(3, 2, 1));
    // set labels are i % 3: 0 1 2 0 1 2 -> keep images 0, 2, 3, 5
    assertThat(data.size()).isEqualTo(4);
    assertThat(data.numClasses()).isEqualTo(2);
    assertThat(data.labels()).containsExactly(1, 0, 1, 0);
    assertThat(data.sourceIndex(1)).isEqualTo(2);
  }

  @Test
  void subsetAndBounds() {
    ImageData data = ImageData.of(set);
    ImageData sub = data.subset(new int[] {5, 0});
    assertThat(sub.size()).isEqualTo(2);
    assertThat(sub.label(0)).isEqualTo(set.label(5));
    assertThrows(IndexOutOfBoundsException.class, () -> data.copyInputs(new int[] {6}, new float[6]));
    assertThrows(IllegalArgumentException.class, () -> data.copyInputs(new int[] {0, 1}, new float[11]));
  }

  @Test
  void imageSetValidatesItsArrays() {
    assertThrows(IllegalArgumentException.class, () -> new ImageSet("x", 2, 2, 1, 10, new byte[7], new byte[2]));
    assertThrows(IllegalArgumentException.class, () -> new ImageSet("x", 1, 1, 1, 2, new byte[1], new byte[] {2}));
  }
}
