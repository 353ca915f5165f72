package org.hypercl.tools.report;

import java.util.Locale;

/**
 * How numbers of each metric are written in tables and plots: accuracy in percent with fixed
 * decimals, MSE with significant digits (its values span decades). NaN is written as "-".
 */
final class MetricFormat {

  static final String MISSING = "-";

  private MetricFormat() {}

  /** A table value: 99.23 or 0.004190. */
  static String value(String metric, double v) {
    if (!Double.isFinite(v)) {
      return MISSING;
    }
    return isAccuracy(metric) ? String.format(Locale.ROOT, "%.2f", v) : String.format(Locale.ROOT, "%.4g", v);
  }

  /** A difference such as BWT, with its sign: -0.12 or +0.000614. */
  static String signed(String metric, double v) {
    if (!Double.isFinite(v)) {
      return MISSING;
    }
    return isAccuracy(metric) ? String.format(Locale.ROOT, "%+.2f", v) : String.format(Locale.ROOT, "%+.3g", v);
  }

  /** A short value for a heatmap cell or a bar label: 99.2 or 0.0042. */
  static String cell(String metric, double v) {
    if (!Double.isFinite(v)) {
      return "";
    }
    return isAccuracy(metric) ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2g", v);
  }

  static boolean isAccuracy(String metric) {
    return "accuracy".equals(metric);
  }
}
