package org.hypercl.tools.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hypercl.savedmodels.ExportOptions;
import org.hypercl.savedmodels.ModelExporter;
import org.hypercl.tools.HyperclCommand;
import org.hypercl.training.ContinualRunner;
import org.hypercl.training.ExperimentConfig;
import org.hypercl.training.Experiments;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hypercl serve} as a process: its flags, and SIGTERM. */
class ServeCommandTest {

  @TempDir Path tmp;

  @Test
  void helpExplainsTheLimits() {
    ExportEndToEndTest.Cli help = ExportEndToEndTest.hypercl("serve", "--help");
    assertThat(help.code()).isZero();
    String text = help.out().replaceAll("\\s+", " "); // as wrapped for 80 columns
    assertThat(text).contains("--read-timeout=SECONDS").contains("--idle-timeout=SECONDS")
        .contains("--max-connections=N").contains("(default: 30)").contains("(default: 512)")
        .contains("the exit code is 0").contains("NaN, Infinity and -Infinity are numbers");
    for (String line : help.out().split("\n")) {
      assertThat(line.length()).as(line).isLessThanOrEqualTo(80);
    }
    ExportEndToEndTest.Cli bad = ExportEndToEndTest.hypercl("serve", tmp.toString(), "--read-timeout", "0");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("--read-timeout");
  }

  /** serve --port N where N is taken names the port and the host, and exits 2. */
  @Test
  void aBusyPortIsNamed() throws Exception {
    ExperimentConfig base = Experiments.toyRegression();
    ExperimentConfig c = base.withSettings(base.settings().toBuilder().iterations(1).batchSize(8).build());
    try (ContinualRunner.Outcome o = SyntheticRuns.train(c, SyntheticRuns.randomTasks(c, 16, 1), tmp.resolve("run"))) {
      ModelExporter.export(tmp.resolve("run"), ExportOptions.defaults().withOut(tmp.resolve("export")));
    }
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      ExportEndToEndTest.Cli r = ExportEndToEndTest.hypercl("serve", tmp.resolve("export").toString(), "--port",
          Integer.toString(port));
      assertThat(r.code()).isEqualTo(2);
      assertThat(r.err()).startsWith("hypercl serve: port " + port + " on 127.0.0.1 is already in use");
    }
  }

  /** SIGTERM on an idle server: it stops at once and exits 0 (not the signal's 143). */
  @Test
  void sigtermStopsPromptlyWithExitCodeZero() throws Exception {
    ExperimentConfig base = Experiments.toyRegression();
    ExperimentConfig c = base.withSettings(base.settings().toBuilder().iterations(1).batchSize(8).build());
    try (ContinualRunner.Outcome o = SyntheticRuns.train(c, SyntheticRuns.randomTasks(c, 16, 1), tmp.resolve("run"))) {
      ModelExporter.export(tmp.resolve("run"), ExportOptions.defaults().withOut(tmp.resolve("export")));
    }
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), HyperclCommand.class.getName(),
        "serve", tmp.resolve("export").toString(), "--port", "0");
    Path err = tmp.resolve("serve.err");
    Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      assertThat(line).as(Files.exists(err) ? Files.readString(err) : "").isNotNull();
      Matcher m = Pattern.compile("on http://127\\.0\\.0\\.1:(\\d+)").matcher(line);
      assertThat(m.find()).as(line).isTrue();
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.group(1) + "/healthz"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);

      long t0 = System.nanoTime();
      p.destroy(); // SIGTERM
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
      double seconds = (System.nanoTime() - t0) / 1e9;
      assertThat(p.exitValue()).as(Files.readString(err)).isZero();
      // The client's keep-alive connection is still open; stopping does not wait for it.
      assertThat(seconds).as("s from SIGTERM to exit").isLessThan(3.0);
      assertThat(Files.readString(err)).contains("hypercl serve: stopping");
    } finally {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
