package io.ckit;

import io.ckit.peer.PeerState;
import java.util.Objects;

/**
 * A state change the node may not make ({@link PeerState#canMoveTo}: only viewer to participant and participant
 * to terminating). The message is ckit's, e.g. {@code invalid transition from participant to viewer}.
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
}
