package org.hypercl.training;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A grayscale picture of what a learner holds after a task (e.g. a replay model's samples): the
 * runner writes it to {@code plots/NAME.png} and to TensorBoard's images under {@code tag}, at the
 * task's last global step.
 *
 * @param name the file name without {@code .png}
 * @param tag the TensorBoard tag; pictures of later tasks under the same tag form its step slider
 * @param gray {@code height × width} bytes, row-major, 0 black to 255 white
 */
public record Picture(String name, String tag, int width, int height, byte[] gray) {

  public Picture {
    if (width <= 0 || height <= 0 || gray.length != (long) width * height) {
      throw new IllegalArgumentException("a " + width + "x" + height + " picture needs " + (long) width * height
          + " gray values, got " + gray.length);
    }
  }

  /** The picture as PNG bytes. */
  public byte[] png() {
    java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(width, height, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
    img.getRaster().setDataElements(0, 0, width, height, gray);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      javax.imageio.ImageIO.write(img, "png", bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode picture " + name + " as PNG", e);
    }
    return bytes.toByteArray();
  }
}
