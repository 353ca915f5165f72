package org.hypercl.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** What an encoding says about itself, and an encoding rebuilt from that. */
class PixelEncodingTest {

  @Test
  void paddingIsReportedWhereItIsPlacedAndSurvivesAPermutation() {
    PixelEncoding mnist = PixelEncoding.unitRange(28, 28, 1).padTo(32, 32);
    assertThat(mnist.storedShape()).containsExactly(28, 28, 1);
    assertThat(mnist.padding()).containsExactly(2, 2, 2, 2);
    assertThat(PixelEncoding.unitRange(5, 4, 1).padTo(8, 7).padding()).containsExactly(1, 2, 1, 2);
    assertThat(mnist.channelScales()).containsExactly(1f / 255f);
    assertThat(mnist.channelOffsets()).containsExactly(0f);
    int[] reverse = new int[1024];
    for (int j = 0; j < 1024; j++) {
      reverse[j] = 1023 - j;
    }
    PixelEncoding p = mnist.permute(reverse);
    assertThat(p.permuted()).isTrue();
    assertThat(mnist.permuted()).isFalse();
    assertThat(p.padding()).containsExactly(2, 2, 2, 2);
  }

  @Test
  void anEncodingRebuiltFromItsDescriptionEncodesAlike() {
    PixelEncoding standardized = PixelEncoding.standardized(6, 5, 3, new double[] {0.4, 0.5, 0.6},
        new double[] {0.2, 0.25, 0.3}).padTo(8, 9);
    int[] s = standardized.storedShape();
    int[] pad = standardized.padding();
    PixelEncoding rebuilt = PixelEncoding.affine(s[0], s[1], s[2], standardized.channelScales(),
        standardized.channelOffsets()).padTo(s[0] + pad[0] + pad[1], s[1] + pad[2] + pad[3]);
    byte[] image = new byte[6 * 5 * 3];
    new SplittableRandom(3).nextBytes(image);
    float[] a = new float[standardized.dim()];
    float[] b = new float[rebuilt.dim()];
    standardized.encode(image, 0, a, 0);
    rebuilt.encode(image, 0, b, 0);
    assertThat(b).containsExactly(a);
  }
}
