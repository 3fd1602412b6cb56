package io.strata.trie;

import java.util.Arrays;
import java.util.Objects;

/**
 * One key whose value differs between two tries ({@link StateStore#diff}, {@link Trie#diff}):
 * its value in the older trie and in the newer one, null where the key is absent (never both).
 * For a secure trie the key is the 32-byte Keccak-256 hash of the original key.
 *
 * <p>Immutable: arrays are copied in and out; equality compares contents.
 *
 * @param key the key (for a secure trie, its hash)
 * @param oldValue the value in the {@code from} trie, or null when the key is absent there
 * @param newValue the value in the {@code to} trie, or null when the key is absent there
 */
public record StateChange(byte[] key, byte[] oldValue, byte[] newValue) {
  /** Copies the arrays. */
  public StateChange {
    Objects.requireNonNull(key, "key");
    if (oldValue == null && newValue == null) {
      throw new IllegalArgumentException("oldValue and newValue: at least one must be present");
    }
    key = key.clone();
    oldValue = oldValue == null ? null : oldValue.clone();
    newValue = newValue == null ? null : newValue.clone();
  }

  @Override
  public byte[] key() {
    return key.clone();
  }

  @Override
  public byte[] oldValue() {
    return oldValue == null ? null : oldValue.clone();
  }

  @Override
  public byte[] newValue() {
    return newValue == null ? null : newValue.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StateChange c && Arrays.equals(key, c.key)
        && Arrays.equals(oldValue, c.oldValue) && Arrays.equals(newValue, c.newValue);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(key) + Arrays.hashCode(oldValue))
        + Arrays.hashCode(newValue);
  }

  @Override
  public String toString() {
    return "StateChange{0x" + Hash.hex(key) + ": "
        + (oldValue == null ? "absent" : "0x" + Hash.hex(oldValue)) + " -> "
        + (newValue == null ? "absent" : "0x" + Hash.hex(newValue)) + "}";
  }
}
