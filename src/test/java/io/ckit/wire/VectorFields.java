package io.ckit.wire;

import io.ckit.peer.PeerState;
import io.ckit.wire.Message.AckResp;
import io.ckit.wire.Message.Alive;
import io.ckit.wire.Message.Dead;
import io.ckit.wire.Message.ErrResp;
import io.ckit.wire.Message.IndirectPing;
import io.ckit.wire.Message.NackResp;
import io.ckit.wire.Message.Ping;
import io.ckit.wire.Message.PushNodeState;
import io.ckit.wire.Message.PushPull;
import io.ckit.wire.Message.Suspect;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/** Builds the messages that reference vectors describe in their {@code fields}, with Go's zero values. */
final class VectorFields {

  private VectorFields() {}

  static Ping ping(JsonObject f) {
    return new Ping(uint(f, "SeqNo"), string(f, "Node"), omitEmpty(bytes(f, "SourceAddr")),
        (int) uint(f, "SourcePort"), string(f, "SourceNode"));
  }

  static IndirectPing indirectPing(JsonObject f) {
    return new IndirectPing(uint(f, "SeqNo"), bytes(f, "Target"), (int) uint(f, "Port"), string(f, "Node"),
        f.getBoolean("Nack", false), omitEmpty(bytes(f, "SourceAddr")), (int) uint(f, "SourcePort"),
        string(f, "SourceNode"));
  }

  static AckResp ack(JsonObject f) {
    return new AckResp(uint(f, "SeqNo"), bytes(f, "Payload"));
  }

  static NackResp nack(JsonObject f) {
    return new NackResp(uint(f, "SeqNo"));
  }

  static ErrResp err(JsonObject f) {
    return new ErrResp(string(f, "Error"));
  }

  static Suspect suspect(JsonObject f) {
    return new Suspect(uint(f, "Incarnation"), string(f, "Node"), string(f, "From"));
  }

  static Alive alive(JsonObject f) {
    return new Alive(uint(f, "Incarnation"), string(f, "Node"), bytes(f, "Addr"), (int) uint(f, "Port"),
        bytes(f, "Meta"), bytes(f, "Vsn"));
  }

  static Dead dead(JsonObject f) {
    return new Dead(uint(f, "Incarnation"), string(f, "Node"), string(f, "From"));
  }

  static PushNodeState pushNodeState(JsonObject f) {
    return new PushNodeState(string(f, "Name"), bytes(f, "Addr"), (int) uint(f, "Port"), bytes(f, "Meta"),
        uint(f, "Incarnation"), MemberState.values()[(int) uint(f, "State")], bytes(f, "Vsn"));
  }

  /** A push/pull; an empty user state is written like nil and decodes as nil. */
  static PushPull pushPull(JsonObject f) {
    List<PushNodeState> states = new ArrayList<>();
    for (Object state : f.getJsonArray("states")) {
      states.add(pushNodeState((JsonObject) state));
    }
    return new PushPull(f.getBoolean("Join"), states, omitEmpty(bytes(f, "user_state")));
  }

  static StateMessage state(JsonObject f) {
    return new StateMessage(string(f, "NodeName"), PeerState.fromValue(uint(f, "NewState")), uint(f, "Time"));
  }

  static LocalState localState(JsonObject f) {
    JsonArray array = f.getJsonArray("NodeStates");
    List<StateMessage> states = null;
    if (array != null) {
      states = new ArrayList<>();
      for (Object state : array) {
        states.add(state((JsonObject) state));
      }
    }
    return new LocalState(uint(f, "CurrentTime"), states);
  }

  /** A JSON number read as an unsigned 64-bit value (vectors hold values up to 2^64 - 1). */
  static long uint(JsonObject f, String name) {
    Object value = f.getValue(name);
    if (value == null) {
      return 0;
    }
    return new BigInteger(value.toString()).longValue();
  }

  static String string(JsonObject f, String name) {
    String value = f.getString(name);
    return value == null ? "" : value;
  }

  /** Hex text, or null for Go's nil slice. */
  static ByteString bytes(JsonObject f, String name) {
    String hex = f.getString(name);
    return hex == null ? null : ByteString.fromHex(hex);
  }

  private static ByteString omitEmpty(ByteString value) {
    return value == null || value.isEmpty() ? null : value;
  }
}
