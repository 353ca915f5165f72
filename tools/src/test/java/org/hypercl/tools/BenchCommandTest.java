package org.hypercl.tools;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BenchCommandTest {

  private static CliRun bench(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "bench";
    System.arraycopy(args, 0, all, 1, args.length);
    return CliRun.of(all);
  }

  @Test
  void timesTheFirstAndLastTaskAndProfilesWhereTheStepSpendsItsTime() {
    CliRun r = bench("toy", "--steps", "3", "--warmup", "1", "--profile", "2", "--threads", "1");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).containsPattern("(?m)^1 +0 +[0-9.]+ +[0-9.]+ ");
    assertThat(r.out()).containsPattern("(?m)^3 +2 +[0-9.]+ +[0-9.]+ ");
    assertThat(r.out()).contains("CPU ms", "profile of 2 traced steps", "by op type", "by scope", "slowest nodes");
    assertThat(r.out()).containsPattern("(?m)^  \\S*MatMul\\S* +[0-9]+ +[0-9.]+ +[0-9.]+%$");
  }

  @Test
  void refusesAProfileOfAReplayMethodAndANegativeCount() {
    CliRun replay = bench("split-mnist", "--method", "hnet-r", "--profile", "1");
    assertThat(replay.exit()).isNotZero();
    assertThat(replay.err()).contains("--profile traces --method hnet only");
    CliRun negative = bench("toy", "--profile", "-1");
    assertThat(negative.exit()).isNotZero();
    assertThat(negative.err()).contains("--profile must not be negative");
  }

  /** --set changes the benched configuration by path; a path that does not exist is refused by name. */
  @Test
  void setChangesTheConfigurationAndRefusesAnUnknownPath() {
    CliRun r = bench("toy", "--steps", "2", "--warmup", "0", "--threads", "1", "--set", "settings.regularizerForm=NAIVE");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).containsPattern("(?m)^3 +2 +[0-9.]+ +[0-9.]+ ");
    CliRun bad = bench("toy", "--set", "settings.noSuchThing=1");
    assertThat(bad.exit()).isNotZero();
    assertThat(bad.err()).contains("--set", "noSuchThing");
  }
}
