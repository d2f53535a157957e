package io.ckit;

/** A call on a {@link Node} after {@link Node#stop()}: ckit's {@code ErrStopped}. */
public final class NodeStoppedException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  public NodeStoppedException() {
    super("node stopped");
  }
}
