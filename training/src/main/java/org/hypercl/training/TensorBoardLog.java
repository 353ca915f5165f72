package org.hypercl.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.summary.SummaryWriter;
import org.tensorflow.op.summary.WriteImageSummary;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.SessionLog;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * Scalar and image events in TensorBoard's format ({@code events.out.tfevents.*}), written with TF's own
 * summary ops in a small graph of their own, so logging never touches the training graph.
 */
public final class TensorBoardLog implements AutoCloseable {

  private final Graph graph = new Graph();
  private final Session session;
  private final Placeholder<TInt64> step;
  private final Placeholder<TString> tag;
  private final Placeholder<TFloat32> value;
  private final Placeholder<TString> event;
  private final Op write;
  private final Op writeEvent;
  private final Placeholder<TUint8> image;
  private final Op writeImage;
  private final Op flush;
  private final Op closeWriter;

  public TensorBoardLog(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create event folder " + dir + ": " + e.getMessage(), e);
    }
    Session s = null;
    try {
      Ops tf = Ops.create(graph);
      SummaryWriter writer = tf.summary.summaryWriter(SummaryWriter.sharedName("events_" + System.identityHashCode(this)));
      Op create =
          tf.summary.createSummaryFileWriter(
              writer, tf.constant(dir.toAbsolutePath().toString()), tf.constant(100), tf.constant(10_000), tf.constant(".hypercl"));
      step = tf.placeholder(TInt64.class);
      tag = tf.placeholder(TString.class);
      value = tf.placeholder(TFloat32.class);
      write = tf.summary.writeScalarSummary(writer, step, tag, value);
      image = tf.placeholder(TUint8.class);
      writeImage = tf.summary.writeImageSummary(writer, step, tag, image, tf.constant(new byte[] {(byte) 255}),
          WriteImageSummary.maxImages(1L));
      event = tf.placeholder(TString.class);
      writeEvent = tf.summary.importEvent(writer, event);
      flush = tf.summary.flushSummaryWriter(writer);
      closeWriter = tf.summary.closeSummaryWriter(writer);
      s = new Session(graph);
      s.run(create);
      session = s;
    } catch (RuntimeException e) {
      if (s != null) {
        s.close();
      }
      graph.close();
      throw e;
    }
  }

  /** Records {@code tag = v} at global step {@code globalStep}. */
  public void scalar(String name, long globalStep, float v) {
    try (TInt64 s = TInt64.scalarOf(globalStep);
        TString t = TString.scalarOf(name);
        TFloat32 x = TFloat32.scalarOf(v)) {
      session.runner().feed(step, s).feed(tag, t).feed(value, x).addTarget(write).run().close();
    }
  }

  /** Records a grayscale picture under {@code name} at global step {@code globalStep} (TensorBoard's images). */
  public void image(String name, long globalStep, Picture p) {
    try (TInt64 s = TInt64.scalarOf(globalStep);
        TString t = TString.scalarOf(name);
        TUint8 x = TUint8.tensorOf(org.tensorflow.ndarray.Shape.of(1, p.height(), p.width(), 1),
            org.tensorflow.ndarray.buffer.DataBuffers.of(p.gray(), true, false))) {
      session.runner().feed(step, s).feed(tag, t).feed(image, x).addTarget(writeImage).run().close();
    }
  }

  /**
   * Records that training (re)starts at {@code globalStep}: an Event whose {@code session_log} is
   * {@code START}, at that step, stamped with the current time, flushed at once. TensorBoard, on
   * reading one, drops every event it read before (from this run's earlier event files too) whose
   * step is {@code >= globalStep}, so what a killed process logged past the checkpoint a resumed
   * run continues from does not overlap the resumed curves.
   */
  public void sessionStart(long globalStep) {
    byte[] bytes =
        Event.newBuilder()
            .setWallTime(System.currentTimeMillis() / 1000.0)
            .setStep(globalStep)
            .setSessionLog(SessionLog.newBuilder().setStatus(SessionLog.SessionStatus.START))
            .build()
            .toByteArray();
    try (TString e = TString.tensorOfBytes(NdArrays.scalarOfObject(bytes))) {
      session.runner().feed(event, e).addTarget(writeEvent).run().close();
    }
    flush();
  }

  public void flush() {
    session.run(flush);
  }

  @Override
  public void close() {
    try {
      session.run(closeWriter);
    } finally {
      session.close();
      graph.close();
    }
  }
}
