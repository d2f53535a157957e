package io.ckit;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Finds an address to advertise from network interface names, as ckit's {@code advertise} package does: the
 * first IPv4 address that is not link-local, else the first IPv6 address that is not link-local, and a
 * loopback address only when the interfaces have nothing else. Used by {@link NodeOptions#setAdvertiseInterfaces}
 * and the runnable node's {@code --advertise-interfaces}.
 */
public final class Advertise {

  /** The interfaces Grafana Alloy looks at by default: a container's and a Mac's first. */
  public static final List<String> DEFAULT_INTERFACES = List.of("eth0", "en0");

  private Advertise() {}

  /**
   * The best address of the named interfaces (names that do not exist are skipped). Asks the operating system:
   * call it off the event loop ({@code executeBlocking}).
   *
   * @throws IllegalArgumentException {@code advertiseInterfaces: no usable address on [...]} when none has one
   */
  public static InetAddress firstAddress(List<String> interfaces) {
    List<InetAddress> addresses = new ArrayList<>();
    for (String name : interfaces) {
      try {
        NetworkInterface found = NetworkInterface.getByName(name);
        if (found != null && found.isUp()) {
          addresses.addAll(Collections.list(found.getInetAddresses()));
        }
      } catch (SocketException e) {
        // Not readable: as if it did not exist.
      }
    }
    return best(addresses).orElseThrow(() -> new IllegalArgumentException(
        "advertiseInterfaces: no usable address on " + interfaces));
  }

  /**
   * Picks from addresses in their order: IPv4 not link-local, then IPv6 not link-local, then loopback (IPv4 first).
   */
  public static Optional<InetAddress> best(List<InetAddress> addresses) {
    InetAddress ipv6 = null;
    InetAddress loopback = null;
    for (InetAddress address : addresses) {
      if (address.isLoopbackAddress()) {
        // IPv4 first here too.
        boolean better = loopback == null || (address instanceof Inet4Address && loopback instanceof Inet6Address);
        loopback = better ? address : loopback;
      } else if (address.isLinkLocalAddress() || address.isAnyLocalAddress() || address.isMulticastAddress()) {
        continue;
      } else if (address instanceof Inet4Address) {
        return Optional.of(address);
      } else if (address instanceof Inet6Address && ipv6 == null) {
        ipv6 = address;
      }
    }
    return Optional.ofNullable(ipv6 != null ? ipv6 : loopback);
  }
}
