package io.ckit.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import io.ckit.testing.ReferenceVectors;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every reference vector captured from Go ckit gives the same answer here. */
class ReferenceVectorsTest {

  @Test
  void keysHashLikeGoCkitForEveryXxhashVector() {
    Set<String> via = new HashSet<>();
    KeyBuilder reused = new KeyBuilder();
    int lines = ReferenceVectors.forEachLine("xxhash-vectors.jsonl.gz", vector -> {
      byte[] input = ReferenceVectors.hex(vector.getString("inputHex"));
      Key expected = Key.parse(vector.getString("sum64"));
      assertThat(input).hasSize(vector.getInteger("len"));
      assertThat(Key.ofBytes(input)).isEqualTo(expected);
      String text = vector.getString("input");
      if (text != null) {
        assertThat(Key.ofString(text)).isEqualTo(expected);
      }
      if (vector.getString("via").equals("KeyBuilder")) {
        KeyBuilder fresh = new KeyBuilder();
        reused.reset();
        for (String part : ReferenceVectors.strings(vector, "partsHex")) {
          fresh.write(ReferenceVectors.hex(part));
          reused.write(ReferenceVectors.hex(part));
        }
        assertThat(fresh.key()).isEqualTo(expected);
        assertThat(reused.key()).isEqualTo(expected);
        JsonArray parts = vector.getJsonArray("parts");
        if (parts != null) {
          KeyBuilder fromStrings = new KeyBuilder();
          parts.forEach(part -> fromStrings.write((String) part));
          assertThat(fromStrings.key()).isEqualTo(expected);
        }
      }
      assertThat(expected.toString()).isEqualTo(vector.getString("sum64"));
      via.add(vector.getString("via"));
    });
    assertThat(lines).isEqualTo(306);
    assertThat(via).containsExactlyInAnyOrder("StringKey", "Sum64", "KeyBuilder");
  }

  @Test
  void shardersGiveGoCkitsOwnersForEveryShardVector() {
    Map<String, Sharder> sharders = new HashMap<>();
    Map<String, String> peerSetOf = new HashMap<>();
    int[] errors = {0};
    int lines = ReferenceVectors.forEachLine("shard-vectors.jsonl.gz", vector -> {
      String kind = vector.getString("sharder");
      Sharder sharder = sharders.computeIfAbsent(kind, ReferenceVectorsTest::sharderFor);
      String peerSet = vector.getString("peerSet");
      List<Peer> peers = peers(vector.getJsonArray("peers"));
      if (!peerSet.equals(peerSetOf.put(kind, peerSet))) {
        sharder.setPeers(peers);
        assertThat(sharder.peers()).isEqualTo(expectedPeers(peers));
      }
      Key key = Key.parse(vector.getString("key"));
      String keyString = vector.getString("keyString");
      if (keyString != null) {
        assertThat(Key.ofString(keyString)).isEqualTo(key);
      }
      int n = vector.getInteger("n");
      Op op = switch (vector.getString("op")) {
        case "Read" -> Op.READ;
        case "ReadWrite" -> Op.READ_WRITE;
        default -> throw new AssertionError("unknown op " + vector.getString("op"));
      };
      String error = vector.getString("error");
      if (error != null) {
        errors[0]++;
        assertThatThrownBy(() -> sharder.lookup(key, n, op))
            .isInstanceOf(NotEnoughNodesException.class)
            .hasMessage(error);
      } else {
        List<String> owners = sharder.lookup(key, n, op).stream().map(Peer::name).toList();
        assertThat(owners).isEqualTo(ReferenceVectors.strings(vector, "owners"));
      }
    });
    assertThat(lines).isEqualTo(34_050);
    assertThat(sharders).containsOnlyKeys("ring-128", "ring-256", "ring-512", "rendezvous", "multiprobe");
    assertThat(errors[0]).isPositive();
  }

  private static Sharder sharderFor(String kind) {
    return switch (kind) {
      case "ring-128" -> Sharders.ring(128);
      case "ring-256" -> Sharders.ring(256);
      case "ring-512" -> Sharders.ring(512);
      case "rendezvous" -> Sharders.rendezvous();
      case "multiprobe" -> Sharders.multiprobe();
      default -> throw new AssertionError("unknown sharder in vectors: " + kind);
    };
  }

  private static List<Peer> peers(JsonArray array) {
    List<Peer> peers = new ArrayList<>();
    for (Object value : array) {
      JsonObject json = (JsonObject) value;
      peers.add(new Peer(json.getString("name"), "", false, PeerState.fromString(json.getString("state"))));
    }
    return peers;
  }

  /** Non-viewers sorted by UTF-8 bytes, the way Go orders names. */
  private static List<Peer> expectedPeers(List<Peer> peers) {
    return peers.stream()
        .filter(peer -> peer.state() != PeerState.VIEWER)
        .sorted((a, b) -> Arrays.compareUnsigned(
            a.name().getBytes(StandardCharsets.UTF_8), b.name().getBytes(StandardCharsets.UTF_8)))
        .toList();
  }
}
