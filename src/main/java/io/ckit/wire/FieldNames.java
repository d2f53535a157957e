package io.ckit.wire;

import java.nio.charset.StandardCharsets;

/** The Go field names the decoders look for, found by their bytes without building a string. */
final class FieldNames {

  private static final String[] NAMES = {"Addr", "Algo", "Buf", "CurrentTime", "Error", "From", "Incarnation",
      "Join", "Meta", "Nack", "Name", "NewState", "Node", "NodeName", "NodeStates", "Nodes", "Payload", "Port",
      "SeqNo", "SourceAddr", "SourceNode", "SourcePort", "State", "Target", "Time", "UserMsgLen",
      "UserStateLen", "Vsn"};
  private static final byte[][] BYTES = new byte[NAMES.length][];

  static {
    for (int i = 0; i < NAMES.length; i++) {
      BYTES[i] = NAMES[i].getBytes(StandardCharsets.US_ASCII);
    }
  }

  private FieldNames() {}

  /** The known name spelled by these bytes, or null. */
  static String lookup(byte[] data, int offset, int length) {
    for (int i = 0; i < BYTES.length; i++) {
      byte[] name = BYTES[i];
      if (name.length == length && name[0] == data[offset] && matches(name, data, offset)) {
        return NAMES[i];
      }
    }
    return null;
  }

  private static boolean matches(byte[] name, byte[] data, int offset) {
    for (int i = 1; i < name.length; i++) {
      if (name[i] != data[offset + i]) {
        return false;
      }
    }
    return true;
  }
}
