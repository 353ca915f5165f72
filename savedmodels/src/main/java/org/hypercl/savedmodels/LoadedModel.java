package org.hypercl.savedmodels;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.proto.ConfigProto;

/**
 * One SavedModel version loaded for inference. Calls may come from any number of threads (a
 * TensorFlow session runs concurrent calls); {@link #close} waits for calls in flight and makes
 * later calls fail cleanly instead of touching freed native memory.
 */
public final class LoadedModel implements AutoCloseable {

  private final String name;
  private final long version;
  private final Path dir;
  private final SavedModelBundle bundle;
  private final Map<String, SessionFunction> functions;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean closed;

  private LoadedModel(String name, long version, Path dir, SavedModelBundle bundle) {
    this.name = name;
    this.version = version;
    this.dir = dir;
    this.bundle = bundle;
    Map<String, SessionFunction> f = new LinkedHashMap<>();
    for (SessionFunction fn : bundle.functions()) {
      f.put(fn.signature().key(), fn);
    }
    this.functions = Collections.unmodifiableMap(f);
  }

  /**
   * Loads the SavedModel in {@code dir} (tag {@code serve}).
   *
   * @param config session options (threads), or null for TensorFlow's defaults
   */
  public static LoadedModel load(String name, long version, Path dir, ConfigProto config) {
    if (!java.nio.file.Files.isRegularFile(dir.resolve("saved_model.pb"))) {
      throw new IllegalArgumentException("no SavedModel in " + dir + ": saved_model.pb is missing");
    }
    SavedModelBundle.Loader loader = SavedModelBundle.loader(dir.toString()).withTags(SavedModelBundle.DEFAULT_TAG);
    if (config != null) {
      loader.withConfigProto(config);
    }
    try {
      return new LoadedModel(name, version, dir, loader.load());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("cannot load SavedModel " + dir + ": " + e.getMessage(), e);
    }
  }

  public String name() {
    return name;
  }

  public long version() {
    return version;
  }

  public Path dir() {
    return dir;
  }

  /** Signatures by key. */
  public Map<String, Signature> signatures() {
    Map<String, Signature> s = new LinkedHashMap<>();
    functions.forEach((k, f) -> s.put(k, f.signature()));
    return s;
  }

  public boolean hasSignature(String key) {
    return functions.containsKey(key);
  }

  public Signature signature(String key) {
    SessionFunction f = functions.get(key);
    if (f == null) {
      throw new IllegalArgumentException("model " + name + " has no signature '" + key + "'; it has " + functions.keySet());
    }
    return f.signature();
  }

  /**
   * Runs a signature. The caller owns (closes) the inputs and the returned result.
   *
   * @throws IllegalStateException if the model has been closed
   */
  public Result call(String key, Map<String, Tensor> inputs) {
    SessionFunction f = functions.get(key);
    if (f == null) {
      throw new IllegalArgumentException("model " + name + " has no signature '" + key + "'; it has " + functions.keySet());
    }
    lock.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("model " + name + " version " + version + " is closed");
      }
      return f.call(inputs);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The static size of dimension 0 of an operation's first output, if the graph has it and knows it. */
  java.util.OptionalLong staticRows(String operation) {
    var op = bundle.graph().operation(operation);
    if (op == null) {
      return java.util.OptionalLong.empty();
    }
    org.tensorflow.ndarray.Shape s = op.output(0).shape();
    return s.isUnknown() || s.numDimensions() == 0 || s.size(0) < 0
        ? java.util.OptionalLong.empty()
        : java.util.OptionalLong.of(s.size(0));
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        bundle.close();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }
}
