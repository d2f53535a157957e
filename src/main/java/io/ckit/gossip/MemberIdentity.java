package io.ckit.gossip;

import io.ckit.wire.LabelHeader;
import java.util.Objects;

/**
 * Who an engine is in its cluster. Not a setting of the engine: the node knows its address only once it
 * starts (the advertise host resolved, the port its server got) and takes name and label from its own
 * options, so a {@link Memberlist} is given its identity beside its {@link GossipOptions}.
 *
 * @param name unique in the cluster
 * @param advertiseAddress the {@code ip:port} other members reach this one at (an IP literal, IPv6 in brackets)
 * @param label the cluster label: members with different labels never merge; empty for none, at most 255 bytes
 */
public record MemberIdentity(String name, String advertiseAddress, String label) {

  /** @throws IllegalArgumentException for an empty name, an address that is no {@code ip:port}, a long label */
  public MemberIdentity {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("name must not be empty");
    }
    Addresses.parse(Objects.requireNonNull(advertiseAddress, "advertiseAddress"));
    LabelHeader.labelBytes(Objects.requireNonNull(label, "label"));
  }
}
