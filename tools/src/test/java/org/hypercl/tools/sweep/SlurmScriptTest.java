package org.hypercl.tools.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.hypercl.tools.UserException;
import org.hypercl.training.JsonFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The array script: its #SBATCH lines, and what one array task runs, executed with bash and a stand-in launcher. */
class SlurmScriptTest {

  /** A plan of three runs whose arguments hold what a shell would mangle. */
  private static SweepPlan plan(Path out) {
    List<SweepPlan.Planned> runs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String name = "abcdef012" + i + "-seed" + (40 + i);
      String runDir = out.resolve("runs").resolve(name).toString();
      runs.add(new SweepPlan.Planned(name, "abcdef012" + i, 40 + i, Map.of("settings.beta", JsonNodeFactory.instance.numberNode(0.1)),
          List.of("train", "--experiment", "toy-regression", "--seed", Integer.toString(40 + i), "--run-dir", runDir,
              "--set", "settings.note=\"it's $HOME `x` a b\"", "--set", "line=one\ntwo", ""),
          List.of("train", "--resume", runDir, "--threads", "2")));
    }
    return new SweepPlan("toy beta/1", out.resolve("spec.json"), JsonNodeFactory.instance.objectNode(), 3, runs);
  }

  @Test
  void arraySpecsJoinConsecutiveIndicesAndTakeALimit() {
    assertThat(SlurmScript.arraySpec(List.of(0, 1, 2, 3), null)).isEqualTo("0-3");
    assertThat(SlurmScript.arraySpec(List.of(1, 3, 4, 5, 9), 2)).isEqualTo("1,3-5,9%2");
    assertThat(SlurmScript.arraySpec(List.of(7), null)).isEqualTo("7");
    assertThatThrownBy(() -> SlurmScript.arraySpec(List.of(), null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SlurmScript.arraySpec(List.of(3, 1), null)).hasMessageContaining("not ascending");
  }

  @Test
  void theScriptAsksForWhatWasGivenAndListsTheRunsByIndex(@TempDir Path tmp) {
    Path out = tmp.resolve("sweep");
    SlurmSettings settings = new SlurmSettings("short", "0:30:00", "4G", "gpu:1", 3, 2);
    String script = SlurmScript.render(plan(out), out, List.of(0, 2), settings, List.of("/opt/jdk/bin/java", "-cp", "/a b/x.jar", "Main"));
    assertThat(script).startsWith("#!/bin/bash\n");
    List<String> directives = script.lines().filter(l -> l.startsWith("#SBATCH ")).toList();
    assertThat(directives).containsExactly(
        "#SBATCH --job-name=hypercl-toy-beta-1",
        "#SBATCH --array=0,2%2",
        "#SBATCH --output=" + out.resolve("slurm") + "/%A_%a.out",
        "#SBATCH --chdir=" + out,
        "#SBATCH --cpus-per-task=3",
        "#SBATCH --partition=short",
        "#SBATCH --time=0:30:00",
        "#SBATCH --mem=4G",
        "#SBATCH --gres=gpu:1");
    // Every #SBATCH line comes before the first command, or sbatch ignores it.
    int lastDirective = script.lastIndexOf("#SBATCH ");
    assertThat(script.indexOf("\nset -u")).isGreaterThan(lastDirective);
    assertThat(script).contains("runs=(abcdef0120-seed40 abcdef0121-seed41 abcdef0122-seed42)\n")
        .contains("launcher=('/opt/jdk/bin/java' '-cp' '/a b/x.jar' 'Main')\n")
        .contains("dir='" + out + "'\n")
        .contains("\"${launcher[@]}\" \"${args[@]}\"");
    String plain = SlurmScript.render(plan(out), out, List.of(0, 1, 2), new SlurmSettings(null, null, null, null, 1, null), List.of("/j"));
    assertThat(plain.lines().filter(l -> l.startsWith("#SBATCH "))).containsExactly("#SBATCH --job-name=hypercl-toy-beta-1",
        "#SBATCH --array=0-2", "#SBATCH --output=" + out.resolve("slurm") + "/%A_%a.out", "#SBATCH --chdir=" + out,
        "#SBATCH --cpus-per-task=1");
  }

  @Test
  void settingsAndFoldersThatAnSbatchLineCannotHoldAreRefused(@TempDir Path tmp) {
    assertThatThrownBy(() -> new SlurmSettings(null, null, "4 G", null, 1, null)).isInstanceOf(UserException.class)
        .hasMessageContaining("--mem '4 G' is not one word");
    assertThatThrownBy(() -> new SlurmSettings("a\nb", null, null, null, 1, null)).hasMessageContaining("--partition");
    assertThatThrownBy(() -> new SlurmSettings(null, null, null, null, 0, null)).hasMessageContaining("--cpus must be at least 1");
    assertThatThrownBy(() -> new SlurmSettings(null, null, null, null, 1, 0)).hasMessageContaining("--max-parallel must be at least 1");
    for (String bad : List.of("with space", "50%", "quo'te")) {
      Path out = tmp.resolve(bad);
      assertThatThrownBy(() -> SlurmScript.requirePlainPath(out)).isInstanceOf(UserException.class).hasMessageContaining("plain path");
    }
    SlurmScript.requirePlainPath(tmp.resolve("sweeps/beta-2_x.y"));
    assertThat(SlurmScript.jobName("")).isEqualTo("hypercl-sweep");
  }

  @Test
  void argumentFilesKeepEveryArgumentExactly(@TempDir Path tmp) throws Exception {
    SweepPlan plan = plan(tmp);
    SlurmScript.writeArgs(tmp, plan.runs());
    SweepPlan.Planned first = plan.runs().get(0);
    assertThat(SlurmScript.readArgs(SweepFolder.slurmArgs(tmp, first.name(), SweepFolder.NEW))).isEqualTo(first.args());
    assertThat(SlurmScript.readArgs(SweepFolder.slurmArgs(tmp, first.name(), SweepFolder.RESUME))).isEqualTo(first.resumeArgs());
  }

  /**
   * One array task, run by bash as slurmd would run it (SLURM_ARRAY_TASK_ID and SLURM_ARRAY_JOB_ID
   * set), with a launcher that prints its arguments: the run's arguments arrive exactly as planned,
   * a run folder with config.json is resumed, the exit code is passed on and recorded.
   */
  @Test
  void anArrayTaskRunsItsRunsArgumentsAndRecordsHowItEnded(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("sweep");
    SweepPlan plan = plan(out);
    SlurmScript.writeArgs(out, plan.runs());
    Path fake = tmp.resolve("fake-java");
    Files.writeString(fake, "#!/bin/bash\nfor a in \"$@\"; do printf '<%s>\\n' \"$a\"; done\n[[ $3 == --resume ]] && exit 3\nexit 0\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path script = tmp.resolve("sweep.sbatch");
    Files.writeString(script, SlurmScript.render(plan, out, List.of(0, 1, 2), new SlurmSettings(null, null, null, null, 1, null),
        List.of(fake.toString(), "hypercl-main")));

    Task t = task(script, 1, "77");
    assertThat(t.exit()).as(t.output()).isZero();
    SweepPlan.Planned run = plan.runs().get(1);
    List<String> expected = new ArrayList<>(List.of("<hypercl-main>"));
    run.args().forEach(a -> expected.add("<" + a + ">"));
    String printed = t.output().substring(t.output().indexOf("<hypercl-main>"));
    assertThat(printed.strip()).isEqualTo(String.join("\n", expected));
    assertThat(t.output()).startsWith("== ").contains("77_1 on ").contains(": new run " + run.name());
    JsonNode rec = JsonFiles.read(SweepFolder.slurmTask(out, run.name()));
    assertThat(rec.get("arrayJobId").asText()).isEqualTo("77");
    assertThat(rec.get("arrayTaskId").asInt()).isEqualTo(1);
    assertThat(rec.get("exitCode").asInt()).isZero();
    assertThat(rec.get("mode").asText()).isEqualTo("new");

    // A started run (config.json there) is resumed; the launcher's exit code is the task's and is recorded.
    SweepPlan.Planned other = plan.runs().get(2);
    Files.createDirectories(out.resolve("runs").resolve(other.name()));
    Files.writeString(out.resolve("runs").resolve(other.name()).resolve("config.json"), "{}");
    Task resumed = task(script, 2, "78");
    assertThat(resumed.exit()).isEqualTo(3);
    assertThat(resumed.output()).contains("<--resume>").contains(": resume run " + other.name());
    JsonNode rec2 = JsonFiles.read(SweepFolder.slurmTask(out, other.name()));
    assertThat(rec2.get("exitCode").asInt()).isEqualTo(3);
    assertThat(rec2.get("mode").asText()).isEqualTo("resume");
    try (var files = Files.list(out.resolve("slurm").resolve("tasks"))) {
      assertThat(files.map(f -> f.getFileName().toString())).allMatch(f -> f.endsWith(".json") && !f.startsWith("."));
    }

    Task outside = task(script, 9, "79");
    assertThat(outside.exit()).isEqualTo(2);
    assertThat(outside.output()).contains("array index 9 is not a run of this sweep (0-2)");
  }

  private record Task(int exit, String output) {}

  private static Task task(Path script, int index, String job) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true);
    pb.environment().put("SLURM_ARRAY_TASK_ID", Integer.toString(index));
    pb.environment().put("SLURM_ARRAY_JOB_ID", job);
    pb.environment().put("SLURM_JOB_ID", job + index);
    Process p = pb.start();
    byte[] b = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Task(p.exitValue(), new String(b, StandardCharsets.UTF_8));
  }
}
