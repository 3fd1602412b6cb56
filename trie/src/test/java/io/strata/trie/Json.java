package io.strata.trie;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A minimal JSON reader for the test vectors: objects (insertion-ordered), arrays, strings, numbers, literals. */
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
      throw new IllegalArgumentException("trailing JSON at " + j.p);
    }
    return v;
  }

  private void ws() {
    while (p < s.length() && Character.isWhitespace(s.charAt(p))) {
      p++;
    }
  }

  private Object value() {
    ws();
    char c = s.charAt(p);
    switch (c) {
      case '{': {
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
      case '[': {
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
      case '"':
        return string();
      default:
        if (s.startsWith("null", p)) {
          p += 4;
          return null;
        }
        if (s.startsWith("true", p)) {
          p += 4;
          return Boolean.TRUE;
        }
        if (s.startsWith("false", p)) {
          p += 5;
          return Boolean.FALSE;
        }
        int start = p;
        while (p < s.length() && "+-0123456789.eE".indexOf(s.charAt(p)) >= 0) {
          p++;
        }
        if (start == p) {
          throw new IllegalArgumentException("unexpected '" + c + "' at " + p);
        }
        return Double.parseDouble(s.substring(start, p));
    }
  }

  private void expect(char c) {
    if (s.charAt(p) != c) {
      throw new IllegalArgumentException("expected '" + c + "' at " + p);
    }
    p++;
  }

  private String string() {
    expect('"');
    StringBuilder b = new StringBuilder();
    while (true) {
      char c = s.charAt(p++);
      if (c == '"') {
        return b.toString();
      }
      if (c == '\\') {
        char e = s.charAt(p++);
        switch (e) {
          case 'n': b.append('\n'); break;
          case 't': b.append('\t'); break;
          case 'r': b.append('\r'); break;
          case 'b': b.append('\b'); break;
          case 'f': b.append('\f'); break;
          case 'u':
            b.append((char) Integer.parseInt(s.substring(p, p + 4), 16));
            p += 4;
            break;
          default: b.append(e);
        }
      } else {
        b.append(c);
      }
    }
  }
}
