package io.ckit.impl;

import java.util.ArrayList;
import java.util.List;

/**
 * What a name lookup takes from {@code /etc/resolv.conf}: the search list and {@code ndots}, and the names
 * to try for a name in the order the system resolver tries them (resolv.conf(5)). Inside a Kubernetes pod
 * this is what makes {@code my-svc} mean {@code my-svc.my-namespace.svc.cluster.local}.
 *
 * @param search the domains of the last {@code search} (or {@code domain}) line
 * @param ndots how many dots make a name be tried as it is before the search list
 */
record ResolvConf(List<String> search, int ndots) {

  /** The file's defaults: no search list, ndots 1. */
  static final ResolvConf NONE = new ResolvConf(List.of(), 1);

  ResolvConf {
    search = List.copyOf(search);
  }

  /** Reads the text of a resolv.conf; lines it does not know are skipped, as the resolver skips them. */
  static ResolvConf parse(String text) {
    List<String> search = List.of();
    int ndots = 1;
    for (String line : text.split("\n")) {
      String[] words = line.trim().split("\\s+");
      if (words.length < 2 || words[0].startsWith("#") || words[0].startsWith(";")) {
        continue;
      }
      switch (words[0]) {
        case "search" -> search = List.of(words).subList(1, words.length);
        case "domain" -> search = List.of(words[1]);
        case "options" -> {
          for (int i = 1; i < words.length; i++) {
            if (words[i].startsWith("ndots:")) {
              try {
                ndots = Math.min(15, Math.max(0, Integer.parseInt(words[i].substring("ndots:".length()))));
              } catch (NumberFormatException e) {
                // The resolver ignores a value it cannot read, and so do we.
              }
            }
          }
        }
        default -> { }
      }
    }
    return new ResolvConf(search, ndots);
  }

  /**
   * The names to ask for, in order: a name ending in a dot only as it is; a name with at least {@code ndots}
   * dots first as it is, then with each search domain; a shorter one with each search domain first.
   */
  List<String> candidates(String name) {
    if (name.endsWith(".")) {
      return List.of(name);
    }
    List<String> names = new ArrayList<>(search.size() + 1);
    long dots = name.chars().filter(c -> c == '.').count();
    if (dots >= ndots) {
      names.add(name);
    }
    for (String domain : search) {
      names.add(name + "." + domain);
    }
    if (dots < ndots) {
      names.add(name);
    }
    return names;
  }
}
