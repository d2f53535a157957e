package io.ckit.wire;

/**
 * The first byte of a memberlist message, with memberlist's name for it. The values are part of the
 * protocol: memberlist only ever appends to this list.
 */
public enum MessageType {
  PING(0, "ping"),
  INDIRECT_PING(1, "indirectPing"),
  ACK_RESP(2, "ackResp"),
  SUSPECT(3, "suspect"),
  ALIVE(4, "alive"),
  DEAD(5, "dead"),
  PUSH_PULL(6, "pushPull"),
  COMPOUND(7, "compound"),
  USER(8, "user"),
  COMPRESS(9, "compress"),
  /** Streams only: a length-prefixed AES-GCM envelope around a message. */
  ENCRYPT(10, "encrypt"),
  NACK_RESP(11, "nackResp"),
  /** Packets only: a CRC-32 of the message that follows. */
  HAS_CRC(12, "hasCrc"),
  ERR(13, "err"),
  /** Packets and streams: a label naming the cluster, outermost. */
  HAS_LABEL(244, "hasLabel");

  private static final MessageType[] BY_CODE = new MessageType[256];

  static {
    for (MessageType type : values()) {
      BY_CODE[type.code] = type;
    }
  }

  private final int code;
  private final String goName;

  MessageType(int code, String goName) {
    this.code = code;
    this.goName = goName;
  }

  /** The type byte. */
  public int code() {
    return code;
  }

  /** memberlist's name for the type, as its logs and the reference vectors print it. */
  public String goName() {
    return goName;
  }

  /** The type with this first byte, or null if no type has it. */
  public static MessageType ofCode(int code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }
}
