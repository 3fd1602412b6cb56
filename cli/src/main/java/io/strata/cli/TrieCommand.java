package io.strata.cli;

import io.strata.lsm.Db;
import io.strata.trie.Hash;
import io.strata.trie.Proof;
import io.strata.trie.StateChange;
import io.strata.trie.StateOptions;
import io.strata.trie.StateStore;
import io.strata.trie.TrieShape;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Optional;
import java.util.OptionalLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code strata trie ...}: the trie state of a {@link StateStore}, through its public API only
 * ({@code latestBlock}, {@code rootAt}, {@code trie(root)}, {@code get}, {@code prove}, {@code
 * diff}, {@link TrieShape}), never the store's raw keys, whose layout is the trie module's
 * business. The Db underneath is opened read-only.
 */
@Command(name = "trie", description = "Read the trie state: roots, values, proofs, diffs, shape.",
    mixinStandardHelpOptions = true,
    subcommands = {TrieCommand.Roots.class, TrieCommand.Get.class, TrieCommand.Prove.class,
        TrieCommand.Diff.class, TrieCommand.Stats.class})
final class TrieCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing trie command");
  }

  /** Options shared by the trie commands: the store and whether its keys are hashed. */
  abstract static class TrieBase extends Base {
    @Option(names = "--secure", description = "The store is a secure trie (keys hashed).")
    boolean secure;

    StateStore open(Db db) {
      StateOptions o = secure ? StateOptions.secure() : StateOptions.defaults();
      try {
        return StateStore.on(db, o);
      } catch (UnsupportedOperationException readOnly) {
        // the store would have written its format record: there is none
        throw new io.strata.StrataException("the key-value store in " + db + " holds no trie"
            + " state (no format record)");
      }
    }

    /** The root {@code --root} gives, or that of {@code --block}, or of the latest block. */
    static Hash root(StateStore s, Long block, String root, String what) {
      if (root != null) {
        try {
          return Hash.fromHex(root.startsWith("0x") ? root.substring(2) : root);
        } catch (IllegalArgumentException e) {
          throw new UsageException(what + "root: " + e.getMessage());
        }
      }
      long b;
      if (block != null) {
        if (block < 0) {
          throw new UsageException(what + "block must be >= 0, got " + block);
        }
        b = block;
      } else {
        OptionalLong latest = s.latestBlock();
        if (latest.isEmpty()) {
          throw new io.strata.StrataException("no block was committed; pass --root");
        }
        b = latest.getAsLong();
      }
      Optional<Hash> h = s.rootAt(b);
      if (h.isEmpty()) {
        throw new UsageException("no root is recorded for block " + b);
      }
      return h.get();
    }
  }

  @Command(name = "roots", description = "Block numbers and their roots, latest first.",
      mixinStandardHelpOptions = true)
  static final class Roots extends TrieBase {
    @Parameters(paramLabel = "DIR") Path dir;

    @Option(names = "--limit", description = "At most this many blocks (default"
        + " ${DEFAULT-VALUE}).", defaultValue = "20")
    long limit;

    @Override
    public Integer call() {
      if (limit < 0) {
        throw new UsageException("--limit must be >= 0, got " + limit);
      }
      try (Db db = openReadOnly(dir); StateStore s = open(db)) {
        OptionalLong latest = s.latestBlock();
        Doc d = new Doc().put("latestBlock", latest.isPresent() ? latest.getAsLong() : null);
        d.list("roots");
        if (latest.isPresent()) {
          long shown = 0;
          for (long b = latest.getAsLong(); b >= 0 && shown < limit; b--) {
            Optional<Hash> h = s.rootAt(b);
            if (h.isPresent()) {
              d.row("roots").put("block", b).put("root", h.get().toString());
              shown++;
            }
          }
        }
        return emit(d, 0);
      }
    }
  }

  @Command(name = "get", description = "The value of a key at a block (default: the latest) or"
      + " root.", mixinStandardHelpOptions = true)
  static final class Get extends TrieBase {
    @Parameters(index = "0", paramLabel = "DIR") Path dir;

    @Parameters(index = "1", paramLabel = "KEY") String key;

    @Option(names = "--block", description = "The block number.") Long block;

    @Option(names = "--root", description = "The root hash (hex).") String rootHex;

    @Override
    public Integer call() {
      Bytes b = bytes();
      byte[] k = b.parse("KEY", key);
      try (Db db = openReadOnly(dir); StateStore s = open(db)) {
        Hash root = root(s, block, rootHex, "--");
        byte[] v = s.trie(root).get(k);
        return emit(new Doc().put("root", root.toString()).put("key", b.show(k))
            .put("found", v != null).put("value", b.show(v)), 0);
      }
    }
  }

  @Command(name = "prove", description = "A Merkle proof of a key (or of its absence), as hex"
      + " RLP nodes, checked against the root.", mixinStandardHelpOptions = true)
  static final class Prove extends TrieBase {
    @Parameters(index = "0", paramLabel = "DIR") Path dir;

    @Parameters(index = "1", paramLabel = "KEY") String key;

    @Option(names = "--block", description = "The block number.") Long block;

    @Option(names = "--root", description = "The root hash (hex).") String rootHex;

    @Override
    public Integer call() {
      Bytes b = bytes();
      byte[] k = b.parse("KEY", key);
      try (Db db = openReadOnly(dir); StateStore s = open(db)) {
        Hash root = root(s, block, rootHex, "--");
        Proof proof = s.trie(root).prove(k);
        Optional<byte[]> checked = secure ? Proof.verifySecure(root, k, proof)
            : Proof.verify(root, k, proof);
        Doc d = new Doc().put("root", root.toString()).put("key", b.show(k))
            .put("found", checked.isPresent()).put("value", checked.map(b::show).orElse(null))
            .put("verified", true);
        for (byte[] node : proof.nodes()) {
          d.list("nodes").add(Bytes.hex(node));
        }
        d.put("proof", Bytes.hex(proof.toBytes()));
        return emit(d, 0);
      }
    }
  }

  /**
   * The difference between two roots: keys added, removed and changed, from {@link
   * StateStore#diff} (issue 17), which skips subtries whose hashes are equal, so the cost grows
   * with the change, not with the state.
   */
  @Command(name = "diff", description = "Keys added, removed and changed between two roots.",
      mixinStandardHelpOptions = true)
  static final class Diff extends TrieBase {
    @Parameters(paramLabel = "DIR") Path dir;

    @Option(names = "--from-block", description = "The older block.") Long fromBlock;

    @Option(names = "--from-root", description = "The older root (hex).") String fromRoot;

    @Option(names = "--to-block", description = "The newer block (default: the latest).")
    Long toBlock;

    @Option(names = "--to-root", description = "The newer root (hex).") String toRoot;

    @Option(names = "--limit", description = "At most this many differences (default"
        + " ${DEFAULT-VALUE}; 0: all).", defaultValue = "1000")
    long limit;

    @Override
    public Integer call() {
      Bytes b = bytes();
      if (fromBlock == null && fromRoot == null) {
        throw new UsageException("diff needs --from-block or --from-root");
      }
      if (limit < 0) {
        throw new UsageException("--limit must be >= 0, got " + limit);
      }
      try (Db db = openReadOnly(dir); StateStore s = open(db)) {
        Hash a = root(s, fromBlock, fromRoot, "--from-");
        Hash z = root(s, toBlock, toRoot, "--to-");
        Iterator<StateChange> changes = s.diff(a, z);
        Doc d = new Doc().put("from", a.toString()).put("to", z.toString());
        d.list("differences");
        long n = 0;
        boolean more = false;
        while (changes.hasNext()) {
          StateChange c = changes.next();
          if (limit > 0 && n == limit) {
            more = true;
            break;
          }
          n++;
          String change = c.oldValue() == null ? "added" : c.newValue() == null ? "removed"
              : "changed";
          d.row("differences").put("change", change).put("key", b.show(c.key()))
              .put("from", b.show(c.oldValue())).put("to", b.show(c.newValue()));
        }
        d.put("count", n).put("truncated", more);
        return emit(d, 0);
      }
    }
  }

  @Command(name = "stats", description = "Node counts and bytes per depth of the trie at a block"
      + " (default: the latest) or root.", mixinStandardHelpOptions = true)
  static final class Stats extends TrieBase {
    @Parameters(paramLabel = "DIR") Path dir;

    @Option(names = "--block", description = "The block number.") Long block;

    @Option(names = "--root", description = "The root hash (hex).") String rootHex;

    @Override
    public Integer call() {
      try (Db db = openReadOnly(dir); StateStore s = open(db);
          Progress p = Progress.start(err(), "walking the trie")) {
        Hash root = root(s, block, rootHex, "--");
        TrieShape shape = TrieShape.of(s.trie(root));
        Doc d = new Doc().put("root", root.toString()).put("nodes", shape.nodes())
            .put("bytes", shape.bytes());
        d.list("depths");
        for (TrieShape.Depth x : shape.depths()) {
          d.row("depths").put("depth", x.depth()).put("branches", x.branches())
              .put("extensions", x.extensions()).put("leaves", x.leaves())
              .put("stored", x.stored()).put("bytes", x.bytes());
        }
        return emit(d, 0);
      }
    }
  }
}
