package io.ckit.cluster;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.shareddata.ClusterSerializable;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/**
 * Keys and values of the shared data as bytes: what the owners store and compare. The owners never decode
 * them; only the node that reads a value back does, with its own class loader. One tag byte says the form:
 * a text as UTF-8, a {@link Buffer} as its bytes, another {@link ClusterSerializable} as its class name and
 * what it writes of itself, anything else {@link Serializable} by Java serialization. The same object always
 * gives the same bytes, so {@code removeIfPresent} and {@code replaceIfPresent} compare bytes.
 *
 * <p>Trust: a value's bytes come from a node of the cluster, as an event-bus message's do; a node reading
 * what another wrote runs its {@code readFromBuffer} or Java deserialization.
 */
final class SharedValues {

  private static final byte STRING = 1;
  private static final byte BUFFER = 2;
  private static final byte CLUSTER_SERIALIZABLE = 3;
  private static final byte SERIALIZABLE = 4;
  private static final byte LONG = 5;
  private static final byte INTEGER = 6;

  private SharedValues() {}

  /**
   * @throws IllegalArgumentException for null or a value that is neither ClusterSerializable nor Serializable
   */
  static byte[] encode(Object value) {
    if (value == null) {
      throw new IllegalArgumentException("null cannot be a key or a value of a shared map");
    }
    if (value instanceof String) {
      return tagged(STRING, ((String) value).getBytes(StandardCharsets.UTF_8));
    }
    if (value instanceof Long) {
      return Buffer.buffer(9).appendByte(LONG).appendLong((Long) value).getBytes();
    }
    if (value instanceof Integer) {
      return Buffer.buffer(5).appendByte(INTEGER).appendInt((Integer) value).getBytes();
    }
    if (value instanceof Buffer) {
      return tagged(BUFFER, ((Buffer) value).getBytes());
    }
    if (value instanceof ClusterSerializable) {
      byte[] className = value.getClass().getName().getBytes(StandardCharsets.UTF_8);
      Buffer buffer = Buffer.buffer().appendByte(CLUSTER_SERIALIZABLE).appendUnsignedShort(className.length)
          .appendBytes(className);
      ((ClusterSerializable) value).writeToBuffer(buffer);
      return buffer.getBytes();
    }
    if (value instanceof Serializable) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      bytes.write(SERIALIZABLE);
      try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
        out.writeObject(value);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot serialize a " + value.getClass().getName() + ": " + e, e);
      }
      return bytes.toByteArray();
    }
    throw new IllegalArgumentException("a " + value.getClass().getName()
        + " is neither ClusterSerializable nor Serializable");
  }

  private static byte[] tagged(byte tag, byte[] payload) {
    byte[] out = new byte[payload.length + 1];
    out[0] = tag;
    System.arraycopy(payload, 0, out, 1, payload.length);
    return out;
  }

  /**
   * Reads bytes {@link #encode} wrote, with the calling thread's class loader (else this class's).
   *
   * @throws IllegalStateException naming what could not be read
   */
  @SuppressWarnings("unchecked")
  static <T> T decode(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    if (bytes.length == 0) {
      throw new IllegalStateException("an empty shared value");
    }
    Buffer buffer = Buffer.buffer(bytes);
    try {
      switch (bytes[0]) {
        case STRING:
          return (T) new String(bytes, 1, bytes.length - 1, StandardCharsets.UTF_8);
        case LONG:
          return (T) Long.valueOf(buffer.getLong(1));
        case INTEGER:
          return (T) Integer.valueOf(buffer.getInt(1));
        case BUFFER:
          return (T) buffer.getBuffer(1, bytes.length);
        case CLUSTER_SERIALIZABLE: {
          int length = buffer.getUnsignedShort(1);
          if (3 + length > bytes.length) {
            throw new IllegalStateException("class name longer than the value");
          }
          String className = buffer.getString(3, 3 + length, "UTF-8");
          Class<?> type = Class.forName(className, false, loader());
          if (!ClusterSerializable.class.isAssignableFrom(type)) {
            throw new IllegalStateException(className + " is not ClusterSerializable");
          }
          ClusterSerializable value = (ClusterSerializable) type.getDeclaredConstructor().newInstance();
          value.readFromBuffer(3 + length, buffer);
          return (T) value;
        }
        case SERIALIZABLE: {
          ClassLoader loader = loader();
          try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes, 1, bytes.length - 1)) {
            @Override
            protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
              try {
                return Class.forName(desc.getName(), false, loader);
              } catch (ClassNotFoundException e) {
                return super.resolveClass(desc);
              }
            }
          }) {
            return (T) in.readObject();
          }
        }
        default:
          throw new IllegalStateException("unknown tag " + bytes[0]);
      }
    } catch (IllegalStateException e) {
      throw e;
    } catch (Exception | LinkageError e) {
      throw new IllegalStateException("cannot read a shared value: " + e, e);
    }
  }

  private static ClassLoader loader() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    return loader != null ? loader : SharedValues.class.getClassLoader();
  }
}
