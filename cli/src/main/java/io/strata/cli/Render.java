package io.strata.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders a {@link Doc}: as JSON (one object, keys in order, for machines) or as plain text for
 * people: scalars as {@code name  value} lines aligned on the longest name, nested docs indented
 * under their name, lists of docs as tables with a header row and left-aligned columns (numbers
 * right-aligned). Stateless.
 */
final class Render {
  private Render() {}

  static String json(Doc d) {
    StringBuilder out = new StringBuilder();
    json(d, out);
    return out.append('\n').toString();
  }

  private static void json(Object v, StringBuilder out) {
    if (v == null) {
      out.append("null");
    } else if (v instanceof Doc d) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<String, Object> e : d.fields.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        string(e.getKey(), out);
        out.append(':');
        json(e.getValue(), out);
      }
      out.append('}');
    } else if (v instanceof List<?> l) {
      out.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        json(l.get(i), out);
      }
      out.append(']');
    } else if (v instanceof Number || v instanceof Boolean) {
      if (v instanceof Double x && (x.isNaN() || x.isInfinite())) {
        out.append("null");
      } else {
        out.append(v);
      }
    } else {
      string(v.toString(), out);
    }
  }

  private static void string(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  static String text(Doc d) {
    StringBuilder out = new StringBuilder();
    text(d, "", out);
    return out.toString();
  }

  private static void text(Doc d, String indent, StringBuilder out) {
    int width = 0;
    for (Map.Entry<String, Object> e : d.fields.entrySet()) {
      if (isScalar(e.getValue())) {
        width = Math.max(width, e.getKey().length());
      }
    }
    for (Map.Entry<String, Object> e : d.fields.entrySet()) {
      Object v = e.getValue();
      if (isScalar(v)) {
        out.append(indent).append(pad(e.getKey(), width)).append("  ").append(scalar(v))
            .append('\n');
      } else if (v instanceof Doc child) {
        out.append(indent).append(e.getKey()).append(":\n");
        text(child, indent + "  ", out);
      } else {
        List<?> l = (List<?>) v;
        out.append(indent).append(e.getKey()).append(l.isEmpty() ? ": (none)\n" : ":\n");
        if (!l.isEmpty() && l.get(0) instanceof Doc) {
          table(l, indent + "  ", out);
        } else {
          for (Object item : l) {
            out.append(indent).append("  ").append(scalar(item)).append('\n');
          }
        }
      }
    }
  }

  private static void table(List<?> rows, String indent, StringBuilder out) {
    Set<String> columns = new LinkedHashSet<>();
    for (Object r : rows) {
      columns.addAll(((Doc) r).fields.keySet());
    }
    List<String> names = new ArrayList<>(columns);
    int[] widths = new int[names.size()];
    boolean[] numeric = new boolean[names.size()];
    java.util.Arrays.fill(numeric, true);
    List<String[]> cells = new ArrayList<>();
    for (Object r : rows) {
      Doc d = (Doc) r;
      String[] c = new String[names.size()];
      for (int i = 0; i < c.length; i++) {
        Object v = d.fields.get(names.get(i));
        c[i] = v instanceof Doc || v instanceof List<?> ? inline(v) : scalar(v);
        if (v != null && !(v instanceof Number)) {
          numeric[i] = false;
        }
        widths[i] = Math.max(widths[i], c[i].length());
      }
      cells.add(c);
    }
    for (int i = 0; i < widths.length; i++) {
      widths[i] = Math.max(widths[i], names.get(i).length());
    }
    line(names.toArray(new String[0]), widths, new boolean[widths.length], indent, out);
    for (String[] c : cells) {
      line(c, widths, numeric, indent, out);
    }
  }

  private static void line(String[] c, int[] widths, boolean[] right, String indent,
      StringBuilder out) {
    StringBuilder l = new StringBuilder(indent);
    for (int i = 0; i < c.length; i++) {
      if (i > 0) {
        l.append("  ");
      }
      boolean last = i == c.length - 1;
      if (right[i]) {
        l.append(" ".repeat(widths[i] - c[i].length())).append(c[i]);
      } else {
        l.append(last ? c[i] : pad(c[i], widths[i]));
      }
    }
    out.append(l.toString().stripTrailing()).append('\n');
  }

  private static String inline(Object v) {
    StringBuilder sb = new StringBuilder();
    json(v, sb);
    return sb.toString();
  }

  private static boolean isScalar(Object v) {
    return !(v instanceof Doc) && !(v instanceof List<?>);
  }

  private static String scalar(Object v) {
    if (v == null) {
      return "-";
    }
    if (v instanceof Double x) {
      return String.format(java.util.Locale.ROOT, "%.2f", x);
    }
    return v.toString();
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s : s + " ".repeat(width - s.length());
  }
}
