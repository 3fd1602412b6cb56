package io.strata.cli;

import io.strata.CorruptionException;
import io.strata.fs.FileSystem;
import io.strata.lsm.internal.InternalKeys;
import io.strata.lsm.internal.table.Block;
import io.strata.lsm.internal.table.BlockCache;
import io.strata.lsm.internal.table.BlockHandle;
import io.strata.lsm.internal.table.Footer;
import io.strata.lsm.internal.table.TableProperties;
import io.strata.lsm.internal.table.TableReader;
import io.strata.lsm.internal.version.FileNames;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code strata sst FILE}: one table file, like RocksDB's {@code sst_dump}: its properties, footer,
 * index (every data block with offset, size, entries and last key), the checksum of every block
 * and, with {@code --entries}, its entries (user key, sequence, kind, value). Reads the file
 * through the engine's table reader (an internal class of the lsm module, reachable on the class
 * path the tool runs on) and writes nothing. Exit 1 when a block is damaged.
 */
@Command(name = "sst", description = "Show a table file: properties, index, blocks, checksums,"
    + " entries.", mixinStandardHelpOptions = true)
final class SstCommand extends Base {
  @Parameters(paramLabel = "FILE", description = "The table file (NNNNNN.sst).")
  Path file;

  @Option(names = "--entries", description = "Also list the entries.")
  boolean entries;

  @Option(names = "--limit", description = "At most this many entries (default ${DEFAULT-VALUE}).",
      defaultValue = "1000")
  long limit;

  @Override
  public Integer call() {
    Bytes bytes = bytes();
    existing(file, "table file");
    if (limit < 0) {
      throw new UsageException("--limit must be >= 0, got " + limit);
    }
    FileNames.Parsed name = FileNames.parse(file.getFileName().toString());
    long number = name.kind() == FileNames.Kind.TABLE ? name.number() : 0;
    TableReader t = TableReader.open(FileSystem.real(), file, number, new BlockCache(0));
    try {
      Doc d = new Doc().put("file", file.toString()).put("bytes", t.fileSize());
      TableProperties p = t.properties();
      d.child("properties")
          .put("entries", p.entries())
          .put("deletions", p.deletions())
          .put("dataBlocks", p.dataBlocks())
          .put("rawKeyBytes", p.rawKeyBytes())
          .put("rawValueBytes", p.rawValueBytes())
          .put("dataBytes", p.dataBytes())
          .put("indexBytes", p.indexBytes())
          .put("filterBytes", p.filterBytes())
          .put("indexLevels", p.indexLevels())
          .put("minSequence", p.minSequence())
          .put("maxSequence", p.maxSequence())
          .put("smallestKey", bytes.show(InternalKeys.userKey(p.smallestKey())))
          .put("largestKey", bytes.show(InternalKeys.userKey(p.largestKey())));
      Footer f = t.footer();
      d.child("footer")
          .put("version", f.version())
          .put("index", handle(f.index()))
          .put("filter", handle(f.filter()))
          .put("properties", handle(f.properties()));
      int problems = 0;
      long listed = 0;
      d.list("blocks");
      for (int i = 0; i < t.blockCount(); i++) {
        BlockHandle h = t.blockHandle(i);
        Doc row = d.row("blocks").put("block", i).put("offset", h.offset()).put("size", h.size());
        try {
          Block.Entries e = t.dataBlock(i, false).decodeAll();
          row.put("entries", e.count)
              .put("lastKey", bytes.show(InternalKeys.userKey(e.keys[e.count - 1])))
              .put("checksum", "ok");
          if (entries) {
            for (int j = 0; j < e.count && listed < limit; j++, listed++) {
              byte[] k = e.keys[j];
              boolean put = InternalKeys.kind(k) == InternalKeys.KIND_PUT;
              d.row("entries").put("key", bytes.show(InternalKeys.userKey(k)))
                  .put("sequence", InternalKeys.sequence(k)).put("kind", put ? "put" : "delete")
                  .put("value", put ? bytes.show(e.value(j)) : null);
            }
          }
        } catch (CorruptionException damaged) {
          problems++;
          row.put("entries", null).put("lastKey", null).put("checksum", damaged.getMessage());
          d.list("problems").add(damaged.getMessage());
        }
      }
      if (entries) {
        d.list("entries");
      }
      d.put("damagedBlocks", problems);
      return emit(d, problems == 0 ? 0 : Main.PROBLEM);
    } finally {
      t.release();
    }
  }

  private static String handle(BlockHandle h) {
    return h == null ? null : h.offset() + "+" + h.size();
  }
}
