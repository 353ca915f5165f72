package org.hypercl.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.hypercl.graphs.HypernetworkSpec;
import org.hypercl.graphs.TargetSpec;
import org.hypercl.graphs.TaskInference;

/** JSON files, written atomically (see {@link AtomicFiles}). */
public final class JsonFiles {

  /**
   * The one mapper of run files. Network specs (graphs records with derived accessors) are written
   * as their {@code toMap} form and read back by {@code fromMap}, the same form the savedmodels
   * module reads, so there is one JSON shape for each.
   */
  public static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).registerModule(specs());

  private static com.fasterxml.jackson.databind.module.SimpleModule specs() {
    var m = new com.fasterxml.jackson.databind.module.SimpleModule("hypercl-specs");
    m.addSerializer(HypernetworkSpec.class, new MapSerializer<>(HypernetworkSpec.class, HypernetworkSpec::toMap));
    m.addDeserializer(HypernetworkSpec.class, new MapDeserializer<>(HypernetworkSpec.class, HypernetworkSpec::fromMap));
    m.addSerializer(TargetSpec.class, new MapSerializer<>(TargetSpec.class, TargetSpec::toMap));
    m.addDeserializer(TargetSpec.class, new MapDeserializer<>(TargetSpec.class, TargetSpec::fromMap));
    m.addSerializer(TaskInference.Score.class, new com.fasterxml.jackson.databind.ser.std.StdSerializer<>(TaskInference.Score.class) {
      @Override
      public void serialize(TaskInference.Score value, com.fasterxml.jackson.core.JsonGenerator gen,
          com.fasterxml.jackson.databind.SerializerProvider p) throws IOException {
        gen.writeString(value.id());
      }
    });
    m.addDeserializer(TaskInference.Score.class, new com.fasterxml.jackson.databind.deser.std.StdDeserializer<>(TaskInference.Score.class) {
      @Override
      public TaskInference.Score deserialize(com.fasterxml.jackson.core.JsonParser p,
          com.fasterxml.jackson.databind.DeserializationContext c) throws IOException {
        try {
          return TaskInference.Score.parse(p.getValueAsString(""));
        } catch (IllegalArgumentException e) {
          throw com.fasterxml.jackson.databind.JsonMappingException.from(p, e.getMessage(), e);
        }
      }
    });
    return m;
  }

  /** Writes a value as the map {@code toMap} gives. */
  private static final class MapSerializer<T> extends com.fasterxml.jackson.databind.ser.std.StdSerializer<T> {
    private final java.util.function.Function<T, java.util.Map<String, Object>> toMap;

    MapSerializer(Class<T> type, java.util.function.Function<T, java.util.Map<String, Object>> toMap) {
      super(type);
      this.toMap = toMap;
    }

    @Override
    public void serialize(T value, com.fasterxml.jackson.core.JsonGenerator gen, com.fasterxml.jackson.databind.SerializerProvider p)
        throws IOException {
      p.defaultSerializeValue(toMap.apply(value), gen);
    }
  }

  /** Reads a value from the map {@code fromMap} takes, its message naming the bad field. */
  private static final class MapDeserializer<T> extends com.fasterxml.jackson.databind.deser.std.StdDeserializer<T> {
    private final java.util.function.Function<java.util.Map<String, ?>, T> fromMap;

    MapDeserializer(Class<T> type, java.util.function.Function<java.util.Map<String, ?>, T> fromMap) {
      super(type);
      this.fromMap = fromMap;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T deserialize(com.fasterxml.jackson.core.JsonParser p, com.fasterxml.jackson.databind.DeserializationContext c)
        throws IOException {
      java.util.Map<String, Object> map = p.readValueAs(java.util.Map.class);
      try {
        return fromMap.apply(map);
      } catch (IllegalArgumentException e) {
        throw com.fasterxml.jackson.databind.JsonMappingException.from(p, handledType().getSimpleName() + ": " + e.getMessage(), e);
      }
    }
  }

  private JsonFiles() {}

  public static void write(Path file, Object value) {
    try {
      AtomicFiles.write(file, MAPPER.writeValueAsBytes(value));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  public static JsonNode read(Path file) {
    try {
      return MAPPER.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
