package io.ckit.gossip;

import io.ckit.wire.ByteString;
import io.ckit.wire.MemberState;
import java.util.Objects;

/**
 * A member of the cluster as the local engine sees it at one moment.
 *
 * @param name the member's unique name
 * @param addr its IP address as memberlist sends it (4 or 16 bytes)
 * @param port its port
 * @param meta its metadata (null for none, as ckit sends it)
 * @param state alive, suspect, dead or left
 * @param incarnation its incarnation number (unsigned 32-bit)
 */
public record Member(String name, ByteString addr, int port, ByteString meta, MemberState state, long incarnation) {

  public Member {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(state, "state");
  }

  /** {@code ip:port} (IPv6 in brackets): where to reach the member. */
  public String address() {
    return Addresses.format(addr, port);
  }
}
