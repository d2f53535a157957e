package io.ckit.gossip;

import io.ckit.wire.ByteString;
import io.ckit.wire.WireDecodeException;
import java.util.List;

/**
 * The hooks through which the layer above (ckit's node) takes part in gossip: memberlist's {@code
 * Delegate}, {@code EventDelegate} and {@code ConflictDelegate} in one interface. Every method is called on
 * the engine's thread and must not block. Each has a default that takes no part.
 */
public interface GossipDelegate {

  /** Metadata gossiped with this member's alive messages, at most {@code limit} bytes; null for none. */
  default ByteString nodeMeta(int limit) {
    return null;
  }

  /** A user message (a ckit state broadcast) arrived. */
  default void notifyMessage(ByteString message) {}

  /**
   * User messages to piggy-back on a packet: as many as fit in {@code limit} bytes, counting {@code
   * overhead} bytes for each. Called when packing gossip, after memberlist's own broadcasts.
   */
  default List<byte[]> broadcasts(int overhead, int limit) {
    return List.of();
  }

  /**
   * Whether {@link #broadcasts} may have anything to give. A gossip round with nothing queued here or in
   * the engine sends nothing, so it skips choosing targets; true (the default) always asks.
   */
  default boolean hasBroadcasts() {
    return true;
  }

  /** The user state to send in a push/pull (ckit's local state); null for none. */
  default ByteString localState(boolean join) {
    return null;
  }

  /** The user state another member sent in a push/pull. */
  default void mergeRemoteState(ByteString state, boolean join) {}

  /** A member became alive: a new one, or one that was dead or left. Also called for this node at start. */
  default void notifyJoin(Member member) {}

  /** A member died or left. */
  default void notifyLeave(Member member) {}

  /** A live member changed its metadata. */
  default void notifyUpdate(Member member) {}

  /**
   * A packet, or a stream's message, was refused: another cluster's label, not encrypted where encryption is
   * required, no key decrypts it, or it cannot be read. Already logged by the engine.
   */
  default void notifyRejected(WireDecodeException cause) {}

  /** A member became suspect (this node's probe failed, or {@code from} said so): beyond memberlist. */
  default void notifySuspect(Member member, String from) {}

  /**
   * A suspicion was refuted: a suspect member announced itself alive with a higher incarnation, or this node
   * ({@code member} is then this node) answered an accusation about itself from {@code from}. Beyond memberlist.
   *
   * @param from who accused this node; null when another member refuted
   */
  default void notifyRefute(Member member, String from) {}

  /** Another member claims a known member's name from a different address; the claim was rejected. */
  default void notifyConflict(Member existing, Member other) {}
}
