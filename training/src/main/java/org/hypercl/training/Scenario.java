package org.hypercl.training;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * The continual-learning scenarios of the paper (after van de Ven and Tolias, 2019): how many
 * output heads the target network has and whether the task id is given when it is tested.
 * Training is the same in all three (the task id picks the task embedding); they differ in the
 * head layout and in evaluation.
 */
public enum Scenario {
  /** One head per task; the task id is given at test time. */
  CL1(false, false),
  /** One head shared by every task; the task id is not given, and is inferred to pick the embedding. */
  CL2(true, true),
  /** One head per task; the task id is not given and must be inferred: right only if task and class are. */
  CL3(false, true);

  private final boolean sharedHead;
  private final boolean infersTask;

  Scenario(boolean sharedHead, boolean infersTask) {
    this.sharedHead = sharedHead;
    this.infersTask = infersTask;
  }

  /** Whether all tasks share one output head. */
  public boolean sharedHead() {
    return sharedHead;
  }

  /** Whether the task is inferred at test time. */
  public boolean infersTask() {
    return infersTask;
  }

  /** {@code cl1}, {@code cl2} or {@code cl3}. */
  @JsonValue
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@link #id()}, naming the valid values on failure. */
  @JsonCreator
  public static Scenario parse(String id) {
    for (Scenario s : values()) {
      if (s.id().equals(id.trim().toLowerCase(Locale.ROOT))) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown scenario '" + id + "'; expected cl1, cl2 or cl3");
  }
}
