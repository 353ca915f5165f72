package org.hypercl.graphs;

import java.util.List;
import java.util.Map;

/** Typed reads from the plain maps that specs are saved as, with messages naming the field. */
final class SpecValues {

  private SpecValues() {}

  private static Object get(Map<String, ?> m, String key) {
    Object v = m.get(key);
    if (v == null) {
      throw new IllegalArgumentException("missing field '" + key + "'");
    }
    return v;
  }

  static long longValue(Map<String, ?> m, String key) {
    Object v = get(m, key);
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      return n.longValue();
    }
    throw new IllegalArgumentException("field '" + key + "' must be an integer, got " + v);
  }

  static int intValue(Map<String, ?> m, String key) {
    long v = longValue(m, key);
    if (v != (int) v) {
      throw new IllegalArgumentException("field '" + key + "' is out of range: " + v);
    }
    return (int) v;
  }

  static float floatValue(Map<String, ?> m, String key) {
    Object v = get(m, key);
    if (v instanceof Number n) {
      return n.floatValue();
    }
    throw new IllegalArgumentException("field '" + key + "' must be a number, got " + v);
  }

  static String string(Map<String, ?> m, String key) {
    Object v = get(m, key);
    if (v instanceof String s) {
      return s;
    }
    throw new IllegalArgumentException("field '" + key + "' must be a string, got " + v);
  }

  static int[] intArray(Map<String, ?> m, String key) {
    Object v = get(m, key);
    if (v instanceof int[] a) {
      return a.clone();
    }
    if (v instanceof List<?> list) {
      int[] out = new int[list.size()];
      for (int i = 0; i < out.length; i++) {
        if (!(list.get(i) instanceof Number n)) {
          throw new IllegalArgumentException("field '" + key + "' must hold integers, got " + list.get(i));
        }
        out[i] = n.intValue();
      }
      return out;
    }
    throw new IllegalArgumentException("field '" + key + "' must be a list of integers, got " + v);
  }
}
