package io.strata.bench.run;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A grouped bar chart as a standalone SVG document: one group per workload, one bar per engine
 * (the median), a whisker from the slowest to the fastest round, labelled axes with units, a
 * legend, and a logarithmic value axis when the values span more than {@link #LOG_SPAN}x. Plain
 * SVG 1.1 with no scripts or external resources, so it renders in browsers and in GitHub's
 * Markdown. Stateless.
 */
final class BarChart {
  private BarChart() {}

  static final double LOG_SPAN = 30;
  private static final Map<String, String> COLORS = Map.of(
      "strata", "#e8590c", "strata-store", "#e8590c", "strata-store-w128", "#d9480f",
      "strata-memory", "#f59f00",
      "rocksdb", "#1c7ed6", "leveldb", "#2f9e44", "mvstore", "#7048e8", "tuweni", "#0c8599");
  private static final String[] SPARE = {"#868e96", "#c2255c", "#5c940d"};

  /**
   * @param median {@code [group][series]}: the bar heights; NaN for no bar (failed or not run)
   * @param low the whiskers' lower ends, same shape
   * @param high the whiskers' upper ends, same shape
   */
  static String svg(String title, String valueAxis, List<String> groups, List<String> series,
      double[][] median, double[][] low, double[][] high) {
    int barWidth = 16;
    int left = 86;
    int right = 24;
    int top = 48;
    int plotHeight = 300;
    int plotWidth = Math.max(groups.size() * (series.size() * barWidth + 28), 640);
    // spread the groups over the plot; the gap is what the bars leave
    int groupWidth = plotWidth / Math.max(1, groups.size());
    int groupGap = groupWidth - series.size() * barWidth;
    int legendRows = (series.size() + 3) / 4;
    int width = left + plotWidth + right;
    int height = top + plotHeight + 56 + legendRows * 20 + 12;

    double min = Double.MAX_VALUE;
    double max = 0;
    for (int g = 0; g < groups.size(); g++) {
      for (int s = 0; s < series.size(); s++) {
        for (double v : new double[] {median[g][s], low[g][s], high[g][s]}) {
          if (v > 0 && !Double.isNaN(v) && !Double.isInfinite(v)) {
            min = Math.min(min, v);
            max = Math.max(max, v);
          }
        }
      }
    }
    if (max == 0) {
      min = 1;
      max = 10;
    }
    boolean missing = false;
    for (double[] row : median) {
      for (double v : row) {
        missing |= Double.isNaN(v) || v <= 0;
      }
    }
    boolean log = max / min > LOG_SPAN;
    Scale scale = log ? Scale.log(min, max) : Scale.linear(max);

    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\""
        + " height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"Helvetica, Arial, sans-serif\""
        + " font-size=\"12\">%n", width, height, width, height));
    out.append("<title>").append(escape(title)).append("</title>\n");
    out.append(String.format(Locale.ROOT,
        "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>%n", width, height));
    out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"15\""
        + " font-weight=\"bold\">%s</text>%n", left, escape(title)));

    // value axis: grid lines and tick labels
    for (double tick : scale.ticks()) {
      double y = top + plotHeight * (1 - scale.position(tick));
      out.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\""
          + " stroke=\"#dee2e6\" stroke-width=\"1\"/>%n", left, y, left + plotWidth, y));
      out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\""
          + " fill=\"#495057\">%s</text>%n", left - 6, y + 4, escape(abbreviate(tick))));
    }
    out.append(String.format(Locale.ROOT, "<text transform=\"translate(18 %d) rotate(-90)\""
        + " text-anchor=\"middle\" fill=\"#212529\">%s</text>%n", top + plotHeight / 2,
        escape(valueAxis + (log ? " (log scale)" : ""))));
    out.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\""
        + " stroke=\"#212529\"/>%n", left, top, left, top + plotHeight));
    out.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\""
        + " stroke=\"#212529\"/>%n", left, top + plotHeight, left + plotWidth, top + plotHeight));

    // bars
    int offset = (plotWidth - groups.size() * groupWidth) / 2; // rounding only
    for (int g = 0; g < groups.size(); g++) {
      int gx = left + offset + g * groupWidth + groupGap / 2;
      for (int s = 0; s < series.size(); s++) {
        int x = gx + s * barWidth;
        double v = median[g][s];
        if (Double.isNaN(v) || v <= 0) {
          out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\""
              + " font-size=\"10\" fill=\"#c92a2a\">&#215;</text>%n", x + barWidth / 2,
              top + plotHeight - 4));
          continue;
        }
        double y = top + plotHeight * (1 - scale.position(v));
        out.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\""
            + " height=\"%.1f\" fill=\"%s\"><title>%s, %s: %s</title></rect>%n", x + 1, y,
            barWidth - 2, top + plotHeight - y, color(series.get(s), s),
            escape(series.get(s)), escape(groups.get(g)), escape(full(v))));
        if (!Double.isNaN(low[g][s]) && !Double.isNaN(high[g][s]) && high[g][s] > low[g][s]) {
          double y1 = top + plotHeight * (1 - scale.position(low[g][s]));
          double y2 = top + plotHeight * (1 - scale.position(high[g][s]));
          double cx = x + barWidth / 2.0;
          out.append(String.format(Locale.ROOT, "<path d=\"M%.1f %.1fV%.1fM%.1f %.1fH%.1fM%.1f"
              + " %.1fH%.1f\" stroke=\"#212529\" stroke-width=\"1\" fill=\"none\"/>%n",
              cx, y1, y2, cx - 3, y1, cx + 3, cx - 3, y2, cx + 3));
        }
      }
      out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\""
          + " fill=\"#212529\">%s</text>%n", gx + series.size() * barWidth / 2,
          top + plotHeight + 18, escape(groups.get(g))));
    }
    out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\""
        + " fill=\"#495057\">workload (bar: median of the rounds; whisker: slowest to fastest"
        + " round%s)</text>%n", left + plotWidth / 2, top + plotHeight + 38,
        missing ? "; &#215;: failed" : ""));

    // legend
    int ly = top + plotHeight + 60;
    for (int s = 0; s < series.size(); s++) {
      int lx = left + (s % 4) * 150;
      int y = ly + (s / 4) * 20;
      out.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\""
          + " fill=\"%s\"/><text x=\"%d\" y=\"%d\" fill=\"#212529\">%s</text>%n", lx, y - 10,
          color(series.get(s), s), lx + 17, y, escape(series.get(s))));
    }
    out.append("</svg>\n");
    return out.toString();
  }

  private static String color(String series, int index) {
    return COLORS.getOrDefault(series, SPARE[index % SPARE.length]);
  }

  /** Maps values to 0..1 along the value axis. */
  private interface Scale {
    double position(double v);

    double[] ticks();

    static Scale log(double min, double max) {
      double lo = Math.floor(Math.log10(min));
      double hi = Math.max(lo + 1, Math.ceil(Math.log10(max)));
      return new Scale() {
        @Override
        public double position(double v) {
          return Math.max(0, (Math.log10(v) - lo) / (hi - lo));
        }

        @Override
        public double[] ticks() {
          double[] t = new double[(int) (hi - lo) + 1];
          for (int i = 0; i < t.length; i++) {
            t[i] = Math.pow(10, lo + i);
          }
          return t;
        }
      };
    }

    static Scale linear(double max) {
      double magnitude = Math.pow(10, Math.floor(Math.log10(max)));
      double step = magnitude;
      for (double m : new double[] {0.1, 0.2, 0.25, 0.5, 1}) {
        if (max / (m * magnitude) <= 6) {
          step = m * magnitude;
          break;
        }
      }
      double top = Math.ceil(max / step) * step;
      double s = step;
      return new Scale() {
        @Override
        public double position(double v) {
          return v / top;
        }

        @Override
        public double[] ticks() {
          int n = (int) Math.round(top / s);
          double[] t = new double[n + 1];
          for (int i = 0; i <= n; i++) {
            t[i] = i * s;
          }
          return t;
        }
      };
    }
  }

  /** 1,500 -> "1.5k", 2,000,000 -> "2M". */
  static String abbreviate(double v) {
    String[] units = {"", "k", "M", "G"};
    int u = 0;
    while (Math.abs(v) >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    String s = String.format(Locale.ROOT, v == Math.rint(v) ? "%.0f" : "%.1f", v);
    return s + units[u];
  }

  private static String full(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&apos;");
        default -> {
          if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }
}
