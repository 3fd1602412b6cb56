package io.strata.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A small JSON parser for the tests: objects to maps, arrays to lists, numbers to Long/Double. */
final class Json {
  private final String s;
  private int p;

  private Json(String s) {
    this.s = s;
  }

  static Object parse(String text) {
    Json j = new Json(text);
    Object v = j.value();
    j.ws();
    if (j.p != text.length()) {
      throw new IllegalArgumentException("trailing text at " + j.p + ": " + text);
    }
    return v;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> object(String text) {
    return (Map<String, Object>) parse(text);
  }

  private void ws() {
    while (p < s.length() && Character.isWhitespace(s.charAt(p))) {
      p++;
    }
  }

  private Object value() {
    ws();
    char c = s.charAt(p);
    if (c == '{') {
      p++;
      Map<String, Object> m = new LinkedHashMap<>();
      ws();
      if (s.charAt(p) == '}') {
        p++;
        return m;
      }
      while (true) {
        ws();
        String k = string();
        ws();
        expect(':');
        m.put(k, value());
        ws();
        if (s.charAt(p) == ',') {
          p++;
        } else {
          expect('}');
          return m;
        }
      }
    }
    if (c == '[') {
      p++;
      List<Object> l = new ArrayList<>();
      ws();
      if (s.charAt(p) == ']') {
        p++;
        return l;
      }
      while (true) {
        l.add(value());
        ws();
        if (s.charAt(p) == ',') {
          p++;
        } else {
          expect(']');
          return l;
        }
      }
    }
    if (c == '"') {
      return string();
    }
    if (s.startsWith("true", p)) {
      p += 4;
      return true;
    }
    if (s.startsWith("false", p)) {
      p += 5;
      return false;
    }
    if (s.startsWith("null", p)) {
      p += 4;
      return null;
    }
    int start = p;
    while (p < s.length() && "+-0123456789.eE".indexOf(s.charAt(p)) >= 0) {
      p++;
    }
    String num = s.substring(start, p);
    if (num.isEmpty()) {
      throw new IllegalArgumentException("unexpected " + c + " at " + start);
    }
    return num.contains(".") || num.contains("e") || num.contains("E") ? (Object) Double
        .parseDouble(num) : (Object) Long.parseLong(num);
  }

  private void expect(char c) {
    if (s.charAt(p) != c) {
      throw new IllegalArgumentException("expected " + c + " at " + p + ": " + s);
    }
    p++;
  }

  private String string() {
    expect('"');
    StringBuilder b = new StringBuilder();
    while (s.charAt(p) != '"') {
      char c = s.charAt(p++);
      if (c == '\\') {
        char e = s.charAt(p++);
        switch (e) {
          case 'n' -> b.append('\n');
          case 'r' -> b.append('\r');
          case 't' -> b.append('\t');
          case 'u' -> {
            b.append((char) Integer.parseInt(s.substring(p, p + 4), 16));
            p += 4;
          }
          default -> b.append(e);
        }
      } else {
        b.append(c);
      }
    }
    p++;
    return b.toString();
  }
}
