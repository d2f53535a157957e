package io.ckit.wire;

import io.ckit.peer.PeerState;
import io.ckit.wire.WireDecodeException.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes and decodes ckit's own payloads, which travel inside memberlist messages:
 *
 * <ul>
 *   <li>a state broadcast, the payload of a memberlist user message: magic {@code 0x1201} (big-endian),
 *       message type {@code 1} (state), then msgpack {@code {NewState, NodeName, Time}};
 *   <li>the push/pull user state: msgpack {@code {CurrentTime, NodeStates: [State...]}}, with no magic.
 * </ul>
 *
 * <p>Decoding rejects states other than viewer, participant and terminating. Thread-safe; no state.
 */
public final class CkitCodec {

  /** The first two bytes of every ckit message. */
  public static final int MAGIC = 0x1201;

  /** ckit's message type for a state broadcast (0 is ckit's invalid type). */
  public static final int TYPE_STATE = 1;

  private static final byte[] NEW_STATE = GoMsgpackWriter.key("NewState");
  private static final byte[] NODE_NAME = GoMsgpackWriter.key("NodeName");
  private static final byte[] TIME = GoMsgpackWriter.key("Time");
  private static final byte[] CURRENT_TIME = GoMsgpackWriter.key("CurrentTime");
  private static final byte[] NODE_STATES = GoMsgpackWriter.key("NodeStates");

  private CkitCodec() {}

  /** A state broadcast, as the payload of a memberlist user message. */
  public static byte[] encodeState(StateMessage state) {
    GoMsgpackWriter out = new GoMsgpackWriter()
        .rawByte(MAGIC >>> 8).rawByte(MAGIC & 0xFF).rawByte(TYPE_STATE);
    writeState(state, out);
    return out.toByteArray();
  }

  /**
   * Reads a state broadcast from a memberlist user message's payload.
   *
   * @throws WireDecodeException {@link Kind#TRUNCATED} below 3 bytes, {@link Kind#BAD_MAGIC} without ckit's
   *     magic, {@link Kind#UNKNOWN_TYPE} for a message type other than state, and the msgpack errors
   */
  public static StateMessage decodeState(byte[] payload, int offset, int length) {
    if (length < 3) {
      throw new WireDecodeException(Kind.TRUNCATED,
          "ckit message of " + length + " bytes is too small for its header");
    }
    int magic = (payload[offset] & 0xFF) << 8 | payload[offset + 1] & 0xFF;
    if (magic != MAGIC) {
      throw new WireDecodeException(Kind.BAD_MAGIC, String.format("invalid ckit magic header %04x", magic));
    }
    int type = payload[offset + 2] & 0xFF;
    if (type != TYPE_STATE) {
      throw new WireDecodeException(Kind.UNKNOWN_TYPE, "invalid ckit message type " + type);
    }
    return readState(new GoMsgpackReader(payload, offset + 3, length - 3, "ckit state message"));
  }

  /** Reads a state broadcast from a whole memberlist user message payload. */
  public static StateMessage decodeState(ByteString payload) {
    return decodeState(payload.array(), 0, payload.length());
  }

  /** The push/pull user state. */
  public static byte[] encodeLocalState(LocalState state) {
    GoMsgpackWriter out = new GoMsgpackWriter()
        .mapHeader(2)
        .key(CURRENT_TIME).uint(state.currentTime())
        .key(NODE_STATES);
    if (state.nodeStates() == null) {
      out.nil();
    } else {
      out.arrayHeader(state.nodeStates().size());
      for (StateMessage message : state.nodeStates()) {
        writeState(message, out);
      }
    }
    return out.toByteArray();
  }

  /** Reads the push/pull user state. */
  public static LocalState decodeLocalState(byte[] bytes, int offset, int length) {
    GoMsgpackReader in = new GoMsgpackReader(bytes, offset, length, "ckit local state");
    long currentTime = 0;
    List<StateMessage> states = null;
    for (int entries = in.mapHeader(); entries > 0; entries--) {
      switch (in.key()) {
        case "CurrentTime" -> currentTime = in.uint64("CurrentTime");
        case "NodeStates" -> {
          int count = in.arrayHeaderOrNil();
          if (count < 0) {
            states = null;
          } else {
            states = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
              states.add(readState(in));
            }
          }
        }
        default -> in.skip();
      }
    }
    return new LocalState(currentTime, states);
  }

  /** Reads the push/pull user state from a whole byte string. */
  public static LocalState decodeLocalState(ByteString bytes) {
    return decodeLocalState(bytes.array(), 0, bytes.length());
  }

  private static void writeState(StateMessage state, GoMsgpackWriter out) {
    out.mapHeader(3)
        .key(NEW_STATE).uint(state.newState().value())
        .key(NODE_NAME).string(state.nodeName())
        .key(TIME).uint(state.time());
  }

  private static StateMessage readState(GoMsgpackReader in) {
    String nodeName = "";
    long newState = 0;
    long time = 0;
    for (int entries = in.mapHeader(); entries > 0; entries--) {
      switch (in.key()) {
        case "NodeName" -> nodeName = in.string("NodeName");
        case "NewState" -> newState = in.uint64("NewState");
        case "Time" -> time = in.uint64("Time");
        default -> in.skip();
      }
    }
    if (newState < 0 || newState > PeerState.TERMINATING.value()) {
      throw new WireDecodeException(Kind.INVALID_FIELD, "state message about \"" + nodeName
          + "\" has unknown state " + Long.toUnsignedString(newState));
    }
    return new StateMessage(nodeName, PeerState.fromValue(newState), time);
  }
}
