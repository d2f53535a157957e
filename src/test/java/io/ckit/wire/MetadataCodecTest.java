package io.ckit.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ckit.testing.ReferenceVectors;
import io.ckit.wire.Message.Alive;
import io.ckit.wire.Message.PushNodeState;
import io.ckit.wire.Message.PushPull;
import io.ckit.wire.WireDecodeException.Kind;
import io.vertx.core.json.JsonObject;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Node metadata in memberlist's {@code Meta}: its own form round-trips, Go's {@code Meta} (nil, empty, text,
 * 512 bytes) reads as no metadata, and alive and push/pull messages carrying it are memberlist's bytes with only
 * {@code Meta} different, so a Go node decodes them as it decodes its own.
 */
class MetadataCodecTest {

  private static final HexFormat HEX = HexFormat.of();
  private static final MessageCodec CODEC = new MessageCodec();

  @Test
  void metadataRoundTripsSortedAndEqualMapsEncodeToEqualBytes() {
    Map<String, String> inOrder = new LinkedHashMap<>();
    inOrder.put("zone", "eu-west-1a");
    inOrder.put("version", "1.2");
    inOrder.put("ünïcode", "välue ✓");
    Map<String, String> reversed = new LinkedHashMap<>();
    reversed.put("ünïcode", "välue ✓");
    reversed.put("version", "1.2");
    reversed.put("zone", "eu-west-1a");

    ByteString bytes = MetadataCodec.encode(inOrder);
    assertThat(bytes).isEqualTo(MetadataCodec.encode(reversed));
    assertThat(bytes.hex()).startsWith("c14d01" + "83" + "a7" + HEX.formatHex("version".getBytes()));
    Map<String, String> decoded = MetadataCodec.decode(bytes);
    assertThat(decoded).isEqualTo(inOrder);
    assertThat(decoded.keySet()).containsExactly("version", "zone", "ünïcode");
    assertThat(MetadataCodec.isMetadata(bytes)).isTrue();
  }

  @Test
  void noMetadataIsNilAsGoCkitSendsIt() {
    assertThat(MetadataCodec.encode(Map.of())).isNull();
    assertThat(MetadataCodec.decode(null)).isEmpty();
  }

  @Test
  void goNodesMetaReadsAsNoMetadata() {
    // alive/with-meta holds "zone=eu-west-1" as text, alive/meta-512 512 'Z's, alive/empty-nonnil-meta "".
    for (String name : List.of("alive/with-meta", "alive/empty-nonnil-meta", "alive/meta-512",
        "alive/ckit-default-ipv4")) {
      Alive alive = (Alive) CODEC.decode(HEX.parseHex(vector(name).getString("hex")));
      assertThat(MetadataCodec.decode(alive.meta())).as(name).isEmpty();
    }
  }

  @Test
  void metadataOfMemberlistsLimitIsAcceptedAndOneByteMoreIsNot() {
    // Header 3 + map header 1 + key "k" 2 + value header 3 (raw16) + n: 512 bytes for n = 503.
    ByteString largest = MetadataCodec.encode(Map.of("k", "v".repeat(503)));
    assertThat(largest.length()).isEqualTo(MetadataCodec.MAX_BYTES);
    assertThat(MetadataCodec.decode(largest)).containsEntry("k", "v".repeat(503));
    assertThatThrownBy(() -> MetadataCodec.encode(Map.of("k", "v".repeat(504))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("encoded to 513 bytes, more than memberlist's limit of 512");
    assertThatThrownBy(() -> MetadataCodec.encode(Map.of("", "x")))
        .hasMessage("keys must not be empty");
    Map<String, String> nulls = new java.util.HashMap<>();
    nulls.put("zone", null);
    assertThatThrownBy(() -> MetadataCodec.encode(nulls)).hasMessage("the value of \"zone\" is missing");
    nulls.clear();
    nulls.put(null, "x");
    assertThatThrownBy(() -> MetadataCodec.encode(nulls)).hasMessage("keys must not be empty");
  }

  @Test
  void bytesInThisFormThatAreNotAMapOfTextsAreRefused() {
    assertThatThrownBy(() -> MetadataCodec.decode(ByteString.fromHex("c14d01")))
        .isInstanceOfSatisfying(WireDecodeException.class, e -> assertThat(e.kind()).isEqualTo(Kind.TRUNCATED));
    assertThatThrownBy(() -> MetadataCodec.decode(ByteString.fromHex("c14d0101")))
        .isInstanceOfSatisfying(WireDecodeException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_MSGPACK));
    // A map of one entry and a byte too many.
    assertThatThrownBy(() -> MetadataCodec.decode(ByteString.fromHex("c14d0181a16ba17600")))
        .isInstanceOf(WireDecodeException.class);
    // A key given twice.
    assertThatThrownBy(() -> MetadataCodec.decode(ByteString.fromHex("c14d0182a16ba176a16ba177")))
        .isInstanceOfSatisfying(WireDecodeException.class,
            e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_FIELD));
  }

  @Test
  void anAliveWithMetadataIsGosAliveWithOnlyMetaChanged() {
    JsonObject vector = vector("alive/with-meta");
    Alive go = (Alive) CODEC.decode(HEX.parseHex(vector.getString("hex")));
    ByteString meta = MetadataCodec.encode(Map.of("zone", "eu-west-1", "version", "1.2"));
    Alive ours = new Alive(go.incarnation(), go.node(), go.addr(), go.port(), meta, go.vsn());

    byte[] encoded = CODEC.encode(ours);
    String expected = vector.getString("hex").replace(metaField(go.meta()), metaField(meta));
    assertThat(HEX.formatHex(encoded)).isEqualTo(expected);
    Alive decoded = (Alive) CODEC.decode(encoded);
    assertThat(decoded).isEqualTo(ours);
    assertThat(MetadataCodec.decode(decoded.meta())).containsEntry("zone", "eu-west-1").containsEntry("version",
        "1.2");
  }

  @Test
  void aPushPullWithMetadataRoundTripsThroughTheStreamCodec() {
    JsonObject fragment = vector("fragment/pushNodeState-alive");
    PushNodeState go = VectorFields.pushNodeState(fragment.getJsonObject("fields"));
    ByteString meta = MetadataCodec.encode(Map.of("zone", "b"));
    PushNodeState ours = new PushNodeState(go.name(), go.addr(), go.port(), meta, go.incarnation(), go.state(),
        go.vsn());
    assertThat(HEX.formatHex(MessageCodec.encodePushNodeState(ours)))
        .isEqualTo(fragment.getString("hex").replace(metaField(null), metaField(meta)));

    PushPull pushPull = new PushPull(true, List.of(ours, go), ByteString.fromHex("81a3616263a0"));
    StreamCodec streams = new StreamCodec(CODEC, "", null, true);
    byte[] wire = streams.encode(pushPull);
    PushPull decoded = (PushPull) ((Message.Compress) streams.decode(wire, 0, wire.length).message()).inner();
    assertThat(decoded).isEqualTo(pushPull);
    assertThat(MetadataCodec.decode(decoded.states().get(0).meta())).isEqualTo(Map.of("zone", "b"));
    assertThat(MetadataCodec.decode(decoded.states().get(1).meta())).isEmpty();
  }

  /** "Meta" and its value as go-msgpack writes them: a raw string (or nil). */
  private static String metaField(ByteString meta) {
    String key = "a44d657461";
    if (meta == null) {
      return key + "c0";
    }
    int length = meta.length();
    String header = length < 32 ? String.format("%02x", 0xa0 | length) : String.format("da%04x", length);
    return key + header + meta.hex();
  }

  private static JsonObject vector(String name) {
    JsonObject[] found = new JsonObject[1];
    ReferenceVectors.forEachLine("wire/memberlist-messages.jsonl.gz", vector -> {
      if (vector.getString("name").equals(name)) {
        found[0] = vector;
      }
    });
    assertThat(found[0]).as("vector %s", name).isNotNull();
    return found[0];
  }
}
