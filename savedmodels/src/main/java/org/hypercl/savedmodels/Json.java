package org.hypercl.savedmodels;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.hypercl.graphs.TempFiles;

/** JSON reading and atomic writing for this module's files. */
final class Json {

  static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS);

  /**
   * The server's requests and answers: compact, and non-finite numbers as TF Serving has them: the
   * literals {@code NaN}, {@code Infinity} and {@code -Infinity} are read as numbers and written
   * bare (not JSON strictly, as TF Serving's are not). Files keep strict JSON ({@link #MAPPER}).
   */
  static final ObjectMapper COMPACT = MAPPER.copy().disable(SerializationFeature.INDENT_OUTPUT)
      .enable(JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS);

  static {
    // Deeply nested arrays are legitimate tensors but a few hundred levels is enough.
    COMPACT.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
    // The server's cost per request is mostly reading and writing numbers: JDK's FloatingDecimal
    // was ~15% of its Java CPU time on a 784-float request. Both fast paths round exactly as
    // Double.parseDouble / Float.toString do.
    COMPACT.enable(JsonParser.Feature.USE_FAST_DOUBLE_PARSER);
    COMPACT.getFactory().enable(com.fasterxml.jackson.core.JsonGenerator.Feature.USE_FAST_DOUBLE_WRITER);
    COMPACT.getFactory().disable(com.fasterxml.jackson.core.JsonGenerator.Feature.QUOTE_NON_NUMERIC_NUMBERS);
  }

  private Json() {}

  static JsonNode read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(file + " is missing");
    }
    try {
      return MAPPER.readTree(file.toFile());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Writes {@code value} to {@code file} through a temporary file and a rename. */
  static void write(Path file, Object value) {
    try {
      byte[] bytes = MAPPER.writeValueAsBytes(value);
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = TempFiles.createFile(dir, "." + file.getFileName(), ".tmp");
      try {
        Files.write(tmp, bytes);
        try {
          Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** A required object field of {@code node}, read from {@code file} (named in the message). */
  static JsonNode field(JsonNode node, String name, Path file) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull() || v.isMissingNode()) {
      throw new IllegalArgumentException(file + ": missing field '" + name + "'");
    }
    return v;
  }

  static int intField(JsonNode node, String name, Path file) {
    JsonNode v = field(node, name, file);
    if (!v.canConvertToExactIntegral() || !v.canConvertToInt()) {
      throw new IllegalArgumentException(file + ": field '" + name + "' must be an integer, got " + v);
    }
    return v.asInt();
  }

  static String textField(JsonNode node, String name, Path file) {
    JsonNode v = field(node, name, file);
    if (!v.isTextual()) {
      throw new IllegalArgumentException(file + ": field '" + name + "' must be a string, got " + v);
    }
    return v.asText();
  }
}
