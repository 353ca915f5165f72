package org.hypercl.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.summary.SummaryWriter;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * Scalar events in TensorBoard's format ({@code events.out.tfevents.*}), written with TF's own
 * summary ops in a small graph of their own, so logging never touches the training graph.
 */
public final class TensorBoardLog implements AutoCloseable {

  private final Graph graph = new Graph();
  private final Session session;
  private final Placeholder<TInt64> step;
  private final Placeholder<TString> tag;
  private final Placeholder<TFloat32> value;
  private final Op write;
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
