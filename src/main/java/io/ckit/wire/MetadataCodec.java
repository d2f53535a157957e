package io.ckit.wire;

import io.ckit.wire.WireDecodeException.Kind;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A node's metadata (a small map of text keys to text values) in memberlist's {@code Meta} bytes, which every
 * alive message and push/pull node state carries and memberlist passes on without reading.
 *
 * <p>The form: {@code 0xC1 0x4D 0x01} (0xC1 is the one byte msgpack never uses, so no msgpack value and no
 * text another application may put in {@code Meta} starts with it; then "M" and the form's version, 1), then a
 * msgpack map of raw strings, keys in UTF-8 byte order, so equal maps encode to equal bytes (memberlist
 * compares {@code Meta} to decide whether a member changed). At most {@value #MAX_BYTES} bytes: memberlist's
 * {@code MetaMaxSize}.
 *
 * <p>Go ckit sets no {@code Meta} (nil) and ignores the {@code Meta} of others, so a cluster with Go ckit nodes
 * carries this form unchanged; {@code Meta} bytes in another form (nil, empty, another application's) decode
 * as no metadata. Thread-safe; no state.
 */
public final class MetadataCodec {

  /** memberlist's limit on {@code Meta}: larger metadata is refused when the node is created. */
  public static final int MAX_BYTES = 512;

  private static final byte[] HEADER = {(byte) 0xC1, 'M', 1};
  private static final Comparator<String> UTF8_ORDER = Comparator.comparing(
      key -> key.getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned);

  private MetadataCodec() {}

  /**
   * The {@code Meta} bytes of a map: null (what Go ckit sends) for an empty one.
   *
   * @throws IllegalArgumentException if a key is empty, a key or value is null, or the result is larger than
   *     {@value #MAX_BYTES} bytes (the message gives the size)
   */
  public static ByteString encode(Map<String, String> metadata) {
    if (metadata.isEmpty()) {
      return null;
    }
    for (Map.Entry<String, String> entry : metadata.entrySet()) {
      if (entry.getKey() == null || entry.getKey().isEmpty()) {
        throw new IllegalArgumentException("keys must not be empty");
      }
      if (entry.getValue() == null) {
        throw new IllegalArgumentException("the value of \"" + entry.getKey() + "\" is missing");
      }
    }
    List<String> keys = metadata.keySet().stream().sorted(UTF8_ORDER).toList();
    GoMsgpackWriter out = new GoMsgpackWriter().raw(HEADER).mapHeader(keys.size());
    for (String key : keys) {
      out.string(key).string(metadata.get(key));
    }
    byte[] bytes = out.toByteArray();
    if (bytes.length > MAX_BYTES) {
      throw new IllegalArgumentException("encoded to " + bytes.length + " bytes, more than memberlist's limit of "
          + MAX_BYTES + " (each entry takes its UTF-8 key and value plus 2 to 10 bytes)");
    }
    return ByteString.wrap(bytes);
  }

  /**
   * The metadata in a member's {@code Meta} bytes: an immutable map sorted by key, empty for null or bytes
   * in another form.
   *
   * @throws WireDecodeException bytes that begin with this form's header but do not hold a map of strings
   *     (or hold more than {@value #MAX_BYTES} bytes)
   */
  public static Map<String, String> decode(ByteString meta) {
    if (meta == null || !isMetadata(meta)) {
      return Map.of();
    }
    if (meta.length() > MAX_BYTES) {
      throw new WireDecodeException(Kind.TOO_LARGE, "node metadata of " + meta.length() + " bytes is above "
          + MAX_BYTES);
    }
    byte[] bytes = meta.array();
    GoMsgpackReader in = new GoMsgpackReader(bytes, HEADER.length, bytes.length - HEADER.length,
        "node metadata");
    int entries = in.mapHeader();
    TreeMap<String, String> map = new TreeMap<>();
    for (int i = 0; i < entries; i++) {
      String key = in.string("key");
      String value = in.string(key);
      if (key.isEmpty() || map.put(key, value) != null) {
        throw new WireDecodeException(Kind.INVALID_FIELD, "node metadata: empty or repeated key \"" + key + "\"");
      }
    }
    in.requireEnd();
    return Collections.unmodifiableMap(map);
  }

  /** Whether {@code Meta} bytes are in this form (begin with its header). */
  public static boolean isMetadata(ByteString meta) {
    if (meta == null || meta.length() < HEADER.length) {
      return false;
    }
    for (int i = 0; i < HEADER.length; i++) {
      if (meta.byteAt(i) != HEADER[i]) {
        return false;
      }
    }
    return true;
  }
}
