package org.hypercl.training;

import org.hypercl.data.ClassificationData;
import org.hypercl.data.ClassificationTask;
import org.hypercl.data.ImageData;
import org.hypercl.data.TaskSequence;
import org.hypercl.data.tasks.PermutedTaskSequence;

/**
 * A data module {@link TaskSequence} as the learner's {@link TaskSource}. For a permuted sequence
 * the padded base images and their one-hot labels are built once and shared by every task, which
 * carries only its permutation; other sequences build each task's arrays when asked.
 */
public final class SequenceTasks implements TaskSource {

  private final TaskSequence sequence;
  private final int maxTrainSize;
  private float[] baseTrainX;
  private float[] baseTrainY;
  private float[] baseTestX;
  private float[] baseTestY;

  public SequenceTasks(TaskSequence sequence) {
    this.sequence = sequence;
    int max = 0;
    for (int t = 0; t < sequence.numTasks(); t++) {
      max = Math.max(max, sequence.task(t).train().size());
    }
    this.maxTrainSize = max;
  }

  @Override
  public String name() {
    return sequence.name();
  }

  @Override
  public int numTasks() {
    return sequence.numTasks();
  }

  @Override
  public int maxTrainSize() {
    return maxTrainSize;
  }

  @Override
  public synchronized TaskData task(int i) {
    ClassificationTask task = sequence.task(i);
    int classes = task.numClasses();
    if (sequence instanceof PermutedTaskSequence p) {
      if (baseTrainX == null) {
        baseTrainX = p.baseTrain().allInputs();
        baseTrainY = TaskData.oneHot(p.baseTrain().labels(), classes);
        baseTestX = p.baseTest().allInputs();
        baseTestY = TaskData.oneHot(p.baseTest().labels(), classes);
      }
      return new TaskData(task.name(), task.inputDim(), classes, baseTrainX, baseTrainY, baseTestX, baseTestY, p.permutation(i));
    }
    ClassificationData train = task.train();
    ClassificationData test = task.test();
    // A black pixel (every byte 0) encodes to each channel's offset.
    float[] black = train instanceof ImageData images && !images.encoding().permuted()
        ? images.encoding().channelOffsets()
        : null;
    return new TaskData(
        task.name(), task.inputDim(), classes,
        train.allInputs(), TaskData.oneHot(train.labels(), classes),
        test.allInputs(), TaskData.oneHot(test.labels(), classes), null, black);
  }
}
