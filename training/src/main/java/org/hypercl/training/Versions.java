package org.hypercl.training;

/** Version strings for provenance. */
public final class Versions {

  private Versions() {}

  /** This library's version, from the jar manifest when packaged. */
  public static String hypercl() {
    String v = Versions.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
