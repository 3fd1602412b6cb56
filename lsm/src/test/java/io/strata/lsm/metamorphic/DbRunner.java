package io.strata.lsm.metamorphic;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.strata.lsm.Cursor;
import io.strata.lsm.Db;
import io.strata.lsm.Options;
import io.strata.lsm.ReadOptions;
import io.strata.lsm.Snapshot;
import io.strata.lsm.WriteBatch;
import io.strata.lsm.WriteOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs operations on a {@link Db} and writes down every answer, in the form {@link Model} does. */
final class DbRunner {
  private DbRunner() {}

  static Transcript run(List<Op> ops, Path dir, Options options) {
    Transcript t = new Transcript();
    List<Snapshot> snapshots = new ArrayList<>();
    Db db = Db.open(dir, options);
    try {
      for (int step = 0; step < ops.size(); step++) {
        Op op = ops.get(step);
        if (op instanceof Op.Put p) {
          db.put(b(p.key()), b(Op.value(p)));
        } else if (op instanceof Op.Delete d) {
          db.delete(b(d.key()));
        } else if (op instanceof Op.Batch batch) {
          WriteBatch wb = new WriteBatch();
          for (Op o : batch.ops()) {
            if (o instanceof Op.Put p) {
              wb.put(b(p.key()), b(Op.value(p)));
            } else if (o instanceof Op.Delete d) {
              wb.delete(b(d.key()));
            }
          }
          db.write(wb, batch.sync() ? WriteOptions.sync() : WriteOptions.defaults());
        } else if (op instanceof Op.Get g) {
          t.add(step, op, String.valueOf(s(db.get(b(g.key())))));
        } else if (op instanceof Op.Scan sc) {
          t.add(step, op, scan(db, null, sc.from(), sc.to(), sc.reverse(), sc.limit()));
        } else if (op instanceof Op.Seek sk) {
          t.add(step, op, seek(db, sk.key()));
        } else if (op instanceof Op.OpenSnapshot) {
          snapshots.add(db.snapshot());
        } else if (op instanceof Op.ReadSnapshot r) {
          if (!snapshots.isEmpty()) {
            Snapshot snap = snapshots.get(r.index() % snapshots.size());
            String got = s(db.get(b(r.key()), ReadOptions.builder().snapshot(snap).build()));
            t.add(step, op, got + " " + scan(db, snap, null, null, false, Integer.MAX_VALUE));
          }
        } else if (op instanceof Op.CloseSnapshot c) {
          if (!snapshots.isEmpty()) {
            snapshots.remove(c.index() % snapshots.size()).close();
          }
        } else if (op instanceof Op.Flush) {
          db.flush();
        } else if (op instanceof Op.CompactRange c) {
          db.compactRange(c.from() == null ? null : b(c.from()), c.to() == null ? null : b(c.to()));
        } else if (op instanceof Op.WaitForCompactions) {
          db.waitForCompactions();
        } else if (op instanceof Op.Reopen) {
          snapshots.forEach(Snapshot::close);
          snapshots.clear();
          db.close();
          db = Db.open(dir, options);
        } else if (op instanceof Op.Verify) {
          t.add(step, op, db.verifyChecksums().size() + " problems");
        }
      }
      t.add(ops.size(), new Op.Scan(null, null, false, Integer.MAX_VALUE),
          scan(db, null, null, null, false, Integer.MAX_VALUE));
    } finally {
      snapshots.forEach(Snapshot::close);
      db.close();
    }
    return t;
  }

  private static String scan(Db db, Snapshot snap, String from, String to, boolean reverse,
      int limit) {
    ReadOptions.Builder ro = ReadOptions.builder().snapshot(snap);
    if (from != null) {
      ro.lowerBound(b(from));
    }
    if (to != null) {
      ro.upperBound(b(to));
    }
    StringBuilder out = new StringBuilder("[");
    try (Cursor c = db.cursor(ro.build())) {
      if (reverse) {
        c.seekToLast();
      } else {
        c.seekToFirst();
      }
      for (int n = 0; n < limit && c.isValid(); n++) {
        out.append(n == 0 ? "" : ", ").append(s(c.key())).append('=').append(s(c.value()));
        if (reverse) {
          c.prev();
        } else {
          c.next();
        }
      }
    }
    return out.append(']').toString();
  }

  private static String seek(Db db, String key) {
    try (Cursor c = db.cursor(ReadOptions.defaults())) {
      c.seek(b(key));
      String at = c.isValid() ? s(c.key()) : null;
      String prev = "-";
      if (c.isValid()) {
        c.prev();
        prev = c.isValid() ? s(c.key()) : null;
      }
      c.seekForPrev(b(key));
      String floor = c.isValid() ? s(c.key()) : null;
      String next = "-";
      if (c.isValid()) {
        c.next();
        next = c.isValid() ? s(c.key()) : null;
      }
      return "seek " + at + " prev " + prev + " seekForPrev " + floor + " next " + next;
    }
  }

  private static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  private static String s(byte[] b) {
    return b == null ? null : new String(b, UTF_8);
  }
}
