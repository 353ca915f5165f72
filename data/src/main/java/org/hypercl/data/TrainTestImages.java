package org.hypercl.data;

import java.util.Objects;

/**
 * A dataset's official training and test images, as read from its files.
 *
 * @param name dataset name, e.g. {@code "mnist"}
 */
public record TrainTestImages(String name, ImageSet train, ImageSet test) {
  public TrainTestImages {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(test, "test");
    if (train.height() != test.height() || train.width() != test.width()
        || train.channels() != test.channels() || train.numClasses() != test.numClasses()) {
      throw new IllegalArgumentException(name + ": train " + train + " and test " + test + " differ in shape");
    }
  }
}
