package io.strata.bench.run;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/**
 * A small streaming JSON writer, enough for {@code results.json}: objects, arrays, strings
 * (escaped per RFC 8259), numbers (NaN and infinities become {@code null}), booleans. Indents two
 * spaces per level. The caller nests calls correctly; not thread-safe.
 */
final class JsonWriter {
  private final StringBuilder out = new StringBuilder();
  private int depth;
  private boolean first = true;

  JsonWriter beginObject() {
    return open('{');
  }

  JsonWriter endObject() {
    return close('}');
  }

  JsonWriter beginArray() {
    return open('[');
  }

  JsonWriter endArray() {
    return close(']');
  }

  /** Starts a member of the current object; the next call writes its value. */
  JsonWriter name(String name) {
    separate();
    string(name);
    out.append(": ");
    first = true; // the value follows without a separator
    depth = -depth - 1; // marks "value pending"
    return this;
  }

  JsonWriter value(String s) {
    prefix();
    if (s == null) {
      out.append("null");
    } else {
      string(s);
    }
    return this;
  }

  JsonWriter value(double d) {
    prefix();
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      out.append("null");
    } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      out.append((long) d);
    } else {
      out.append(new BigDecimal(d).round(new MathContext(6)).stripTrailingZeros().toString());
    }
    return this;
  }

  JsonWriter value(long v) {
    prefix();
    out.append(v);
    return this;
  }

  JsonWriter value(boolean b) {
    prefix();
    out.append(b);
    return this;
  }

  JsonWriter field(String name, String v) {
    return name(name).value(v);
  }

  JsonWriter field(String name, double v) {
    return name(name).value(v);
  }

  JsonWriter field(String name, long v) {
    return name(name).value(v);
  }

  JsonWriter field(String name, boolean v) {
    return name(name).value(v);
  }

  private JsonWriter open(char c) {
    prefix();
    out.append(c);
    depth++;
    first = true;
    return this;
  }

  private JsonWriter close(char c) {
    depth--;
    if (!first) {
      newline();
    }
    out.append(c);
    first = false;
    return this;
  }

  /** Before a value: a separator and a new line, unless it is a member's value. */
  private void prefix() {
    if (depth < 0) {
      depth = -depth - 1;
      first = false;
      return;
    }
    separate();
    first = false;
  }

  private void separate() {
    if (!first) {
      out.append(',');
    }
    if (depth > 0) {
      newline();
    }
    first = false;
  }

  private void newline() {
    out.append('\n');
    out.append("  ".repeat(depth));
  }

  private void string(String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
