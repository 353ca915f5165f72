package org.hypercl.data.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.hypercl.data.TaskSequence;
import org.hypercl.data.TestData;
import org.hypercl.data.fetch.DataLocations;
import org.hypercl.data.fetch.DatasetNotFoundException;
import org.hypercl.data.fetch.KnownDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskSequencesLoadTest {
  @TempDir Path tmp;

  @Test
  void loadsASpecFromTheDataFoldersWithFashionMnistSubstituted() throws IOException {
    Path sys = tmp.resolve("sys");
    TestData.writeMnist(sys.resolve("fashion-mnist"), TestData.mnistLike("f", 40, 20, 1), true);
    DataLocations loc = DataLocations.of(null, Map.of(), tmp.resolve("home"), List.of(sys));

    SequenceSpec spec = SequenceSpec.parse("permuted-mnist-3").withDataset(KnownDataset.FASHION_MNIST)
        .withValidationSize(5).withSeed(7);
    TaskSequence seq = TaskSequences.load(spec, loc);
    assertThat(seq.name()).isEqualTo("permuted-fashion-mnist-3");
    assertThat(seq.numTasks()).isEqualTo(3);
    assertThat(seq.task(0).validation().orElseThrow().size()).isEqualTo(5);
    assertThat(((PermutedTaskSequence) seq).permutation(1))
        .isEqualTo(PermutedTaskSequence.build(TestData.mnistLike("f", 40, 20, 1), 3, 7, 0).permutation(1));

    TaskSequence split = TaskSequences.load(SequenceSpec.parse("split-fashion-mnist").withShuffledClasses(true), loc);
    assertThat(split.name()).isEqualTo("split-fashion-mnist");
    assertThat(split.numTasks()).isEqualTo(5);

    DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class,
        () -> TaskSequences.load(SequenceSpec.parse("split-mnist"), loc));
    assertThat(e.getMessage()).contains("mnist not found").contains("hypercl data fetch mnist");
  }
}
