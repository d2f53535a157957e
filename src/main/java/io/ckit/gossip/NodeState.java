package io.ckit.gossip;

import io.ckit.wire.ByteString;
import io.ckit.wire.MemberState;

/** The engine's mutable record of one member (memberlist's {@code nodeState}). Engine thread only. */
final class NodeState {

  final String name;
  ByteString addr;
  int port;
  ByteString meta;
  long incarnation;
  MemberState state;
  /** When {@link #state} last changed, in scheduler milliseconds. */
  long stateChange;
  /** When the member last answered a probe of ours or pinged us, in scheduler milliseconds; -1 before. */
  long lastHeard = -1;
  /** Protocol versions: pmin, pmax, pcur, dmin, dmax, dcur; all 0 until an alive with six is seen. */
  final byte[] versions = new byte[6];

  NodeState(String name, ByteString addr, int port, ByteString meta) {
    this.name = name;
    setAddress(addr, port);
    this.meta = meta;
    this.state = MemberState.DEAD;
  }

  void setAddress(ByteString addr, int port) {
    this.addr = addr;
    this.port = port;
  }

  /** {@code ip:port}; computed when needed (a few times a probe or gossip round), not kept per member. */
  String address() {
    return Addresses.format(addr, port);
  }

  int protocolMax() {
    return versions[1] & 0xFF;
  }

  boolean deadOrLeft() {
    return state == MemberState.DEAD || state == MemberState.LEFT;
  }

  ByteString vsn() {
    return ByteString.copyOf(versions);
  }

  Member snapshot() {
    return new Member(name, addr, port, meta, state, incarnation);
  }

  MemberDetails details(long now) {
    return new MemberDetails(snapshot(), now - stateChange, lastHeard < 0 ? -1 : now - lastHeard);
  }
}
