package io.strata.bloom;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class BloomFilterProperties {

  @Property
  void neverAFalseNegative(
      @ForAll @Size(max = 3000) List<@Size(max = 40) byte[]> keys,
      @ForAll @IntRange(min = 1, max = 24) int bitsPerKey) {
    BloomFilter.Builder b = BloomFilter.builder(bitsPerKey);
    keys.forEach(b::add);
    BloomFilter built = b.build();
    BloomFilter copy = BloomFilter.fromByteArray(built.toByteArray());
    BloomFilter view = BloomFilter.view(ByteBuffer.wrap(built.toByteArray()));
    for (byte[] k : keys) {
      assertTrue(built.mightContain(k), "built filter lost a key");
      assertTrue(copy.mightContain(k), "deserialized filter lost a key");
      assertTrue(view.mightContain(k), "view lost a key");
    }
  }

  @Property
  void randomBytesNeverGiveAnythingButIllegalArgument(@ForAll @Size(max = 300) byte[] junk) {
    try {
      BloomFilter f = BloomFilter.fromByteArray(junk);
      // accepted only when the header is consistent; then lookups must work
      f.mightContain(junk);
      assertTrue(junk.length == f.serializedSize());
    } catch (IllegalArgumentException expected) {
      assertTrue(expected.getMessage() != null && !expected.getMessage().isEmpty());
    }
  }
}
