package io.ckit;

import io.ckit.peer.PeerState;
import java.util.Objects;

/**
 * A state change the node may not make: only viewer to participant and participant to terminating are
 * allowed. The message is ckit's, e.g. {@code invalid transition from participant to viewer}.
 */
public final class StateTransitionException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  private final PeerState from;
  private final PeerState to;

  public StateTransitionException(PeerState from, PeerState to) {
    super("invalid transition from " + from + " to " + to);
    this.from = Objects.requireNonNull(from, "from");
    this.to = Objects.requireNonNull(to, "to");
  }

  /** The state the node was in. */
  public PeerState from() {
    return from;
  }

  /** The state asked for. */
  public PeerState to() {
    return to;
  }

  /** Whether a node may move from one state to another. */
  public static boolean allowed(PeerState from, PeerState to) {
    return (from == PeerState.VIEWER && to == PeerState.PARTICIPANT)
        || (from == PeerState.PARTICIPANT && to == PeerState.TERMINATING);
  }
}
