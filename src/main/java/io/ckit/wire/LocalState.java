package io.ckit.wire;

import java.util.List;

/**
 * ckit's push/pull user state ({@code localState}): the sender's Lamport time and the last state it knows
 * of each peer it knows, itself included. {@code nodeStates} is null only to stand for Go's nil slice, which
 * ckit never sends.
 */
public record LocalState(long currentTime, List<StateMessage> nodeStates) {

  public LocalState {
    nodeStates = nodeStates == null ? null : List.copyOf(nodeStates);
  }
}
