package io.ckit.peer;

/**
 * The role a node announces to the cluster. A node starts as {@link #VIEWER} and may only move forward:
 * {@code VIEWER -> PARTICIPANT -> TERMINATING}.
 *
 * <p>Each state has a wire value (the integer ckit gossips) and a name (the text ckit puts in JSON).
 */
public enum PeerState {

  /** Watches the cluster read-only; never owns keys. The state every node starts in. */
  VIEWER(0, "viewer"),

  /** Available for reads and writes; owns keys for every {@link io.ckit.shard.Op}. */
  PARTICIPANT(1, "participant"),

  /** A participant shutting down; still owns keys for reads, no longer for writes. */
  TERMINATING(2, "terminating");

  private static final PeerState[] BY_VALUE = values();

  private final int value;
  private final String text;

  PeerState(int value, String text) {
    this.value = value;
    this.text = text;
  }

  /** Whether a node in this state may move to the other: viewer to participant, participant to terminating. */
  public boolean canMoveTo(PeerState next) {
    return (this == VIEWER && next == PARTICIPANT) || (this == PARTICIPANT && next == TERMINATING);
  }

  /** The integer ckit uses for this state on the wire. */
  public int value() {
    return value;
  }

  /** The lowercase name ckit uses for this state in JSON and logs. */
  @Override
  public String toString() {
    return text;
  }

  /**
   * Returns the state with the given wire value.
   *
   * @throws IllegalArgumentException if the value names no state
   */
  public static PeerState fromValue(long value) {
    if (value < 0 || value >= BY_VALUE.length) {
      throw new IllegalArgumentException("unknown state " + value);
    }
    return BY_VALUE[(int) value];
  }

  /**
   * Returns the state with the given lowercase name ({@code viewer}, {@code participant}, {@code terminating}).
   *
   * @throws IllegalArgumentException naming the text if it is no state's name
   */
  public static PeerState fromString(String text) {
    for (PeerState state : BY_VALUE) {
      if (state.text.equals(text)) {
        return state;
      }
    }
    throw new IllegalArgumentException("unknown state \"" + text + "\"");
  }
}
