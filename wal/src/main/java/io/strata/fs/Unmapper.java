package io.strata.fs;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;

/**
 * Unmaps a read-only file mapping at once, instead of when the garbage collector finds its buffer
 * unreachable: a table deleted by a compaction gives its disk space back when its reader closes,
 * not after a full collection, which may be hours away for a buffer in the old generation.
 *
 * <p>Java 17 has no public way to unmap: this uses {@code sun.misc.Unsafe.invokeCleaner} (module
 * {@code jdk.unsupported}, part of every JDK), found once by reflection. Where it is missing the
 * mapping is left to the collector, as before. The caller guarantees that no thread reads the
 * buffer from the call on: a read of an unmapped buffer may crash the JVM.
 *
 * <p>Thread-safe (stateless after class initialization).
 */
final class Unmapper {
  private Unmapper() {}

  /** {@code invokeCleaner(ByteBuffer)} bound to the Unsafe instance, or null when unavailable. */
  private static final MethodHandle CLEANER = find();

  private static MethodHandle find() {
    try {
      Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
      Field f = unsafeClass.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      Object unsafe = f.get(null);
      return MethodHandles.lookup()
          .findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class,
              ByteBuffer.class))
          .bindTo(unsafe);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /** Whether mappings are unmapped at once (else by the garbage collector). */
  static boolean available() {
    return CLEANER != null;
  }

  /** Unmaps {@code buffer} now when possible; no thread may read it afterwards. */
  static void unmap(MappedByteBuffer buffer) {
    if (CLEANER == null) {
      return;
    }
    try {
      CLEANER.invokeExact((ByteBuffer) buffer);
    } catch (Throwable e) {
      // left to the collector: unmapping early is an optimization, never needed for correctness
    }
  }
}
