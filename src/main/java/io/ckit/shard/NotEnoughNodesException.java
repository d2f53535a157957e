package io.ckit.shard;

/**
 * Thrown by {@link Sharder#lookup} when fewer peers are eligible owners than were asked for. The message is
 * ckit's: {@code not enough nodes: need at least 3, have 2}.
 */
public final class NotEnoughNodesException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int needed;
  private final int available;

  public NotEnoughNodesException(int needed, int available) {
    super("not enough nodes: need at least " + needed + ", have " + available, null, false, false);
    this.needed = needed;
    this.available = available;
  }

  /** How many owners the lookup asked for. */
  public int needed() {
    return needed;
  }

  /** How many peers were eligible. */
  public int available() {
    return available;
  }
}
