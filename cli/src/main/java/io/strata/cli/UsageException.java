package io.strata.cli;

/** A bad argument found after parsing (a key that is not hex, say): exit 2 with the usage. */
final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
