package org.hypercl.tools.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.hypercl.data.fetch.KnownDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DataCommandTest {
  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = new CommandLine(new DataCommand());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  @Test
  void helpOnEveryCommand() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("fetch").contains("list").contains("--data-dir");
    assertThat(run("fetch", "--help")).isZero();
    assertThat(out.toString()).contains("--mirror").contains("SHA-256");
    assertThat(run("list", "--help")).isZero();
    assertThat(out.toString()).contains("--verify");
  }

  @Test
  void missingSubcommandOrUnknownDatasetIsAUsageError() {
    assertThat(run()).isEqualTo(2);
    assertThat(run("fetch", "svhn")).isEqualTo(2);
    assertThat(err.toString()).contains("unknown dataset 'svhn'");
  }

  @Test
  void listShowsFoundAndMissingDatasets_dataDirBeforeOrAfterTheSubcommand() throws IOException {
    Path mnist = dir.resolve("mnist");
    writeMnist(mnist, 10, 10);
    assertThat(run("--data-dir", dir.toString(), "list")).isZero();
    assertThat(out.toString()).contains("mnist").contains("found").contains(mnist.toString())
        .containsPattern("cifar10 +missing");
    out.getBuffer().setLength(0);
    assertThat(run("list", "--verify", "--data-dir", dir.toString())).isZero();
    assertThat(out.toString()).contains("ok").contains("(10 train, 10 test images)");
  }

  /** A dataset folder without one of its files is listed as incomplete, naming the file. */
  @Test
  void listNamesTheFileAnIncompleteFolderLacks() throws IOException {
    Path mnist = dir.resolve("mnist");
    writeMnist(mnist, 10, 10);
    Files.delete(mnist.resolve("train-labels-idx1-ubyte.gz"));
    assertThat(run("--data-dir", dir.toString(), "list")).isZero();
    assertThat(out.toString()).contains("mnist          incomplete " + mnist + ": no train-labels-idx1-ubyte.gz "
        + "(hypercl data fetch mnist --data-dir " + dir + ")");
  }

  @Test
  void listVerifyReportsAnInvalidFileByName() throws IOException {
    Path mnist = dir.resolve("mnist");
    writeMnist(mnist, 10, 10);
    Path labels = mnist.resolve("t10k-labels-idx1-ubyte.gz");
    Files.write(labels, gzip(idx(new int[] {9}, new byte[9])));
    assertThat(run("--data-dir", dir.toString(), "list", "--verify")).isEqualTo(1);
    assertThat(err.toString()).contains(labels.toString()).contains("9 labels");
  }

  @Test
  void corruptedDownloadFailsNamingTheFileAndLeavesNothing() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    long size = KnownDataset.MNIST.downloads().get(0).size();
    server.createContext("/", ex -> {
      ex.sendResponseHeaders(200, size); // right size, wrong bytes
      try (OutputStream os = ex.getResponseBody()) {
        os.write(new byte[(int) size]);
      }
    });
    server.start();
    try {
      String mirror = "http://127.0.0.1:" + server.getAddress().getPort() + "/mnist/";
      int code = run("--data-dir", dir.toString(), "fetch", "mnist", "--mirror", mirror);
      assertThat(code).isEqualTo(FetchCommand.EXIT_FAILED);
      assertThat(err.toString()).contains("train-images-idx3-ubyte.gz").contains("checksum mismatch");
      assertThat(err.toString()).contains("100%");
      try (Stream<Path> files = Files.walk(dir)) {
        assertThat(files.filter(Files::isRegularFile).toList()).isEmpty();
      }
    } finally {
      server.stop(0);
    }
  }

  @Test
  void offlineFetchSaysWhereToPutTheFiles() throws IOException {
    int port;
    try (var s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    int code = run("--data-dir", dir.toString(), "fetch", "fashion-mnist", "--mirror", "http://127.0.0.1:" + port);
    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains("offline").contains(dir.resolve("fashion-mnist/train-images-idx3-ubyte.gz").toString())
        .contains("t10k-labels-idx1-ubyte.gz").contains(KnownDataset.FASHION_MNIST.downloads().get(3).sha256());
  }

  private static void writeMnist(Path d, int nTrain, int nTest) throws IOException {
    Files.createDirectories(d);
    for (String prefix : new String[] {"train", "t10k"}) {
      int n = prefix.equals("train") ? nTrain : nTest;
      Files.write(d.resolve(prefix + "-images-idx3-ubyte.gz"), gzip(idx(new int[] {n, 28, 28}, new byte[n * 784])));
      byte[] labels = new byte[n];
      for (int i = 0; i < n; i++) {
        labels[i] = (byte) (i % 10);
      }
      Files.write(d.resolve(prefix + "-labels-idx1-ubyte.gz"), gzip(idx(new int[] {n}, labels)));
    }
  }

  private static byte[] idx(int[] dims, byte[] data) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(new byte[] {0, 0, 8, (byte) dims.length});
    for (int v : dims) {
      b.writeBytes(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
    }
    b.writeBytes(data);
    return b.toByteArray();
  }

  private static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(b)) {
      gz.write(data);
    }
    return b.toByteArray();
  }
}
