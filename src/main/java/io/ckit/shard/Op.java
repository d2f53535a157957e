package io.ckit.shard;

/**
 * What a lookup's owners will be used for; it decides which peers are eligible owners.
 *
 * <p>Each op has a wire name, the text the shard service's JSON protocol, the HTTP owners route and the owners
 * command use for it: {@code read} and {@code readwrite}.
 */
public enum Op {

  /** Read-only use: participants and terminating peers may own the key. */
  READ("read"),

  /** Read or write use: only participants may own the key. */
  READ_WRITE("readwrite");

  private static final Op[] VALUES = values();

  private final String wireName;

  Op(String wireName) {
    this.wireName = wireName;
  }

  /** The op's text in JSON and on command lines: {@code read} or {@code readwrite}. */
  public String wireName() {
    return wireName;
  }

  /**
   * Returns the op with the given wire name; exactly {@code read} or {@code readwrite}, case included.
   *
   * @throws IllegalArgumentException naming the text if it is neither
   */
  public static Op parse(String text) {
    for (Op op : VALUES) {
      if (op.wireName.equals(text)) {
        return op;
      }
    }
    throw new IllegalArgumentException("op must be \"read\" or \"readwrite\", got \"" + text + "\"");
  }
}
