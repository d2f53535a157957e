package io.ckit.shard.impl;

import io.ckit.peer.Peer;
import io.ckit.shard.Key;
import io.ckit.shard.NotEnoughNodesException;
import io.ckit.shard.Op;
import io.ckit.shard.ShardService;
import io.ckit.shard.Sharder;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Serves the {@link ShardService} protocol for one sharder. */
public final class ShardRequestHandler {

  private static final Set<String> FIELDS = Set.of("key", "hash", "keys", "hashes", "n", "op");

  private final Sharder sharder;

  public ShardRequestHandler(Sharder sharder) {
    this.sharder = sharder;
  }

  /** Answers one request (a message without a reply address gets no answer). */
  public void handle(Message<Object> request) {
    if (request.replyAddress() == null) {
      return;
    }
    try {
      if (request.body() instanceof LookupMessages.Request typed) {
        List<List<Peer>> owners = new ArrayList<>(typed.hashes().length);
        for (int i = 0; i < typed.hashes().length; i++) {
          owners.add(sharder.lookup(typed.key(i), typed.n(), typed.op()));
        }
        request.reply(new LookupMessages.Reply(owners));
        return;
      }
      request.reply(answer(request.body()));
    } catch (BadRequest e) {
      request.fail(ShardService.BAD_REQUEST, "bad request: " + e.getMessage());
    } catch (NotEnoughNodesException e) {
      request.fail(ShardService.NOT_ENOUGH_NODES, e.getMessage());
    }
  }

  /**
   * The reply to a request body.
   *
   * @throws BadRequest for a body the protocol does not allow
   * @throws NotEnoughNodesException from the sharder
   */
  JsonObject answer(Object body) {
    if (!(body instanceof JsonObject json)) {
      throw new BadRequest("the body must be a JSON object, got " + (body == null ? "nothing"
          : body.getClass().getSimpleName()));
    }
    for (String field : json.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw new BadRequest("unknown field \"" + field + "\" (known: key, hash, keys, hashes, n, op)");
      }
    }
    int given = (json.containsKey("key") ? 1 : 0) + (json.containsKey("hash") ? 1 : 0)
        + (json.containsKey("keys") ? 1 : 0) + (json.containsKey("hashes") ? 1 : 0);
    if (given != 1) {
      throw new BadRequest("give exactly one of key, hash, keys, hashes");
    }
    int n = count(json.getValue("n", 1));
    Op op = op(json.getValue("op", "readwrite"));
    if (json.containsKey("key")) {
      return new JsonObject().put("owners", owners(sharder.lookup(Key.ofString(text("key", json.getValue("key"))),
          n, op)));
    }
    if (json.containsKey("hash")) {
      return new JsonObject().put("owners", owners(sharder.lookup(hash("hash", json.getValue("hash")), n, op)));
    }
    boolean hashes = json.containsKey("hashes");
    String field = hashes ? "hashes" : "keys";
    Object list = json.getValue(field);
    if (!(list instanceof JsonArray array)) {
      throw new BadRequest(field + " must be a list");
    }
    if (array.size() > ShardService.MAX_BATCH) {
      throw new BadRequest(field + " has " + array.size() + " entries; at most " + ShardService.MAX_BATCH);
    }
    List<Key> keys = new ArrayList<>(array.size());
    for (Object entry : array) {
      keys.add(hashes ? hash(field, entry) : Key.ofString(text(field, entry)));
    }
    JsonArray results = new JsonArray(new ArrayList<>(keys.size()));
    for (Key key : keys) {
      results.add(owners(sharder.lookup(key, n, op)));
    }
    return new JsonObject().put("owners", results);
  }

  private static JsonArray owners(List<Peer> peers) {
    JsonArray array = new JsonArray(new ArrayList<>(peers.size()));
    for (Peer peer : peers) {
      array.add(peer.toJson());
    }
    return array;
  }

  private static int count(Object value) {
    if (!(value instanceof Number number) || number.doubleValue() != Math.rint(number.doubleValue())
        || number.doubleValue() < 0 || number.doubleValue() > Integer.MAX_VALUE) {
      throw new BadRequest("n must be a whole number of at least 0, got " + value);
    }
    return number.intValue();
  }

  private static Op op(Object value) {
    if ("read".equals(value)) {
      return Op.READ;
    }
    if ("readwrite".equals(value)) {
      return Op.READ_WRITE;
    }
    throw new BadRequest("op must be \"read\" or \"readwrite\", got " + value);
  }

  private static String text(String field, Object value) {
    if (!(value instanceof String text)) {
      throw new BadRequest(field + " must be text, got " + value);
    }
    return text;
  }

  private static Key hash(String field, Object value) {
    String text = value instanceof Number number && number.doubleValue() >= 0
        && number.doubleValue() == Math.rint(number.doubleValue()) && number.doubleValue() < 0x1p53
        ? Long.toString(number.longValue()) : value instanceof String s ? s : null;
    if (text != null && !text.isEmpty() && text.length() <= 20 && text.chars().allMatch(Character::isDigit)) {
      try {
        return new Key(Long.parseUnsignedLong(text));
      } catch (NumberFormatException e) {
        // falls through to the error below
      }
    }
    throw new BadRequest(field + " must be an unsigned 64-bit decimal, got " + value);
  }

  /** A request the protocol does not allow. */
  static final class BadRequest extends RuntimeException {

    private static final long serialVersionUID = 1L;

    BadRequest(String message) {
      super(message, null, false, false);
    }
  }
}
