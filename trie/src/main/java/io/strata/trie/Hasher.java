package io.strata.trie;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * Computes node references bottom-up: a node's children first, then its RLP encoding, written
 * into a per-thread buffer that is reused, then either kept (under 32 bytes: embedded in the
 * parent) or hashed. Clean subtrees keep their cached reference and are not visited. For a large
 * batch of updates the dirty children of the root branch are hashed in parallel on a pool with
 * one thread per processor.
 *
 * <p>Thread-safety: static methods; any number of threads may hash tries that share nodes (they
 * compute equal references).
 */
final class Hasher {
  private static final ThreadLocal<Buffer> BUFFER = ThreadLocal.withInitial(Buffer::new);

  private static volatile ForkJoinPool pool;

  private Hasher() {}

  /** A growable byte array, one per thread. */
  static final class Buffer {
    byte[] bytes = new byte[1024];

    byte[] ensure(int n) {
      if (bytes.length < n) {
        bytes = new byte[Math.max(n, bytes.length * 2)];
      }
      return bytes;
    }
  }

  /** The hash of the root: the Keccak-256 of its encoding even when that is under 32 bytes. */
  static Hash rootHash(Node root, boolean parallel) {
    return rootHash(root, parallel, false);
  }

  /**
   * As {@link #rootHash(Node, boolean)}; with {@code keep}, every node hashed keeps its encoding
   * ({@link Node#encoding}) for the commit that follows (a trie of a store).
   */
  static Hash rootHash(Node root, boolean parallel, boolean keep) {
    if (root == null) {
      return Hash.EMPTY_TRIE;
    }
    if (parallel && root.ref == null) {
      hashChildrenInParallel(root, keep);
    }
    byte[] r = ref(root, keep);
    return r.length == 32 ? Hash.wrap(r) : Hash.wrap(Keccak.hash(r));
  }

  /** The node's reference, computing it and every missing reference below it. */
  static byte[] ref(Node n) {
    return ref(n, false);
  }

  /**
   * As {@link #ref(Node)}; with {@code keep}, each node hashed (32 bytes or more) keeps its
   * encoding in {@link Node#encoding}: one array the commit then writes as it is, instead of
   * encoding the node a second time.
   */
  static byte[] ref(Node n, boolean keep) {
    byte[] r = n.ref;
    if (r != null) {
      return r;
    }
    if (n instanceof BranchNode b) {
      for (Node c : b.children) {
        if (c != null && c.ref == null) {
          ref(c, keep);
        }
      }
    } else if (n instanceof ExtensionNode e) {
      if (e.child.ref == null) {
        ref(e.child, keep);
      }
    }
    int payload = n.payloadLength();
    int len = Rlp.headerLength(payload) + payload;
    if (len < 32) {
      byte[] out = new byte[len];
      n.encode(out, 0, payload);
      r = out;
    } else if (keep) {
      byte[] out = new byte[len];
      n.encode(out, 0, payload);
      r = Keccak.hash(out, 0, len);
      n.encoding = out; // before the volatile ref: whoever sees the ref sees this (or null)
    } else {
      byte[] out = BUFFER.get().ensure(len);
      int end = n.encode(out, 0, payload);
      assert end == len;
      r = Keccak.hash(out, 0, len);
    }
    if (n instanceof BranchNode b) {
      b.embedded = b.embeddedMask(); // the children's refs are in cache: the encoding read them
    }
    n.encodedSize = len;
    n.ref = r;
    return r;
  }

  /**
   * Encodes a node whose children's references are computed into this thread's buffer; returns
   * the buffer, valid until the thread's next encoding, holding {@code n.encodedLength()} bytes.
   */
  static byte[] encodeToBuffer(Node n, int len) {
    byte[] out = BUFFER.get().ensure(len);
    n.encode(out, 0);
    return out;
  }

  private static void hashChildrenInParallel(Node root, boolean keep) {
    Node n = root;
    if (n instanceof ExtensionNode e) {
      n = e.child;
    }
    if (!(n instanceof BranchNode b) || n.ref != null) {
      return;
    }
    List<ForkJoinTask<?>> tasks = new ArrayList<>(16);
    for (Node c : b.children) {
      if (c != null && c.ref == null) {
        tasks.add(new RecursiveAction() {
          private static final long serialVersionUID = 1L;

          @Override
          protected void compute() {
            ref(c, keep);
          }
        });
      }
    }
    if (tasks.size() < 2) {
      return;
    }
    pool().invoke(new RecursiveAction() {
      private static final long serialVersionUID = 1L;

      @Override
      protected void compute() {
        invokeAll(tasks);
      }
    });
  }

  /**
   * Hashes the roots of several tries (a block's account trie and its linked storage tries,
   * which hash independently) at once on the pool, when at least two of them are not hashed
   * yet; otherwise on the calling thread. Returns once every one is hashed. Tries that share
   * nodes are fine (see the class contract).
   */
  static void hashAll(List<Trie> tries) {
    List<Trie> dirty = new ArrayList<>();
    for (Trie t : tries) {
      if (!t.isHashed()) {
        dirty.add(t);
      }
    }
    if (dirty.size() < 2 || Runtime.getRuntime().availableProcessors() < 2) {
      dirty.forEach(Trie::rootHash);
      return;
    }
    List<ForkJoinTask<?>> tasks = new ArrayList<>(dirty.size());
    ForkJoinPool p = pool();
    for (Trie t : dirty) {
      tasks.add(p.submit(t::rootHash));
    }
    for (ForkJoinTask<?> task : tasks) {
      task.join();
    }
  }

  private static ForkJoinPool pool() {
    ForkJoinPool p = pool;
    if (p == null) {
      synchronized (Hasher.class) {
        p = pool;
        if (p == null) {
          p = new ForkJoinPool(Runtime.getRuntime().availableProcessors());
          pool = p;
        }
      }
    }
    return p;
  }
}
