package io.ckit.shard;

import com.dynatrace.hash4j.hashing.HashStream64;
import io.ckit.shard.impl.Xxh64;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Builds a {@link Key} from data written in pieces, as ckit's {@code shard.KeyBuilder} does: the key is the
 * xxHash64 (seed 0) of everything written since creation or the last {@link #reset()}, so writing "ab" then
 * "c" gives the same key as {@code Key.ofString("abc")}.
 *
 * <p>Concurrency: a builder keeps mutable state and must not be shared between threads without external
 * synchronization; create one per thread or per use.
 */
public final class KeyBuilder {

  private final HashStream64 stream = Xxh64.newStream();

  /** Appends bytes to the data being hashed. */
  public KeyBuilder write(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    stream.putBytes(bytes);
    return this;
  }

  /** Appends {@code length} bytes of {@code bytes} starting at {@code offset}. */
  public KeyBuilder write(byte[] bytes, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, bytes.length);
    stream.putBytes(bytes, offset, length);
    return this;
  }

  /** Appends the UTF-8 bytes of a string. */
  public KeyBuilder write(String s) {
    Objects.requireNonNull(s, "s");
    return write(s.getBytes(StandardCharsets.UTF_8));
  }

  /** The key of everything written so far. The builder is left as it was; more may be written after. */
  public Key key() {
    return new Key(stream.getAsLong());
  }

  /** Forgets everything written, so the builder can make another key. */
  public void reset() {
    stream.reset();
  }
}
