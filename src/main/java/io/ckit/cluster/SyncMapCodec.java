package io.ckit.cluster;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Base64;

/**
 * The sync map's keys and values as text, a type letter and a colon before the value: {@code s:} String,
 * {@code l:} Long, {@code i:} Integer, {@code h:} Short, {@code y:} Byte, {@code d:} Double, {@code f:} Float,
 * {@code b:} Boolean, {@code c:} Character, {@code j:} JsonObject, {@code a:} JsonArray, {@code B:} Buffer
 * (base64), {@code Y:} byte[] (base64). Only values that are plain data cross the network: no Java
 * serialization, so nothing a peer sends can make this node load or run a class of the peer's choosing.
 *
 * <p>Stateless; safe from any thread.
 */
final class SyncMapCodec {

  private SyncMapCodec() {}

  /**
   * @throws NullPointerException naming {@code what} when {@code value} is null
   * @throws IllegalArgumentException when its type is none of the supported ones
   */
  static String encode(Object value, String what) {
    if (value == null) {
      throw new NullPointerException("sync map " + what + ": null is not allowed");
    }
    if (value instanceof String) {
      return "s:" + value;
    } else if (value instanceof Long) {
      return "l:" + value;
    } else if (value instanceof Integer) {
      return "i:" + value;
    } else if (value instanceof Short) {
      return "h:" + value;
    } else if (value instanceof Byte) {
      return "y:" + value;
    } else if (value instanceof Double) {
      return "d:" + value;
    } else if (value instanceof Float) {
      return "f:" + value;
    } else if (value instanceof Boolean) {
      return "b:" + value;
    } else if (value instanceof Character) {
      return "c:" + value;
    } else if (value instanceof JsonObject) {
      return "j:" + ((JsonObject) value).encode();
    } else if (value instanceof JsonArray) {
      return "a:" + ((JsonArray) value).encode();
    } else if (value instanceof Buffer) {
      return "B:" + Base64.getEncoder().encodeToString(((Buffer) value).getBytes());
    } else if (value instanceof byte[]) {
      return "Y:" + Base64.getEncoder().encodeToString((byte[]) value);
    }
    throw new IllegalArgumentException("sync map " + what + ": " + value.getClass().getName() + " is not supported "
        + "(String, a boxed primitive, JsonObject, JsonArray, Buffer or byte[])");
  }

  /**
   * @throws IllegalArgumentException naming what is wrong with the text
   */
  static Object decode(String text) {
    if (text.length() < 2 || text.charAt(1) != ':') {
      throw new IllegalArgumentException("no type prefix");
    }
    String body = text.substring(2);
    try {
      switch (text.charAt(0)) {
        case 's':
          return body;
        case 'l':
          return Long.parseLong(body);
        case 'i':
          return Integer.parseInt(body);
        case 'h':
          return Short.parseShort(body);
        case 'y':
          return Byte.parseByte(body);
        case 'd':
          return Double.parseDouble(body);
        case 'f':
          return Float.parseFloat(body);
        case 'b':
          if (!body.equals("true") && !body.equals("false")) {
            throw new IllegalArgumentException("\"" + body + "\" is not a boolean");
          }
          return Boolean.valueOf(body);
        case 'c':
          if (body.length() != 1) {
            throw new IllegalArgumentException("not one character");
          }
          return body.charAt(0);
        case 'j':
          return new JsonObject(body);
        case 'a':
          return new JsonArray(body);
        case 'B':
          return Buffer.buffer(Base64.getDecoder().decode(body));
        case 'Y':
          return Base64.getDecoder().decode(body);
        default:
          throw new IllegalArgumentException("unknown type '" + text.charAt(0) + "'");
      }
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException("bad JSON: " + e.getMessage(), e);
    }
  }
}
