package org.hypercl.tools.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.hypercl.data.TrainTestImages;
import org.hypercl.data.fetch.DataLocations;
import org.hypercl.data.fetch.Datasets;
import org.hypercl.data.fetch.KnownDataset;
import org.hypercl.data.synth.SyntheticCifar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SynthCommandTest {
  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    CommandLine cli = new CommandLine(new DataCommand());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  @Test
  void helpSaysItIsSyntheticAndHowToUseIt() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("synth");
    assertThat(run("synth", "--help")).isZero();
    String help = out.toString().replaceAll("\\s+", " ");
    assertThat(help).contains("SYNTHETIC").contains("smoke runs and tests").contains("Not real CIFAR")
        .contains("--data-dir DIR").contains("DIR/cifar10/cifar-10-batches-bin").contains("--train-per-class")
        .contains("--test-per-class").contains("--seed").contains("--noise").contains("--force")
        .contains("default: 100 for cifar10, 20 for cifar100").contains("default: 20 for cifar10, 5 for cifar100");
  }

  @Test
  void writesBothIntoOutWhereDataDirFindsThem() throws IOException {
    Path root = dir.resolve("synthetic");
    int code = run("synth", "cifar", "--out", root.toString(), "--train-per-class", "2", "--test-per-class", "1",
        "--seed", "5", "--noise", "0.05");
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains("cifar10: synthetic, 20 train and 10 test images (10 classes, seed 5, noise 0.05)")
        .contains("cifar100: synthetic, 200 train and 100 test images (100 classes, seed 5, noise 0.05)")
        .contains(root.resolve("cifar10").toString()).contains("cifar-10-batches-bin/data_batch_5.bin")
        .contains("cifar-100-binary/test.bin").contains("--data-dir " + root);
    DataLocations locations = DataLocations.of(root, Map.of(), dir.resolve("home"), List.of());
    TrainTestImages c10 = Datasets.load(KnownDataset.CIFAR10, locations);
    TrainTestImages c100 = Datasets.load(KnownDataset.CIFAR100, locations);
    assertThat(c10.train().size()).isEqualTo(20);
    assertThat(c100.test().size()).isEqualTo(100);
    assertThat(Files.readString(root.resolve("cifar100").resolve(SyntheticCifar.MARKER_FILE))).contains("seed=5")
        .contains("noise=0.05");

    assertThat(run("--data-dir", root.toString(), "list", "--verify")).isZero();
    assertThat(out.toString()).containsPattern("cifar10 +ok").containsPattern("cifar100 +ok");
  }

  @Test
  void defaultCountsDependOnTheDataset() throws IOException {
    assertThat(run("synth", "cifar", "--out", dir.toString(), "--seed", "1")).as(err.toString()).isZero();
    assertThat(out.toString()).contains("cifar10: synthetic, 1000 train and 200 test images")
        .contains("cifar100: synthetic, 2000 train and 500 test images");
  }

  @Test
  void refusesAnExistingFolderWithoutForce() throws IOException {
    assertThat(run("synth", "cifar10", "--out", dir.toString(), "--train-per-class", "1", "--test-per-class", "1"))
        .isZero();
    byte[] before = Files.readAllBytes(dir.resolve("cifar10/cifar-10-batches-bin/test_batch.bin"));

    int code = run("synth", "cifar10", "--out", dir.toString(), "--train-per-class", "1", "--test-per-class", "1",
        "--seed", "9");
    assertThat(code).isEqualTo(SynthCommand.EXIT_FAILED);
    assertThat(err.toString()).contains(dir.resolve("cifar10") + ": dataset folder already exists")
        .contains("--force");
    assertThat(Files.readAllBytes(dir.resolve("cifar10/cifar-10-batches-bin/test_batch.bin"))).isEqualTo(before);

    assertThat(run("synth", "cifar10", "--out", dir.toString(), "--train-per-class", "1", "--test-per-class", "1",
        "--seed", "9", "--force")).isZero();
    assertThat(Files.readAllBytes(dir.resolve("cifar10/cifar-10-batches-bin/test_batch.bin"))).isNotEqualTo(before);
  }

  @Test
  void badValuesAreUsageErrorsNamingTheOption() {
    assertThat(run("synth", "cifar10", "--out", dir.toString(), "--train-per-class", "-3")).isEqualTo(2);
    assertThat(err.toString()).contains("--train-per-class must be in [1, 6000]: -3");
    assertThat(run("synth", "cifar10", "--out", dir.toString(), "--test-per-class", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--test-per-class must be in [1, 6000]: 0");
    assertThat(run("synth", "cifar100", "--out", dir.toString(), "--noise", "-0.5")).isEqualTo(2);
    assertThat(err.toString()).contains("--noise must be in [0, 1.0]: -0.5");
    assertThat(run("synth", "svhn", "--out", dir.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("unknown dataset 'svhn'").contains("cifar10, cifar100 or cifar");
    assertThat(run("synth", "mnist", "--out", dir.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("not mnist").contains("hypercl data fetch mnist");
    assertThat(run("synth", "cifar10")).isEqualTo(2);
    assertThat(err.toString()).contains("--out");
    assertThat(run("--data-dir", dir.toString(), "synth", "cifar10", "--out", dir.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("synth writes only to --out DIR");
    assertThat(dir.toFile().list()).isEmpty();
  }
}
