package io.ckit.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.NodeInfo;

/** Checks of the JSON the cluster manager's routes receive: each failure names the field. */
final class Checks {

  /** The longest text (name, run, address) the routes accept. */
  static final int MAX_TEXT = 4096;

  private Checks() {}

  static String text(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (!(value instanceof String) || ((String) value).isEmpty()) {
      throw new IllegalArgumentException(field + ": a non-empty text is required");
    }
    String text = (String) value;
    if (text.length() > MAX_TEXT) {
      throw new IllegalArgumentException(field + ": longer than " + MAX_TEXT + " characters");
    }
    return text;
  }

  static long nonNegative(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (!(value instanceof Number) || value instanceof Double || value instanceof Float
        || ((Number) value).longValue() < 0) {
      throw new IllegalArgumentException(field + ": a whole number >= 0 is required");
    }
    return ((Number) value).longValue();
  }

  static JsonArray array(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (!(value instanceof JsonArray)) {
      throw new IllegalArgumentException(field + ": an array is required");
    }
    return (JsonArray) value;
  }

  static NodeInfo info(Object value, String field) {
    if (!(value instanceof JsonObject)) {
      throw new IllegalArgumentException(field + ": an object is required");
    }
    JsonObject json = (JsonObject) value;
    String host = text(json, "host");
    long port = nonNegative(json, "port");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(field + ".port: " + port + " is not a port");
    }
    Object metadata = json.getValue("metadata");
    if (metadata != null && !(metadata instanceof JsonObject)) {
      throw new IllegalArgumentException(field + ".metadata: an object is required");
    }
    return new NodeInfo(host, (int) port, (JsonObject) metadata);
  }

  /** Checks one change (add, remove, info) and returns it. */
  static JsonObject op(JsonObject op, String where) {
    try {
      String kind = text(op, "op");
      switch (kind) {
        case "add":
        case "remove":
          text(op, "address");
          if (!(op.getValue("seq") instanceof Number)) {
            throw new IllegalArgumentException("seq: a number is required");
          }
          nonNegative(op, "seq");
          if (!(op.getValue("localOnly") instanceof Boolean)) {
            throw new IllegalArgumentException("localOnly: true or false is required");
          }
          return op;
        case "info":
          info(op.getValue("info"), "info");
          return op;
        default:
          throw new IllegalArgumentException("op: \"" + kind + "\" is none of add, remove, info");
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + "." + e.getMessage(), e);
    }
  }
}
