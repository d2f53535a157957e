package io.ckit.shard.impl;

import io.ckit.peer.Peer;
import io.ckit.shard.Key;
import io.ckit.shard.Op;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The typed client's request and reply as event-bus bodies of their own. Both are immutable, so a local
 * delivery hands the same object over (no JSON is built, copied or parsed); across a clustered bus they
 * travel as the JSON of the {@link io.ckit.shard.ShardService} protocol.
 */
public final class LookupMessages {

  private LookupMessages() {}

  /**
   * A lookup of one key ({@code batch} false) or of many; {@code error} is set, and the rest meaningless, for a
   * request that arrived over a clustered event bus and could not be read.
   */
  public record Request(long[] hashes, boolean batch, int n, Op op, String error) {

    public Request(long[] hashes, boolean batch, int n, Op op) {
      this(hashes, batch, n, op, null);
    }

    static Request invalid(String error) {
      return new Request(new long[0], false, 0, Op.READ_WRITE, error);
    }

    JsonObject toJson() {
      JsonArray array = new JsonArray(new ArrayList<>(hashes.length));
      for (long hash : hashes) {
        array.add(Long.toUnsignedString(hash));
      }
      JsonObject json = batch ? new JsonObject().put("hashes", array) : new JsonObject().put("hash", array.getValue(0));
      return json.put("n", n).put("op", op.wireName());
    }

    Key key(int index) {
      return new Key(hashes[index]);
    }
  }

  /** The owners of each key asked for, in order. */
  public record Reply(List<List<Peer>> owners) {

    JsonObject toJson(boolean batch) {
      JsonArray results = new JsonArray(new ArrayList<>(owners.size()));
      for (List<Peer> peers : owners) {
        results.add(Peer.toJson(peers));
      }
      return new JsonObject().put("owners", batch ? results : results.getValue(0));
    }
  }

  /** Registers the codecs of both bodies with a Vert.x instance's event bus (again is harmless). */
  public static void register(Vertx vertx) {
    registerOnce(vertx, Request.class, new RequestCodec());
    registerOnce(vertx, Reply.class, new ReplyCodec());
  }

  private static <T> void registerOnce(Vertx vertx, Class<T> type, MessageCodec<T, ?> codec) {
    try {
      vertx.eventBus().registerDefaultCodec(type, codec);
    } catch (IllegalStateException alreadyRegistered) {
      // Another node or client on this Vert.x instance registered it first.
    }
  }

  private static final class RequestCodec extends JsonCodec<Request> {

    RequestCodec() {
      super("ckit.shard.lookup.request");
    }

    @Override
    JsonObject toJson(Request request) {
      return request.toJson();
    }

    @Override
    public Request decodeFromWire(int pos, Buffer buffer) {
      try {
        return super.decodeFromWire(pos, buffer);
      } catch (DecodeException e) {
        return Request.invalid("the body is not JSON: " + e.getMessage());
      }
    }

    @Override
    Request fromJson(JsonObject json) {
      // What another JVM sent is checked as the JSON protocol is; a bad request is answered 400, not dropped.
      try {
        return ShardRequestHandler.parse(json);
      } catch (ShardRequestHandler.BadRequest e) {
        return Request.invalid(e.getMessage());
      }
    }
  }

  private static final class ReplyCodec extends JsonCodec<Reply> {

    ReplyCodec() {
      super("ckit.shard.lookup.reply");
    }

    @Override
    JsonObject toJson(Reply reply) {
      return reply.toJson(true);
    }

    @Override
    Reply fromJson(JsonObject json) {
      JsonArray results = json.getJsonArray("owners");
      List<List<Peer>> owners = new ArrayList<>(results.size());
      for (int i = 0; i < results.size(); i++) {
        JsonArray array = results.getJsonArray(i);
        List<Peer> peers = new ArrayList<>(array.size());
        for (int j = 0; j < array.size(); j++) {
          peers.add(Peer.fromJson(array.getJsonObject(j)));
        }
        owners.add(List.copyOf(peers));
      }
      return new Reply(List.copyOf(owners));
    }
  }

  /** Hands the immutable object over locally; JSON (length-prefixed) on the wire. */
  private abstract static class JsonCodec<T> implements MessageCodec<T, T> {

    private final String name;

    JsonCodec(String name) {
      this.name = name;
    }

    abstract JsonObject toJson(T body);

    abstract T fromJson(JsonObject json);

    @Override
    public void encodeToWire(Buffer buffer, T body) {
      Buffer json = toJson(body).toBuffer();
      buffer.appendInt(json.length()).appendBuffer(json);
    }

    @Override
    public T decodeFromWire(int pos, Buffer buffer) {
      int length = buffer.getInt(pos);
      return fromJson(new JsonObject(buffer.getBuffer(pos + 4, pos + 4 + length)));
    }

    @Override
    public T transform(T body) {
      return body;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}
