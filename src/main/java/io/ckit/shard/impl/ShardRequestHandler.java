package io.ckit.shard.impl;

import io.ckit.config.JsonValues;
import io.ckit.peer.Peer;
import io.ckit.shard.Key;
import io.ckit.shard.NotEnoughNodesException;
import io.ckit.shard.Op;
import io.ckit.shard.ShardService;
import io.ckit.shard.ReadOnlySharder;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/** Serves the {@link ShardService} protocol for one sharder. */
public final class ShardRequestHandler {

  private static final Set<String> FIELDS = Set.of("key", "hash", "keys", "hashes", "n", "op");

  private final ReadOnlySharder sharder;

  public ShardRequestHandler(ReadOnlySharder sharder) {
    this.sharder = sharder;
  }

  /** Answers one request (a message without a reply address gets no answer). */
  public void handle(Message<Object> request) {
    if (request.replyAddress() == null) {
      return;
    }
    try {
      if (request.body() instanceof LookupMessages.Request typed) {
        // Typed requests are checked too: one from another JVM was decoded from JSON by the codec.
        request.reply(lookup(checked(typed)));
        return;
      }
      LookupMessages.Request parsed = parse(request.body());
      request.reply(lookup(parsed).toJson(parsed.batch()));
    } catch (BadRequest e) {
      request.fail(ShardService.BAD_REQUEST, "bad request: " + e.getMessage());
    } catch (NotEnoughNodesException e) {
      request.fail(ShardService.NOT_ENOUGH_NODES, e.getMessage());
    }
  }

  private LookupMessages.Reply lookup(LookupMessages.Request request) {
    List<List<Peer>> owners = new ArrayList<>(request.hashes().length);
    for (int i = 0; i < request.hashes().length; i++) {
      owners.add(sharder.lookup(request.key(i), request.n(), request.op()));
    }
    return new LookupMessages.Reply(owners);
  }

  /**
   * A typed request, checked as a JSON one is.
   *
   * @throws BadRequest for one the protocol does not allow
   */
  static LookupMessages.Request checked(LookupMessages.Request request) {
    if (request.error() != null) {
      throw new BadRequest(request.error());
    }
    count(request.n());
    if (request.op() == null) {
      throw badOp(null);
    }
    if (request.hashes() == null) {
      throw new BadRequest("no hashes");
    }
    int keys = request.hashes().length;
    if (request.batch() && keys > ShardService.MAX_BATCH) {
      throw new BadRequest("hashes has " + keys + " entries; at most " + ShardService.MAX_BATCH);
    }
    if (!request.batch() && keys != 1) {
      throw new BadRequest("a single lookup needs one hash, got " + keys);
    }
    return request;
  }

  /**
   * Reads a request body of the JSON protocol.
   *
   * @throws BadRequest for a body the protocol does not allow
   */
  static LookupMessages.Request parse(Object body) {
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
    Op op = op(json.getValue("op", Op.READ_WRITE.wireName()));
    if (json.containsKey("key")) {
      return new LookupMessages.Request(new long[] {Key.ofString(text("key", json.getValue("key"))).bits()}, false,
          n, op);
    }
    if (json.containsKey("hash")) {
      return new LookupMessages.Request(new long[] {hash("hash", json.getValue("hash")).bits()}, false, n, op);
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
    long[] keys = new long[array.size()];
    for (int i = 0; i < keys.length; i++) {
      Object entry = array.getValue(i);
      keys[i] = (hashes ? hash(field, entry) : Key.ofString(text(field, entry))).bits();
    }
    return new LookupMessages.Request(keys, true, n, op);
  }

  private static int count(Object value) {
    return (int) JsonValues.wholeNumber(value, 0, Integer.MAX_VALUE).orElseThrow(
        () -> new BadRequest("n must be a whole number of at least 0, got " + value));
  }

  private static Op op(Object value) {
    if (value instanceof String text) {
      try {
        return Op.parse(text);
      } catch (IllegalArgumentException e) {
        // reported below in the protocol's words
      }
    }
    throw badOp(value);
  }

  /** The protocol's message names the value as JSON holds it: unquoted, and null for a missing op. */
  private static BadRequest badOp(Object value) {
    return new BadRequest("op must be \"read\" or \"readwrite\", got " + value);
  }

  private static String text(String field, Object value) {
    if (!(value instanceof String text)) {
      throw new BadRequest(field + " must be text, got " + value);
    }
    return text;
  }

  private static Key hash(String field, Object value) {
    // A number is taken only where a double holds it exactly; larger hashes must come as text.
    OptionalLong number = JsonValues.wholeNumber(value, 0, (1L << 53) - 1);
    String text = number.isPresent() ? Long.toString(number.getAsLong()) : value instanceof String s ? s : null;
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
