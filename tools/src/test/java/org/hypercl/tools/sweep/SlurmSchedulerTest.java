package org.hypercl.tools.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.hypercl.tools.UserException;
import org.junit.jupiter.api.Test;

/** Reading what sbatch, squeue and sacct print. The lines are as Slurm 22.05 prints them. */
class SlurmSchedulerTest {

  @Test
  void sbatchParsablePrintsTheJobIdAndMaybeTheCluster() {
    assertThat(SlurmScheduler.parseJobId("4242\n")).isEqualTo("4242");
    assertThat(SlurmScheduler.parseJobId("4242;hypercl-local\n")).isEqualTo("4242");
    assertThat(SlurmScheduler.parseJobId("sbatch: warning: something\n17\n")).isEqualTo("17");
    assertThatThrownBy(() -> SlurmScheduler.parseJobId("Submitted batch job 5\n")).isInstanceOf(UserException.class)
        .hasMessageContaining("not a job id");
    assertThatThrownBy(() -> SlurmScheduler.parseJobId("")).isInstanceOf(UserException.class);
  }

  @Test
  void squeueGivesATaskALine() {
    Map<String, SlurmScheduler.TaskState> q = SlurmScheduler.parseQueue("""
        12_3|PENDING|Resources|
        12_2|PENDING|JobArrayTaskLimit|
        12_0|RUNNING|None|vm
        12_1|FAILED|NonZeroExitCode|vm
        12_4|COMPLETING|None|vm
        7|RUNNING|None|vm

        """);
    assertThat(q).containsOnlyKeys("12_3", "12_2", "12_0", "12_1", "12_4", "7");
    assertThat(q.get("12_3")).isEqualTo(new SlurmScheduler.TaskState("PENDING", "Resources", "", "", "squeue"));
    assertThat(q.get("12_3").queued()).isTrue();
    assertThat(q.get("12_0").running()).isTrue();
    assertThat(q.get("12_0").node()).isEqualTo("vm");
    assertThat(q.get("12_4").active()).isTrue();
    assertThat(q.get("12_1").active()).isFalse();
  }

  @Test
  void sacctStatesLoseTheirTrailersAndPendingArraysAreExpanded() {
    Map<String, SlurmScheduler.TaskState> a = SlurmScheduler.parseAccounting("""
        30_0|COMPLETED|0:0|node1
        30_1|TIMEOUT|0:15|node2
        30_2|CANCELLED by 1000|0:15|node1
        30_2.batch|CANCELLED|0:15|node1
        30_[3-4,6%2]|PENDING|0:0|None assigned
        31_0|OUT_OF_MEMORY|0:125|node3
        """);
    assertThat(a).containsOnlyKeys("30_0", "30_1", "30_2", "30_3", "30_4", "30_6", "31_0");
    assertThat(a.get("30_1")).isEqualTo(new SlurmScheduler.TaskState("TIMEOUT", "", "node2", "0:15", "sacct"));
    assertThat(a.get("30_2").state()).isEqualTo("CANCELLED");
    assertThat(a.get("30_2").reason()).isEqualTo("by 1000");
    assertThat(a.get("30_4").queued()).isTrue();
    assertThat(a.get("31_0").active()).isFalse();
    assertThat(SlurmScheduler.expand("5_[0-2]")).containsExactly("5_0", "5_1", "5_2");
    assertThat(SlurmScheduler.expand("5+0")).containsExactly("5");
    assertThat(SlurmScheduler.expand("batch")).isEmpty();
  }
}
