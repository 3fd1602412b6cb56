package io.strata.trie;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Small-alphabet generators, so that keys share prefixes and collide often. */
final class Gen {
  private Gen() {}

  /** Keys of 0 to 4 bytes from five byte values (nibbles 0, 1 and f). */
  static Arbitrary<byte[]> keys() {
    return Arbitraries.of((byte) 0x00, (byte) 0x01, (byte) 0x10, (byte) 0x11, (byte) 0xff)
        .list().ofMinSize(0).ofMaxSize(4).map(Gen::toArray);
  }

  /** Values of 1 to 3 or 20 to 60 bytes: nodes both embedded (under 32 bytes) and hashed. */
  static Arbitrary<byte[]> values() {
    return Arbitraries.oneOf(
        Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(3),
        Arbitraries.bytes().array(byte[].class).ofMinSize(20).ofMaxSize(60));
  }

  /** A put (value non-null) or a remove (value null). */
  record Op(byte[] key, byte[] value) {
    @Override
    public String toString() {
      return (value == null ? "remove " : "put ") + Hash.hex(key)
          + (value == null ? "" : "=" + Hash.hex(value));
    }
  }

  static Arbitrary<List<Op>> ops() {
    Arbitrary<Op> put = Combinators.combine(keys(), values()).as(Op::new);
    Arbitrary<Op> remove = keys().map(k -> new Op(k, null));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(3, put), net.jqwik.api.Tuple.of(1, remove))
        .list().ofMinSize(0).ofMaxSize(40);
  }

  static Trie apply(Trie t, List<Op> ops) {
    for (Op op : ops) {
      t = op.value == null ? t.remove(op.key) : t.put(op.key, op.value);
    }
    return t;
  }

  static java.util.TreeMap<byte[], byte[]> model(List<Op> ops, boolean secure) {
    java.util.TreeMap<byte[], byte[]> m = new java.util.TreeMap<>(java.util.Arrays::compareUnsigned);
    for (Op op : ops) {
      byte[] k = secure ? Hash.keccak256(op.key).toBytes() : op.key;
      if (op.value == null) {
        m.remove(k);
      } else {
        m.put(k, op.value);
      }
    }
    return m;
  }

  private static byte[] toArray(List<Byte> l) {
    byte[] b = new byte[l.size()];
    for (int i = 0; i < b.length; i++) {
      b[i] = l.get(i);
    }
    return b;
  }
}
