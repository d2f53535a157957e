package io.ckit.gossip;

import io.ckit.wire.ByteString;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** {@code ip:port} text and the raw IP bytes memberlist puts in messages. */
public final class Addresses {

  private Addresses() {}

  /** An IP's bytes and a port. */
  record IpPort(ByteString ip, int port) {}

  /**
   * Parses {@code ip:port} or {@code [ipv6]:port}; IPv4 gives 4 bytes, as ckit advertises it.
   *
   * @throws IllegalArgumentException for anything else (host names are not resolved here)
   */
  static IpPort parse(String address) {
    HostPort parsed;
    try {
      parsed = HostPort.parse(address);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("address " + e.getMessage(), e);
    }
    if (!isIp(parsed.host())) {
      throw new IllegalArgumentException("address \"" + address + "\" must have an IP address, not a host name");
    }
    try {
      // An IP literal: nothing is looked up.
      return new IpPort(ByteString.copyOf(InetAddress.getByName(parsed.host()).getAddress()), parsed.port());
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("address \"" + address + "\" has no valid IP: " + e.getMessage(), e);
    }
  }

  /** {@code ip:port} for raw IP bytes (4, or 16 including IPv4-mapped), {@code [ipv6]:port} for IPv6. */
  static String format(ByteString ip, int port) {
    return host(ip) + ":" + port;
  }

  /** The host part, IPv6 in brackets. Bytes that are no IP are printed as hex (they cannot be dialled). */
  static String host(ByteString ip) {
    if (ip == null || (ip.length() != 4 && ip.length() != 16)) {
      return ip == null ? "" : ip.hex();
    }
    try {
      InetAddress address = InetAddress.getByAddress(ip.toByteArray());
      String text = ipText(address);
      return text.indexOf(':') >= 0 ? "[" + text + "]" : text;
    } catch (UnknownHostException e) {
      return ip.hex();
    }
  }

  /**
   * An IP address as Go prints it: dotted IPv4 (IPv4-mapped addresses included), IPv6 in RFC 5952's short
   * form ({@code ::1}, {@code fe80::1}) without a zone.
   */
  public static String ipText(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (bytes.length == 4) {
      return address.getHostAddress();
    }
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = (bytes[2 * i] & 0xFF) << 8 | bytes[2 * i + 1] & 0xFF;
    }
    // The longest run of two or more zero groups (the first of equals) becomes "::".
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int start = i;
      while (i < 8 && groups[i] == 0) {
        i++;
      }
      if (i - start > bestLength) {
        bestStart = start;
        bestLength = i - start;
      }
    }
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        text.append("::");
        i += bestLength - 1;
        continue;
      }
      if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
        text.append(':');
      }
      text.append(Integer.toHexString(groups[i]));
    }
    return text.toString();
  }

  /** The host of {@code host:port}, without brackets. */
  static String hostOf(String address) {
    return HostPort.parseJoin(address, 0).host();
  }

  /** Whether a host (an IPv6 one without brackets) is an IP address, not a name. */
  public static boolean isIp(String host) {
    if (host.isEmpty()) {
      return false;
    }
    if (host.indexOf(':') >= 0) {
      return host.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0);
    }
    String[] parts = host.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String part : parts) {
      if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)
          || Integer.parseInt(part) > 255) {
        return false;
      }
    }
    return true;
  }
}
