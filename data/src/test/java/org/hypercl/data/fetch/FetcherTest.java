package org.hypercl.data.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.hypercl.data.TestData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FetcherTest {
  @TempDir Path dir;

  private byte[] content;
  private LoopbackServer server;
  private final List<String> messages = new ArrayList<>();
  private final List<long[]> progress = new ArrayList<>();
  private final FetchListener listener = new FetchListener() {
    @Override
    public void info(String message) {
      messages.add(message);
    }

    @Override
    public void progress(String file, long done, long total) {
      progress.add(new long[] {done, total});
    }
  };
  private Fetcher fetcher;

  @BeforeEach
  void start() throws IOException {
    content = new byte[300_000];
    new Random(9).nextBytes(content);
    server = new LoopbackServer(content);
    fetcher = new Fetcher(listener, 5_000, 5_000);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private RemoteFile remote(URI... urls) {
    return new RemoteFile("data.bin", List.of(urls), content.length, sha256(content));
  }

  static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private List<String> leftovers() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void downloadsVerifiesAndRenames() throws IOException {
    Path out = fetcher.download(remote(server.uri("/files/data.bin")), dir);
    assertThat(out).isEqualTo(dir.resolve("data.bin"));
    assertThat(Files.readAllBytes(out)).isEqualTo(content);
    assertThat(leftovers()).containsExactly("data.bin");
    assertThat(progress).isNotEmpty();
    assertThat(progress.get(progress.size() - 1)).containsExactly(content.length, content.length);
    assertThat(messages).anyMatch(m -> m.contains("verified"));
  }

  @Test
  void corruptedDownloadIsRejectedAndNothingIsLeft() throws IOException {
    byte[] bad = content.clone();
    bad[1234] ^= 1;
    server.body = bad;
    FetchException e = assertThrows(FetchException.class, () -> fetcher.download(remote(server.uri("/x")), dir));
    assertThat(e.getMessage()).contains("data.bin").contains("checksum mismatch").contains(sha256(content))
        .contains(sha256(bad));
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void resumesAnInterruptedDownloadWithARangeRequest() throws IOException {
    server.cutAfter = 100_000;
    FetchException e = assertThrows(FetchException.class, () -> fetcher.download(remote(server.uri("/x")), dir));
    assertThat(e.getMessage()).contains("run").contains("again");
    assertThat(leftovers()).containsExactly("data.bin.part");
    long partial = Files.size(dir.resolve("data.bin.part"));
    assertThat(partial).isGreaterThan(0).isLessThan(content.length);

    Path out = fetcher.download(remote(server.uri("/x")), dir);
    assertThat(Files.readAllBytes(out)).isEqualTo(content);
    assertThat(server.rangeHeaders.get(server.rangeHeaders.size() - 1)).isEqualTo("bytes=" + partial + "-");
    assertThat(server.bytesSent.get()).isEqualTo(100_000 + content.length - (int) partial);
    assertThat(leftovers()).containsExactly("data.bin");
  }

  @Test
  void droppedConnectionKeepsThePartialFileForResuming() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Thread t = new Thread(() -> {
        try (var client = socket.accept(); var out = client.getOutputStream()) {
          client.getInputStream().read(new byte[4096]);
          out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + content.length + "\r\n\r\n")
              .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
          out.write(content, 0, 50_000);
          out.flush();
          client.setSoLinger(true, 0); // reset, like a dropped link
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      t.start();
      FetchException e = assertThrows(FetchException.class, () -> fetcher.download(
          remote(URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/x")), dir));
      t.join();
      assertThat(e.getMessage()).contains("data.bin").contains("resume");
      assertThat(leftovers()).containsExactly("data.bin.part");
      assertThat(Files.size(dir.resolve("data.bin.part"))).isEqualTo(50_000);
    }
    Path out = fetcher.download(remote(server.uri("/x")), dir);
    assertThat(Files.readAllBytes(out)).isEqualTo(content);
    assertThat(server.rangeHeaders).containsExactly("bytes=50000-");
  }

  @Test
  void restartsWhenTheServerIgnoresRanges() throws IOException {
    server.supportRanges = false;
    Files.write(dir.resolve("data.bin.part"), new byte[5000]); // garbage prefix
    Path out = fetcher.download(remote(server.uri("/x")), dir);
    assertThat(Files.readAllBytes(out)).isEqualTo(content);
    assertThat(leftovers()).containsExactly("data.bin");
  }

  @Test
  void aBadPartialFileFailsVerificationOnceThenTheNextRunStartsClean() throws IOException {
    Files.write(dir.resolve("data.bin.part"), new byte[5000]); // not a prefix of the real file
    assertThrows(FetchException.class, () -> fetcher.download(remote(server.uri("/x")), dir));
    assertThat(leftovers()).isEmpty();
    Path out = fetcher.download(remote(server.uri("/x")), dir);
    assertThat(Files.readAllBytes(out)).isEqualTo(content);
  }

  @Test
  void completePartialFileIsVerifiedWithoutDownloading() throws IOException {
    Files.write(dir.resolve("data.bin.part"), content);
    fetcher.download(remote(server.uri("/x")), dir);
    assertThat(server.requests.get()).isZero();
    assertThat(leftovers()).containsExactly("data.bin");
  }

  @Test
  void presentVerifiedFileIsNotDownloadedAgain() throws IOException {
    Files.write(dir.resolve("data.bin"), content);
    fetcher.download(remote(server.uri("/x")), dir);
    assertThat(server.requests.get()).isZero();
    assertThat(messages).anyMatch(m -> m.contains("already present"));
  }

  @Test
  void presentButCorruptFileIsReplaced() throws IOException {
    Files.write(dir.resolve("data.bin"), new byte[] {1, 2, 3});
    fetcher.download(remote(server.uri("/x")), dir);
    assertThat(Files.readAllBytes(dir.resolve("data.bin"))).isEqualTo(content);
  }

  @Test
  void oversizedResponseIsRejected() throws IOException {
    byte[] longer = new byte[content.length + 10];
    System.arraycopy(content, 0, longer, 0, content.length);
    server.body = longer;
    FetchException e = assertThrows(FetchException.class, () -> fetcher.download(remote(server.uri("/x")), dir));
    assertThat(e.getMessage()).contains("more than the expected");
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void httpErrorIsReported() {
    server.status = 404;
    FetchException e = assertThrows(FetchException.class, () -> fetcher.download(remote(server.uri("/x")), dir));
    assertThat(e.getMessage()).contains("HTTP 404").contains("data.bin");
  }

  @Test
  void offlineSaysWhereToPutTheFile() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    FetchException e = assertThrows(FetchException.class,
        () -> fetcher.download(remote(URI.create("http://127.0.0.1:" + port + "/data.bin")), dir));
    assertThat(e.getMessage()).contains("could not download").contains("offline")
        .contains(dir.resolve("data.bin").toString()).contains(sha256(content));
    assertThat(leftovers()).isEmpty();
  }

  @Test
  void fallsBackToTheNextSourceAndFollowsRedirects() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    RemoteFile f = remote(URI.create("http://127.0.0.1:" + port + "/down"), server.uri("/redirect/data.bin"));
    assertThat(Files.readAllBytes(fetcher.download(f, dir))).isEqualTo(content);
  }

  @Test
  void mirrorReplacesTheAddress() {
    RemoteFile f = KnownDataset.MNIST.downloads().get(0).fromMirror(URI.create("http://127.0.0.1:1/m"));
    assertThat(f.urls()).containsExactly(URI.create("http://127.0.0.1:1/m/train-images-idx3-ubyte.gz"));
    assertThat(f.sha256()).isEqualTo(KnownDataset.MNIST.downloads().get(0).sha256());
  }

  @Test
  void unpacksOnlyTheArchiveFolderAtomically() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("cifar-10-batches-bin/data_batch_1.bin", new byte[] {1, 2, 3});
    entries.put("cifar-10-batches-bin/readme.html", new byte[] {4});
    entries.put("cifar-10-batches-bin/../evil.bin", new byte[] {6});
    entries.put("other/test_batch.bin", new byte[] {5});
    Path archive = TestData.write(dir.resolve("a.tar.gz"), TestData.tarGz(entries));
    fetcher.unpack(archive, "cifar-10-batches-bin", dir, List.of("data_batch_1.bin"));
    Path dest = dir.resolve("cifar-10-batches-bin");
    assertThat(Files.readAllBytes(dest.resolve("data_batch_1.bin"))).containsExactly(1, 2, 3);
    try (Stream<Path> s = Files.list(dest)) {
      assertThat(s.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("data_batch_1.bin", "readme.html");
    }
    assertThat(leftovers()).containsExactly("a.tar.gz", "cifar-10-batches-bin");
  }

  @Test
  void theUnpackedFolderHasTheUmasksPermissions() throws IOException {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "needs POSIX permissions");
    Path probe = Files.createDirectory(dir.resolve("probe"));
    Set<PosixFilePermission> plain = Files.getPosixFilePermissions(probe);
    Files.delete(probe);
    assumeTrue(plain.contains(PosixFilePermission.OTHERS_EXECUTE), "umask leaves new folders open to others");
    Path archive = TestData.write(dir.resolve("a.tar.gz"),
        TestData.tarGz(Map.of("cifar-10-batches-bin/data_batch_1.bin", new byte[] {1})));
    fetcher.unpack(archive, "cifar-10-batches-bin", dir, List.of("data_batch_1.bin"));
    assertThat(Files.getPosixFilePermissions(dir.resolve("cifar-10-batches-bin"))).isEqualTo(plain);
  }

  @Test
  void unpackFailsCleanlyWhenFilesAreMissingOrTheArchiveIsTruncated() throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("cifar-10-batches-bin/data_batch_1.bin", new byte[2000]);
    Path archive = TestData.write(dir.resolve("a.tar.gz"), TestData.tarGz(entries));
    FetchException e = assertThrows(FetchException.class,
        () -> fetcher.unpack(archive, "cifar-10-batches-bin", dir, List.of("data_batch_1.bin", "test_batch.bin")));
    assertThat(e.getMessage()).contains("test_batch.bin");
    assertThat(leftovers()).containsExactly("a.tar.gz");

    byte[] whole = TestData.tarGz(entries);
    byte[] raw = new byte[0];
    try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(whole))) {
      raw = in.readAllBytes();
    }
    Path cut = TestData.write(dir.resolve("cut.tar.gz"), TestData.gzip(java.util.Arrays.copyOf(raw, 1000)));
    assertThrows(FetchException.class, () -> fetcher.unpack(cut, "cifar-10-batches-bin", dir, List.of("data_batch_1.bin")));
    assertThat(leftovers()).containsExactly("a.tar.gz", "cut.tar.gz");
  }
}
