package io.strata.trie;

/**
 * Applies many puts and removes to a {@link Trie} without copying per update: nodes it creates are
 * changed in place until {@link #build()}, and every node it does not touch is shared with the
 * trie it started from. Obtained from {@link Trie#update} or {@link Trie#updater()}.
 *
 * <p>Thread-safety: not thread-safe; one thread uses an updater. After {@link #build()} (or the
 * end of {@link Trie#update}) every method throws {@link IllegalStateException}.
 */
public final class TrieUpdater {
  private final Trie base;
  private Object edit = new Object();
  private TrieMutator mutator;
  private Node root;
  private int updates;

  TrieUpdater(Trie base) {
    this.base = base;
    this.root = base.root;
    this.mutator = new TrieMutator(edit, base.resolver());
  }

  private void checkOpen() {
    if (edit == null) {
      throw new IllegalStateException("this updater has already built its trie");
    }
  }

  /** Sets {@code key} to {@code value}; an empty value removes the key. */
  public TrieUpdater put(byte[] key, byte[] value) {
    checkOpen();
    byte[] path = base.path(key, "key");
    byte[] v = Trie.checkValue(value);
    root = v.length == 0 ? mutator.delete(root, path, 0) : mutator.insert(root, path, 0, v);
    updates++;
    return this;
  }

  /** Removes {@code key} (nothing happens when it is absent). */
  public TrieUpdater remove(byte[] key) {
    checkOpen();
    root = mutator.delete(root, base.path(key, "key"), 0);
    updates++;
    return this;
  }

  /** The value of {@code key} with the changes so far, or null. */
  public byte[] get(byte[] key) {
    checkOpen();
    byte[] v = Trie.get(root, base.path(key, "key"), base.resolver());
    return v == null ? null : v.clone();
  }

  /** The trie with every change applied; ends this updater. */
  public Trie build() {
    return finish();
  }

  Trie finish() {
    checkOpen();
    end();
    return base.with(root, updates);
  }

  /** Ends this updater without a result. */
  void end() {
    edit = null;
    mutator = null;
  }
}
