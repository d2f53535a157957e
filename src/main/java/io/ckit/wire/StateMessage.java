package io.ckit.wire;

import io.ckit.peer.PeerState;
import java.util.Objects;

/**
 * ckit's state broadcast ({@code messages.State}): node {@code nodeName} moved to {@code newState} at
 * Lamport time {@code time} (an unsigned 64-bit value held in a {@code long}).
 */
public record StateMessage(String nodeName, PeerState newState, long time) {

  public StateMessage {
    Objects.requireNonNull(nodeName, "nodeName");
    Objects.requireNonNull(newState, "newState");
  }

  /** As ckit's logs print it: {@code node-a @3: participant}. */
  @Override
  public String toString() {
    return nodeName + " @" + Long.toUnsignedString(time) + ": " + newState;
  }
}
