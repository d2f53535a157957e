package io.ckit.wire;

/** A member's state as memberlist gossips it in push/pull ({@code NodeStateType}, a Go int on the wire). */
public enum MemberState {
  ALIVE,
  SUSPECT,
  DEAD,
  /** Dead by its own announcement: the member left gracefully. */
  LEFT;

  private static final MemberState[] BY_VALUE = values();

  /** The wire value: 0 alive, 1 suspect, 2 dead, 3 left. */
  public int value() {
    return ordinal();
  }

  /** The state with this wire value, or null if there is none. */
  static MemberState ofValue(long value) {
    return value >= 0 && value < BY_VALUE.length ? BY_VALUE[(int) value] : null;
  }
}
