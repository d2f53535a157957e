package io.ckit.gossip;

import io.vertx.core.net.HostAndPort;

/**
 * A host and a port, the one parser of {@code host:port} text in the project: option values, join
 * addresses, member addresses. The host is kept bare (an IPv6 address without its brackets); {@link
 * #toString()} writes it back with brackets. Built on Vert.x's {@link HostAndPort} authority parser.
 *
 * @param host a name, an IPv4 address or a bare IPv6 address
 * @param port 0 to 65535
 */
public record HostPort(String host, int port) {

  /**
   * Parses {@code host:port} or {@code [ipv6]:port}.
   *
   * @throws IllegalArgumentException saying what is wrong with the text (no port, a port out of range, an
   *     IPv6 address without brackets, not an address at all)
   */
  public static HostPort parse(String text) {
    HostPort parsed = parseOrNull(text, -1);
    if (parsed == null || parsed.port < 0) {
      throw invalid(text);
    }
    return parsed;
  }

  /**
   * Parses a join address as memberlist reads one: {@code host:port}, {@code [ipv6]:port}, a host (or a bare
   * or bracketed IPv6 address) without a port, which takes {@code defaultPort}, optionally after a {@code
   * name/} prefix, which is dropped.
   *
   * @throws IllegalArgumentException saying what is wrong with the text
   */
  public static HostPort parseJoin(String text, int defaultPort) {
    String address = text.substring(text.indexOf('/') + 1);
    boolean bareIpv6 = address.indexOf(':') != address.lastIndexOf(':') && !address.startsWith("[");
    HostPort parsed = parseOrNull(bareIpv6 ? "[" + address + "]" : address, defaultPort);
    if (parsed == null) {
      throw invalid(text);
    }
    return parsed;
  }

  private static HostPort parseOrNull(String text, int defaultPort) {
    if (text == null || text.isEmpty() || text.endsWith(":")) {
      return null;
    }
    HostAndPort parsed = HostAndPort.parseAuthority(text, defaultPort);
    if (parsed == null || parsed.host().isEmpty()) {
      return null;
    }
    String host = parsed.host();
    if (host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
    }
    return new HostPort(host, parsed.port());
  }

  private static IllegalArgumentException invalid(String text) {
    if (text != null && text.indexOf(':') != text.lastIndexOf(':') && !text.startsWith("[")) {
      return new IllegalArgumentException("\"" + text + "\" has an IPv6 address not in brackets; write [addr]:port");
    }
    int colon = text == null ? -1 : text.lastIndexOf(':');
    if (colon > 0 && !text.endsWith("]") && !validPort(text.substring(colon + 1))) {
      return new IllegalArgumentException("\"" + text + "\" has no valid port (0-65535)");
    }
    return new IllegalArgumentException("\"" + text + "\" is not host:port");
  }

  private static boolean validPort(String text) {
    return !text.isEmpty() && text.length() <= 5 && text.chars().allMatch(c -> c >= '0' && c <= '9')
        && Integer.parseInt(text) <= 0xFFFF;
  }

  /** The host as it stands in a URL or an address: an IPv6 address in brackets. */
  public String bracketedHost() {
    return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
  }

  /** {@code host:port}, an IPv6 host in brackets. */
  @Override
  public String toString() {
    return bracketedHost() + ":" + port;
  }
}
