package io.strata.lsm.metamorphic;

import java.util.ArrayList;
import java.util.List;

/** The answers of one run, one line per answer, each naming its step; compared line by line. */
final class Transcript {
  private final List<String> lines = new ArrayList<>();

  void add(int step, Op op, String answer) {
    lines.add(step + " " + op + " -> " + answer);
  }

  List<String> lines() {
    return lines;
  }

  /** The first line where the two differ, or null when they are equal. */
  static String firstDifference(Transcript expected, Transcript actual) {
    int n = Math.min(expected.lines.size(), actual.lines.size());
    for (int i = 0; i < n; i++) {
      if (!expected.lines.get(i).equals(actual.lines.get(i))) {
        return "expected " + expected.lines.get(i) + "\n     got " + actual.lines.get(i);
      }
    }
    if (expected.lines.size() != actual.lines.size()) {
      return "expected " + expected.lines.size() + " answers, got " + actual.lines.size();
    }
    return null;
  }
}
