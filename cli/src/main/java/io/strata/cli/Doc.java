package io.strata.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a command reports, before it is rendered: an ordered map of names to scalars (strings,
 * numbers, booleans, null), nested docs, and lists of scalars or docs. {@link Render} turns it
 * into aligned text or JSON, so both say the same. Not thread-safe; one per command run.
 */
final class Doc {
  final Map<String, Object> fields = new LinkedHashMap<>();

  /** Sets {@code name} (kept in insertion order) and returns this doc. */
  Doc put(String name, Object value) {
    fields.put(name, value);
    return this;
  }

  /** A nested doc under {@code name}. */
  Doc child(String name) {
    Doc d = new Doc();
    fields.put(name, d);
    return d;
  }

  /** The list under {@code name}, created empty if absent. */
  @SuppressWarnings("unchecked")
  List<Object> list(String name) {
    return (List<Object>) fields.computeIfAbsent(name, k -> new ArrayList<>());
  }

  /** Appends a new doc to the list under {@code name} and returns it. */
  Doc row(String name) {
    Doc d = new Doc();
    list(name).add(d);
    return d;
  }
}
