package io.strata.trie;

import java.util.Arrays;
import java.util.Objects;

/**
 * A 32-byte Keccak-256 hash: the name of a trie node and of a trie root. Immutable value type;
 * {@code equals} compares the bytes, {@code toString} is {@code 0x} and 64 lowercase hex digits.
 *
 * <p>Thread-safety: immutable, safe to share between threads.
 */
public final class Hash implements Comparable<Hash> {
  /** Length of a hash in bytes. */
  public static final int LENGTH = 32;

  /** Root of the empty trie: Keccak-256 of the RLP empty string ({@code 0x80}). */
  public static final Hash EMPTY_TRIE = new Hash(Keccak.hash(new byte[] {(byte) 0x80}));

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final byte[] bytes;
  private final int hashCode;

  private Hash(byte[] bytes) {
    this.bytes = bytes;
    this.hashCode = (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8
        | (bytes[3] & 0xff);
  }

  /**
   * The hash with these 32 bytes (copied).
   *
   * @throws NullPointerException if {@code bytes} is null
   * @throws IllegalArgumentException if {@code bytes} is not 32 bytes long
   */
  public static Hash of(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException("bytes: a hash is 32 bytes, got " + bytes.length);
    }
    return new Hash(bytes.clone());
  }

  /** Wraps an array the caller will never change again (no copy). */
  static Hash wrap(byte[] bytes) {
    return new Hash(bytes);
  }

  /** Keccak-256 of {@code data}: the hash Ethereum (and this trie) uses. */
  public static Hash keccak256(byte[] data) {
    Objects.requireNonNull(data, "data");
    return new Hash(Keccak.hash(data));
  }

  /**
   * Parses 64 hex digits, with or without a leading {@code 0x}, either case.
   *
   * @throws IllegalArgumentException if {@code hex} is not 64 hex digits
   */
  public static Hash fromHex(String hex) {
    Objects.requireNonNull(hex, "hex");
    String h = hex.startsWith("0x") || hex.startsWith("0X") ? hex.substring(2) : hex;
    if (h.length() != 2 * LENGTH) {
      throw new IllegalArgumentException(
          "hex: a hash is 64 hex digits, got " + h.length() + " in \"" + hex + "\"");
    }
    byte[] b = new byte[LENGTH];
    for (int i = 0; i < LENGTH; i++) {
      int hi = Character.digit(h.charAt(2 * i), 16);
      int lo = Character.digit(h.charAt(2 * i + 1), 16);
      if (hi < 0 || lo < 0) {
        throw new IllegalArgumentException("hex: not a hex digit at " + 2 * i + " in \"" + hex
            + "\"");
      }
      b[i] = (byte) (hi << 4 | lo);
    }
    return new Hash(b);
  }

  /** A copy of the 32 bytes. */
  public byte[] toBytes() {
    return bytes.clone();
  }

  /** The internal array: callers inside the package must not change it. */
  byte[] bytes() {
    return bytes;
  }

  boolean equalsBytes(byte[] other) {
    return Arrays.equals(bytes, other);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Hash h && hashCode == h.hashCode && Arrays.equals(bytes, h.bytes);
  }

  @Override
  public int hashCode() {
    return hashCode;
  }

  @Override
  public int compareTo(Hash o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  @Override
  public String toString() {
    return "0x" + hex(bytes);
  }

  static String hex(byte[] b) {
    char[] c = new char[2 * b.length];
    for (int i = 0; i < b.length; i++) {
      c[2 * i] = HEX[(b[i] >> 4) & 15];
      c[2 * i + 1] = HEX[b[i] & 15];
    }
    return new String(c);
  }
}
