package org.hypercl.tools.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.hypercl.data.ImageSet;
import org.hypercl.data.TrainTestImages;
import org.hypercl.data.tasks.PermutedTaskSequence;
import org.hypercl.savedmodels.ExportManifest;
import org.hypercl.tools.UserException;
import org.hypercl.tools.serving.PredictCommand.HeaderMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How predict reads its input: CSV headers and bad values, IDX images padded as training did. */
class PredictInputTest {

  @TempDir Path tmp;

  private final StringWriter err = new StringWriter();

  private float[] csv(String text, int width, HeaderMode mode) throws IOException {
    Path f = tmp.resolve("input.csv");
    Files.writeString(f, text, StandardCharsets.UTF_8);
    return PredictCommand.readCsv(f, width, mode, new PrintWriter(err, true));
  }

  @Test
  void autoSkipsAFirstLineWithoutNumbersAndSaysSo() throws IOException {
    assertThat(csv("\uFEFFa,b\n1,2\n3,4e-1\n", 2, HeaderMode.AUTO)).containsExactly(1f, 2f, 3f, 0.4f);
    assertThat(err.toString()).isEqualTo("hypercl predict: " + tmp.resolve("input.csv") + " line 1 is taken as a "
        + "header (no cell is a number): 'a,b'; --header no reads it as data" + System.lineSeparator());
  }

  /** A byte order mark used to make the first row look like a header, silently dropping it. */
  @Test
  void aByteOrderMarkIsDroppedAndTheFirstRowKept() throws IOException {
    assertThat(csv("\uFEFF1.5,2\n3,4\n", 2, HeaderMode.AUTO)).containsExactly(1.5f, 2f, 3f, 4f);
    assertThat(err.toString()).isEmpty();
  }

  /** A typo in one cell of the first row is an error naming it, not a header dropped without a word. */
  @Test
  void aTypoInTheFirstRowIsNamedNotTakenForAHeader() {
    assertThatThrownBy(() -> csv("1,x2,3\n4,5,6\n", 3, HeaderMode.AUTO)).isInstanceOf(UserException.class)
        .hasMessage(tmp.resolve("input.csv") + " line 1, column 2: 'x2' is not a number (if line 1 is a header, "
            + "--header yes skips it)");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void aBadValueIsNamedByLineAndColumn() {
    assertThatThrownBy(() -> csv("a,b,c\n1,2,3\n\n4,5,6\n1,2,3\n1,2,3\n1,2,x1\n", 3, HeaderMode.AUTO))
        .hasMessage(tmp.resolve("input.csv") + " line 7, column 3: 'x1' is not a number");
    assertThatThrownBy(() -> csv("1,2\n1,NaN\n", 2, HeaderMode.NO))
        .hasMessage(tmp.resolve("input.csv") + " line 2, column 2: 'NaN' is not a finite number");
    assertThatThrownBy(() -> csv("1,2\n1,2,3\n", 2, HeaderMode.NO))
        .hasMessage(tmp.resolve("input.csv") + " line 2: 3 values, the model takes 2");
    assertThatThrownBy(() -> csv("1,2\n1,0x1p3\n", 2, HeaderMode.NO))
        .hasMessage(tmp.resolve("input.csv") + " line 2, column 2: '0x1p3' is not a number");
  }

  @Test
  void yesAlwaysSkipsTheFirstLineAndNoNeverDoes() throws IOException {
    assertThat(csv("1,2\n3,4\n", 2, HeaderMode.YES)).containsExactly(3f, 4f);
    assertThatThrownBy(() -> csv("x,y\n3,4\n", 2, HeaderMode.NO))
        .hasMessage(tmp.resolve("input.csv") + " line 1, column 1: 'x' is not a number");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void theHeaderOptionTakesAutoYesOrNo() {
    var bad = ExportEndToEndTest.hypercl("predict", tmp.toString(), "--task", "0", "--input", "x.csv", "--output",
        "y.csv", "--header", "maybe");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("--header").contains("'maybe' is not auto, yes or no");
  }

  /** PermutedMNIST's preprocessing as training records it: the data's own encoding described. */
  private static ExportManifest.Preprocessing permutedMnist(int h, int w) {
    var input = org.hypercl.tools.RunDataAccess.inputPreprocessing(permuted(images(h, w, 3, 1)));
    return new ExportManifest.Preprocessing((int[]) input.get("rawShape"), (int[]) input.get("pad"),
        (float[]) input.get("scale"), (float[]) input.get("offset"), "");
  }

  private static byte[] pixels(int count, long seed) {
    byte[] pixels = new byte[count];
    new SplittableRandom(seed).nextBytes(pixels);
    return pixels;
  }

  private static ImageSet images(int h, int w, int n, long seed) {
    return new ImageSet("x", h, w, 1, 10, pixels(n * h * w, seed), new byte[n]);
  }

  private static PermutedTaskSequence permuted(ImageSet images) {
    return PermutedTaskSequence.build(new TrainTestImages("x", images, images), 2, 7, 0);
  }

  private static Path writeIdx(Path file, int[] dims, byte[] data) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
    b.put(new byte[] {0, 0, 8, (byte) dims.length});
    for (int d : dims) {
      b.putInt(d);
    }
    return Files.write(file, b.put(data).array());
  }

  @Test
  void permutedMnistRecordsItsPaddingAsTheDataDoesIt() {
    ExportManifest.Preprocessing p = permutedMnist(28, 28);
    assertThat(p.rawShape()).containsExactly(28, 28, 1);
    assertThat(p.pad()).containsExactly(2, 2, 2, 2);
    assertThat(p.scale()).containsExactly(1f / 255f);
    assertThat(p.offset()).containsExactly(0f);
    assertThat(p.paddedSize()).isEqualTo(1024);
  }

  /** Raw 28x28 IDX images become exactly the 32x32 rows training fed the network (before permutations). */
  @Test
  void rawIdxImagesArePaddedAsTrainingDid() throws IOException {
    byte[] pixels = pixels(3 * 784, 5);
    ImageSet raw = new ImageSet("x", 28, 28, 1, 10, pixels.clone(), new byte[3]);
    Path idx = writeIdx(tmp.resolve("t10k-images-idx3-ubyte"), new int[] {3, 28, 28}, pixels);
    float[] x = PredictCommand.readIdx(idx, permutedMnist(28, 28), 1024, null);
    float[] trained = permuted(raw).baseTest().allInputs();
    // Equal values (training's frame is -0.0, a zero byte times 1/255 plus the offset -0.0; here +0.0).
    assertThat(x).containsExactly(trained, within(0f));
    // The frame is zero, the image sits 2 rows down and 2 columns in.
    assertThat(x[0]).isZero();
    assertThat(x[2 * 32 + 2]).isEqualTo((pixels[0] & 0xFF) / 255f);
    // Rows already of the model's width are read as before: bytes / 255.
    Path wide = writeIdx(tmp.resolve("rows-idx2-ubyte"), new int[] {1, 1024}, new byte[1024]);
    assertThat(PredictCommand.readIdx(wide, permutedMnist(28, 28), 1024, null)).hasSize(1024);
  }

  /** Split MNIST: no padding, so raw images are the model's width, and are scaled as training scaled them. */
  @Test
  void unpaddedRawImagesAreScaledAsTrainingDid() throws IOException {
    byte[] pixels = pixels(2 * 784, 9);
    Path idx = writeIdx(tmp.resolve("split-idx3-ubyte"), new int[] {2, 28, 28}, pixels);
    var pre = new ExportManifest.Preprocessing(new int[] {28, 28, 1}, new int[4], new float[] {1f / 255f},
        new float[] {0f}, "");
    float[] x = PredictCommand.readIdx(idx, pre, 784, null);
    for (int i = 0; i < x.length; i++) {
      assertThat(x[i]).isEqualTo((pixels[i] & 0xFF) * (1f / 255f));
    }
    assertThat(PredictCommand.readIdx(idx, pre, 784, 2f)[1]).isEqualTo((pixels[1] & 0xFF) * 0.5f);
  }

  /**
   * CIFAR binary records (label bytes, then the red, green and blue planes) become rows in height,
   * width, channel order, each channel encoded with the manifest's scale and offset; CIFAR-100's
   * two label bytes are skipped; a file whose size is not whole records is refused by name.
   */
  @Test
  void cifarBinaryRecordsAreEncodedAsTrainingDid() throws IOException {
    var pre = new ExportManifest.Preprocessing(new int[] {32, 32, 3}, new int[4], new float[] {0.5f, 0.25f, 2f},
        new float[] {-1f, 0f, 3f}, "");
    for (int labelBytes : new int[] {1, 2}) {
      byte[] planes = pixels(2 * 3072, 11 + labelBytes);
      byte[] file = new byte[2 * (labelBytes + 3072)];
      for (int i = 0; i < 2; i++) {
        file[i * (labelBytes + 3072) + labelBytes - 1] = (byte) (i + 3);
        System.arraycopy(planes, i * 3072, file, i * (labelBytes + 3072) + labelBytes, 3072);
      }
      Path bin = Files.write(tmp.resolve("batch" + labelBytes + ".bin"), file);
      float[] x = PredictCommand.readCifar(bin, labelBytes == 1 ? "cifar10" : "cifar100", pre, 3072);
      assertThat(x).hasSize(2 * 3072);
      for (int i = 0; i < 2; i++) {
        for (int r = 0; r < 32; r++) {
          for (int c = 0; c < 32; c++) {
            for (int ch = 0; ch < 3; ch++) {
              int b = planes[i * 3072 + ch * 1024 + r * 32 + c] & 0xFF;
              assertThat(x[i * 3072 + (r * 32 + c) * 3 + ch]).isEqualTo(b * pre.scale()[ch] + pre.offset()[ch], within(1e-5f));
            }
          }
        }
      }
    }
    Path cut = Files.write(tmp.resolve("cut.bin"), new byte[3073 + 10]);
    assertThatThrownBy(() -> PredictCommand.readCifar(cut, "cifar10", pre, 3072)).isInstanceOf(UserException.class)
        .hasMessageContaining(cut.toString());
    var mnist = new ExportManifest.Preprocessing(new int[] {28, 28, 1}, new int[4], new float[] {1f}, new float[] {0f}, "");
    assertThatThrownBy(() -> PredictCommand.readCifar(cut, "cifar10", mnist, 784)).isInstanceOf(UserException.class)
        .hasMessageContaining("not CIFAR's 32x32x3");
  }

  @Test
  void idxOfAnotherShapeIsNamed() throws IOException {
    Path idx = writeIdx(tmp.resolve("small-idx3-ubyte"), new int[] {2, 14, 14}, new byte[2 * 196]);
    assertThatThrownBy(() -> PredictCommand.readIdx(idx, permutedMnist(28, 28), 1024, null))
        .hasMessage(idx + ": IDX dimensions [2, 14, 14] give 196 values per example; the model takes 1024 or images "
            + "of 28x28x1 (padded as training did)");
    Path mnist = writeIdx(tmp.resolve("mnist-idx3-ubyte"), new int[] {2, 28, 28}, new byte[2 * 784]);
    assertThatThrownBy(() -> PredictCommand.readIdx(mnist, null, 1024, null))
        .hasMessageStartingWith(mnist + ": IDX dimensions [2, 28, 28] give 784 values per example; the model takes "
            + "1024; this export's manifest.json records no input.preprocessing");
    Path transposed = writeIdx(tmp.resolve("odd-idx3-ubyte"), new int[] {2, 14, 56}, new byte[2 * 784]);
    assertThatThrownBy(() -> PredictCommand.readIdx(transposed, permutedMnist(28, 28), 1024, null))
        .hasMessageContaining("are not images of 28x28x1");
  }
}
