package org.hypercl.tools.serving;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;
import org.hypercl.savedmodels.ExportOptions;
import org.hypercl.savedmodels.ExportedModels;
import org.hypercl.savedmodels.ModelExporter;
import org.hypercl.savedmodels.ModelServer;
import org.hypercl.savedmodels.ServerOptions;
import org.hypercl.tools.UserException;
import org.hypercl.training.ContinualRunner;
import org.hypercl.training.ExperimentConfig;
import org.hypercl.training.Experiments;
import org.tensorflow.proto.ConfigProto;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hypercl bench-serving}: in-process and REST inference latency and throughput. */
@Command(
    name = "bench-serving",
    mixinStandardHelpOptions = true,
    header = "Measures an export's inference latency and REST throughput.",
    description = {
      "In-process predict latency (p50/p99) at batch 1 and batch 128 for task 0's SavedModel and through the "
          + "hypernetwork model, then REST requests per second and latency with concurrent clients against "
          + "'hypercl serve' started in this process on 127.0.0.1.",
      "Without EXPORT_DIR, --synthetic CONFIG trains a throwaway run of that experiment's shapes on random "
          + "data (1 step per task) and exports it first: toy-regression or split-mnist.",
    })
public final class ServingBenchCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "EXPORT_DIR", description = "An export folder (from 'hypercl export').")
  Path exportDir;

  @Option(names = "--synthetic", paramLabel = "CONFIG", description = "Export a random-weight run of this experiment first: toy-regression or split-mnist.")
  String synthetic;

  @Option(names = "--iterations", description = "In-process calls per measurement (default: ${DEFAULT-VALUE}).")
  int iterations = 2000;

  @Option(names = "--clients", description = "Concurrent REST clients (default: ${DEFAULT-VALUE}).")
  int clients = 8;

  @Option(names = "--requests", description = "REST requests per client (default: ${DEFAULT-VALUE}).")
  int requests = 2000;

  @Option(names = "--threads", description = "Server handler threads (default: ${DEFAULT-VALUE}).")
  int threads = ServerOptions.THREADS_DEFAULT;

  @Option(names = "--tf-threads", description = "TensorFlow threads per session, 0 = TensorFlow's choice (default: ${DEFAULT-VALUE}).")
  int tfThreads = ServerOptions.TF_THREADS_DEFAULT;

  @Override
  public Integer call() throws Exception {
    if ((exportDir == null) == (synthetic == null)) {
      throw new UserException("give either EXPORT_DIR or --synthetic toy-regression|split-mnist");
    }
    PrintWriter w = spec.commandLine().getOut();
    Path scratch = null;
    try {
      Path dir = exportDir;
      if (synthetic != null) {
        scratch = Files.createTempDirectory("hypercl-bench-serving-");
        dir = syntheticExport(synthetic, scratch, w);
      }
      ConfigProto config = tfThreads > 0
          ? ConfigProto.newBuilder().setIntraOpParallelismThreads(tfThreads).setInterOpParallelismThreads(tfThreads).build()
          : null;
      try (ExportedModels models = ExportedModels.open(dir, config)) {
        int in = models.manifest().input().exampleSize();
        w.printf("Export %s: %s, input %d, %d tasks; TF threads per session %s; %d cores%n", dir,
            models.manifest().experiment(), in, models.numTasks(), tfThreads == 0 ? "default" : tfThreads,
            Runtime.getRuntime().availableProcessors());
        w.printf("%-42s %10s %10s %12s%n", "in-process predict", "p50 ms", "p99 ms", "rows/s");
        for (int batch : new int[] {1, 128}) {
          float[] x = random(batch * in, 7);
          report(w, "task model " + models.manifest().tasks().get(0).model() + ", batch " + batch,
              time(iterations, i -> models.task(0).predict(x, batch)), batch);
          report(w, "hypernetwork predict(task_id 0), batch " + batch,
              time(iterations, i -> models.hypernetwork().predict(0, x, batch)), batch);
        }
      }
      restBenchmark(dir, w);
      return 0;
    } finally {
      if (scratch != null) {
        deleteTree(scratch);
      }
    }
  }

  private Path syntheticExport(String name, Path scratch, PrintWriter w) {
    ExperimentConfig base = switch (name.toLowerCase(Locale.ROOT)) {
      case "toy-regression", "toy" -> Experiments.toyRegression();
      case "split-mnist" -> Experiments.splitMnist();
      default -> throw new UserException("--synthetic must be toy-regression or split-mnist, got '" + name + "'");
    };
    ExperimentConfig c = base.withSettings(base.settings().toBuilder().iterations(1).batchSize(8).build());
    w.printf("Training a throwaway %s run (1 step per task, random data) and exporting it...%n", c.name());
    w.flush();
    try (ContinualRunner.Outcome o = SyntheticRuns.train(c, SyntheticRuns.randomTasks(c, 64, 1), scratch.resolve("run"))) {
      return ModelExporter.export(scratch.resolve("run"), ExportOptions.defaults().withOut(scratch.resolve("export"))).out();
    }
  }

  private void restBenchmark(Path dir, PrintWriter w) throws Exception {
    ServerOptions options = ServerOptions.defaults().withPort(0).withThreads(threads).withTfThreads(tfThreads);
    try (ModelServer server = ModelServer.start(dir, options)) {
      int in = server.manifest().input().exampleSize();
      String base = "http://127.0.0.1:" + server.port() + "/v1/models/";
      String task0 = server.manifest().tasks().get(0).model();
      float[] x = random(in, 11);
      String row = nestedJson(x, server.manifest().input().exampleShape());
      w.printf("%-42s %10s %10s %12s%n", "REST, " + clients + " clients x " + requests + " requests, batch 1",
          "p50 ms", "p99 ms", "requests/s");
      restCase(w, server, "task model, instances", base + task0 + ":predict", "{\"instances\": [" + row + "]}");
      restCase(w, server, "hypernetwork, inputs + task_id", base + server.manifest().hypernetworkModel() + ":predict",
          "{\"inputs\": {\"x\": [" + row + "], \"task_id\": 0}}");
    }
  }

  /** One example as JSON nested to its shape: {@code [..]} for a row, {@code [[[r, g, b], ..], ..]} for an image. */
  static String nestedJson(float[] x, long[] shape) {
    StringBuilder sb = new StringBuilder();
    nest(sb, x, shape, 0, 0);
    return sb.toString();
  }

  private static int nest(StringBuilder sb, float[] x, long[] shape, int dim, int at) {
    sb.append('[');
    for (int i = 0; i < shape[dim]; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      if (dim == shape.length - 1) {
        sb.append(x[at++]);
      } else {
        at = nest(sb, x, shape, dim + 1, at);
      }
    }
    sb.append(']');
    return at;
  }

  private void restCase(PrintWriter w, ModelServer server, String label, String url, String body) throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build();
    for (int i = 0; i < 200; i++) {
      check(client.send(req, HttpResponse.BodyHandlers.ofString()));
    }
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      long start = System.nanoTime();
      List<Future<long[]>> futures = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        futures.add(pool.submit(() -> {
          long[] lat = new long[requests];
          for (int r = 0; r < requests; r++) {
            long t0 = System.nanoTime();
            check(client.send(req, HttpResponse.BodyHandlers.ofString()));
            lat[r] = System.nanoTime() - t0;
          }
          return lat;
        }));
      }
      long[] all = new long[clients * requests];
      int k = 0;
      for (Future<long[]> f : futures) {
        for (long v : f.get()) {
          all[k++] = v;
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      Arrays.sort(all);
      w.printf("%-42s %10.3f %10.3f %12.0f%n", label, pct(all, 0.50), pct(all, 0.99), all.length / seconds);
      w.flush();
    } finally {
      pool.shutdownNow();
    }
  }

  private static void check(HttpResponse<String> r) {
    if (r.statusCode() != 200) {
      throw new IllegalStateException("the server answered " + r.statusCode() + ": " + r.body());
    }
  }

  private static long[] time(int n, IntConsumer call) {
    for (int i = 0; i < Math.max(50, n / 10); i++) {
      call.accept(i);
    }
    long[] t = new long[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      call.accept(i);
      t[i] = System.nanoTime() - t0;
    }
    Arrays.sort(t);
    return t;
  }

  private static void report(PrintWriter w, String label, long[] sorted, int batch) {
    long total = 0;
    for (long v : sorted) {
      total += v;
    }
    w.printf("%-42s %10.3f %10.3f %12.0f%n", label, pct(sorted, 0.50), pct(sorted, 0.99),
        sorted.length * (double) batch / (total / 1e9));
    w.flush();
  }

  private static double pct(long[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))] / 1e6;
  }

  private static float[] random(int n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) rng.nextDouble();
    }
    return x;
  }

  private static void deleteTree(Path p) throws IOException {
    try (var walk = Files.walk(p)) {
      for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    }
  }
}
