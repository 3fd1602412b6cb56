package io.strata.lsm;

/** The root of the unchecked exceptions Strata throws for failures of the store itself. */
public class StrataException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StrataException(String message) {
    super(message);
  }

  public StrataException(String message, Throwable cause) {
    super(message, cause);
  }
}
