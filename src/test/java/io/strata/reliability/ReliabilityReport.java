package io.strata.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of every campaign run in this JVM (kills, crash points, faults injected, files
 * damaged, inputs tried, operations verified, violations...), printed when a campaign ends and
 * written, all of them, to {@code target/reliability-report.json} after each one, so the file
 * holds every campaign of the run once the test command ends.
 *
 * <p>Thread-safe: campaigns may end concurrently.
 */
public final class ReliabilityReport {
  private ReliabilityReport() {}

  private static final Map<String, Map<String, Object>> CAMPAIGNS = new LinkedHashMap<>();

  /** Where the report goes: {@code target/} of this module (the working directory of its tests). */
  static Path file() {
    String base = System.getProperty("basedir", ".");
    return Path.of(base, "target", "reliability-report.json");
  }

  /**
   * Records the figures of one campaign (names to numbers, strings or booleans, in the order
   * given), prints them on one line, and rewrites the report file. A campaign recorded twice
   * keeps its latest figures.
   */
  public static synchronized void record(String campaign, Map<String, ?> figures) {
    Map<String, Object> copy = new LinkedHashMap<>(figures);
    CAMPAIGNS.put(campaign, copy);
    StringBuilder line = new StringBuilder("reliability: ").append(campaign);
    copy.forEach((k, v) -> line.append(", ").append(k).append(' ').append(v));
    System.out.println(line);
    write();
  }

  private static void write() {
    StringBuilder json = new StringBuilder("{\n  \"written\": ")
        .append(quote(Instant.now().toString())).append(",\n  \"campaigns\": {");
    boolean firstCampaign = true;
    for (Map.Entry<String, Map<String, Object>> c : CAMPAIGNS.entrySet()) {
      json.append(firstCampaign ? "\n" : ",\n").append("    ").append(quote(c.getKey()))
          .append(": {");
      boolean first = true;
      for (Map.Entry<String, Object> f : c.getValue().entrySet()) {
        json.append(first ? "" : ", ").append(quote(f.getKey())).append(": ")
            .append(value(f.getValue()));
        first = false;
      }
      json.append('}');
      firstCampaign = false;
    }
    json.append("\n  }\n}\n");
    try {
      Files.createDirectories(file().getParent());
      Files.writeString(file(), json, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file(), e);
    }
  }

  private static String value(Object v) {
    if (v instanceof Number || v instanceof Boolean) {
      if (v instanceof Double d && (d.isNaN() || d.isInfinite())) {
        return "null";
      }
      return v instanceof Double d ? String.format(Locale.ROOT, "%.3f", d) : v.toString();
    }
    return quote(String.valueOf(v));
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
