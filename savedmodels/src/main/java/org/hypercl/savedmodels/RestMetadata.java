package org.hypercl.savedmodels;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Signature;

/** The status and metadata answers, shaped as TF Serving's REST API shapes them. */
final class RestMetadata {

  private RestMetadata() {}

  static Map<String, Object> status(Collection<Long> versions) {
    List<Object> list = new ArrayList<>();
    for (long v : versions) {
      list.add(Map.of(
          "version", Long.toString(v),
          "state", "AVAILABLE",
          "status", Map.of("error_code", "OK", "error_message", "")));
    }
    return Map.of("model_version_status", list);
  }

  static Map<String, Object> metadata(String name, long version, LoadedModel model) {
    Map<String, Object> defs = new LinkedHashMap<>();
    model.signatures().forEach((k, s) -> defs.put(k, signatureDef(s)));
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("name", name);
    spec.put("signature_name", "");
    spec.put("version", Long.toString(version));
    return Map.of("model_spec", spec, "metadata", Map.of("signature_def", Map.of("signature_def", defs)));
  }

  private static Map<String, Object> signatureDef(Signature s) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("inputs", tensors(s.getInputs()));
    d.put("outputs", tensors(s.getOutputs()));
    d.put("method_name", s.methodName());
    return d;
  }

  private static Map<String, Object> tensors(Map<String, Signature.TensorDescription> ts) {
    Map<String, Object> out = new LinkedHashMap<>();
    ts.forEach((k, t) -> {
      Map<String, Object> info = new LinkedHashMap<>();
      info.put("dtype", t.dataType.name());
      List<Object> dims = new ArrayList<>();
      if (!t.shape.isUnknown()) {
        for (int i = 0; i < t.shape.numDimensions(); i++) {
          dims.add(Map.of("size", Long.toString(t.shape.size(i)), "name", ""));
        }
      }
      info.put("tensor_shape", Map.of("dim", dims, "unknown_rank", t.shape.isUnknown()));
      info.put("name", t.name);
      out.put(k, info);
    });
    return out;
  }
}
