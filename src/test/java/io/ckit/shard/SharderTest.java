package io.ckit.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** ckit's sharder behaviour, for every kind of sharder. */
class SharderTest {

  static Stream<Arguments> sharders() {
    return Stream.of(
        Arguments.of("ring:256", (Supplier<Sharder>) () -> Sharders.ring(256)),
        Arguments.of("ring:512", (Supplier<Sharder>) () -> Sharders.ring(512)),
        Arguments.of("rendezvous", (Supplier<Sharder>) Sharders::rendezvous),
        Arguments.of("multiprobe", (Supplier<Sharder>) Sharders::multiprobe));
  }

  private static final Peer VIEWER = peer("viewer-peer", PeerState.VIEWER);
  private static final Peer PARTICIPANT = peer("participant-peer", PeerState.PARTICIPANT);
  private static final Peer TERMINATING = peer("terminating-peer", PeerState.TERMINATING);

  @ParameterizedTest(name = "{0}")
  @MethodSource("sharders")
  void readsGoToParticipantsAndTerminatingPeersButNeverViewers(String kind, Supplier<Sharder> factory) {
    Sharder sharder = factory.get();
    sharder.setPeers(List.of(VIEWER));
    assertThatThrownBy(() -> sharder.lookup(new Key(0), 1, Op.READ))
        .isInstanceOf(NotEnoughNodesException.class)
        .hasMessage("not enough nodes: need at least 1, have 0");

    sharder.setPeers(List.of(VIEWER, PARTICIPANT));
    assertThat(sharder.lookup(new Key(0), 1, Op.READ)).containsExactly(PARTICIPANT);

    sharder.setPeers(List.of(VIEWER, TERMINATING));
    assertThat(sharder.lookup(new Key(0), 1, Op.READ)).containsExactly(TERMINATING);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sharders")
  void writesGoToParticipantsOnly(String kind, Supplier<Sharder> factory) {
    Sharder sharder = factory.get();
    sharder.setPeers(List.of(VIEWER, TERMINATING));
    assertThatThrownBy(() -> sharder.lookup(new Key(0), 1, Op.READ_WRITE))
        .isInstanceOf(NotEnoughNodesException.class)
        .hasMessage("not enough nodes: need at least 1, have 0")
        .satisfies(e -> {
          assertThat(((NotEnoughNodesException) e).needed()).isEqualTo(1);
          assertThat(((NotEnoughNodesException) e).available()).isZero();
        });

    sharder.setPeers(List.of(VIEWER, PARTICIPANT, TERMINATING));
    assertThat(sharder.lookup(new Key(0), 1, Op.READ_WRITE)).containsExactly(PARTICIPANT);
    assertThatThrownBy(() -> sharder.lookup(new Key(0), 2, Op.READ_WRITE))
        .hasMessage("not enough nodes: need at least 2, have 1");
    assertThat(sharder.lookup(new Key(0), 2, Op.READ)).containsExactlyInAnyOrder(PARTICIPANT, TERMINATING);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sharders")
  void peersAreTheNonViewersSortedByName(String kind, Supplier<Sharder> factory) {
    Sharder sharder = factory.get();
    assertThat(sharder.peers()).isEmpty();
    sharder.setPeers(List.of(peer("c", PeerState.PARTICIPANT), VIEWER, peer("a", PeerState.TERMINATING),
        peer("b", PeerState.PARTICIPANT)));
    assertThat(sharder.peers()).extracting(Peer::name).containsExactly("a", "b", "c");
    assertThatThrownBy(() -> sharder.peers().clear()).isInstanceOf(UnsupportedOperationException.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sharders")
  void zeroOwnersIsAnEmptyListAndNegativeIsRejected(String kind, Supplier<Sharder> factory) {
    Sharder sharder = factory.get();
    assertThat(sharder.lookup(Key.ofString("k"), 0, Op.READ)).isEmpty();
    sharder.setPeers(nodes(3));
    assertThat(sharder.lookup(Key.ofString("k"), 0, Op.READ_WRITE)).isEmpty();
    assertThatThrownBy(() -> sharder.lookup(Key.ofString("k"), -1, Op.READ))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("number of owners must not be negative, got -1");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sharders")
  void invalidPeerSetsAreRejectedAndLeaveTheOldOneInPlace(String kind, Supplier<Sharder> factory) {
    Sharder sharder = factory.get();
    sharder.setPeers(nodes(3));
    List<Peer> before = sharder.lookup(Key.ofString("k"), 3, Op.READ);
    assertThatThrownBy(() -> sharder.setPeers(List.of(peer("a", PeerState.PARTICIPANT), peer("a", PeerState.VIEWER))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("duplicate peer name \"a\"");
    assertThatThrownBy(() -> sharder.setPeers(Arrays.asList(PARTICIPANT, null)))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> sharder.setPeers(null)).isInstanceOf(NullPointerException.class);
    assertThat(sharder.lookup(Key.ofString("k"), 3, Op.READ)).isEqualTo(before);
    assertThatThrownBy(() -> sharder.lookup(null, 1, Op.READ)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> sharder.lookup(Key.ofString("k"), 1, null)).isInstanceOf(NullPointerException.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sharders")
  void lookupsReturnDistinctImmutableOwnersThatExtendFewerOwners(String kind, Supplier<Sharder> factory) {
    Sharder sharder = factory.get();
    List<Peer> peers = nodes(20);
    sharder.setPeers(peers);
    Random random = new Random(7);
    for (int i = 0; i < 200; i++) {
      Key key = new Key(random.nextLong());
      List<Peer> all = sharder.lookup(key, 20, Op.READ_WRITE);
      assertThat(all).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(peers);
      for (int n = 1; n < 20; n++) {
        assertThat(sharder.lookup(key, n, Op.READ_WRITE)).isEqualTo(all.subList(0, n));
      }
    }
    List<Peer> owners = sharder.lookup(Key.ofString("k"), 2, Op.READ);
    assertThatThrownBy(() -> owners.set(0, VIEWER)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> owners.get(2)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sharders")
  void theSameInputsGiveTheSameOwnersOnEverySharder(String kind, Supplier<Sharder> factory) {
    Sharder first = factory.get();
    Sharder second = factory.get();
    List<Peer> peers = nodes(30);
    first.setPeers(peers);
    List<Peer> shuffled = new ArrayList<>(peers);
    Collections.shuffle(shuffled, new Random(3));
    second.setPeers(shuffled);
    for (int i = 0; i < 1000; i++) {
      Key key = Key.ofString("key-" + i);
      assertThat(second.lookup(key, 3, Op.READ)).isEqualTo(first.lookup(key, 3, Op.READ));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sharders")
  void aSharderThatLivedThroughChangesAnswersLikeANewOne(String kind, Supplier<Sharder> factory) {
    Random random = new Random(kind.hashCode());
    Sharder lived = factory.get();
    Map<String, Peer> members = new HashMap<>();
    PeerState[] states = PeerState.values();
    for (int change = 0; change < 60; change++) {
      // Some nodes join, leave or change state, several at a time now and then.
      int edits = random.nextInt(10) == 0 ? 1 + random.nextInt(15) : 1;
      for (int e = 0; e < edits; e++) {
        String name = "n" + random.nextInt(40);
        if (members.containsKey(name) && random.nextBoolean()) {
          members.remove(name);
        } else {
          members.put(name, peer(name, states[random.nextInt(states.length)]));
        }
      }
      List<Peer> peers = new ArrayList<>(members.values());
      lived.setPeers(peers);
      Sharder fresh = factory.get();
      fresh.setPeers(peers);
      assertThat(lived.peers()).isEqualTo(fresh.peers());
      for (Op op : Op.values()) {
        int eligible = (int) peers.stream()
            .filter(p -> p.state() == PeerState.PARTICIPANT || (op == Op.READ && p.state() == PeerState.TERMINATING))
            .count();
        for (int k = 0; k < 50; k++) {
          Key key = new Key(random.nextLong());
          int n = Math.min(eligible, 3);
          assertThat(lived.lookup(key, n, op)).isEqualTo(fresh.lookup(key, n, op));
        }
      }
    }
  }

  /** ckit's TestHashes_Consistent: removing an owner promotes the next one. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("sharders")
  void removingAnOwnerPromotesTheNextOne(String kind, Supplier<Sharder> factory) {
    Sharder sharder = factory.get();
    List<Peer> nodes = List.of(peer("node-a", PeerState.PARTICIPANT), peer("node-b", PeerState.PARTICIPANT),
        peer("node-c", PeerState.PARTICIPANT));
    Key key = Key.ofString("some-key");

    sharder.setPeers(nodes);
    List<Peer> allOwners = sharder.lookup(key, nodes.size(), Op.READ_WRITE);
    assertThat(allOwners).containsExactlyInAnyOrderElementsOf(nodes);

    sharder.setPeers(allOwners.subList(1, 3));
    List<Peer> newOwners = sharder.lookup(key, 2, Op.READ_WRITE);
    assertThat(newOwners).hasSize(2);
    assertThat(newOwners.get(0)).as("hash not using consistent hashing").isEqualTo(allOwners.get(1));

    sharder.setPeers(List.of(allOwners.get(0), allOwners.get(2)));
    newOwners = sharder.lookup(key, 2, Op.READ_WRITE);
    assertThat(newOwners).hasSize(2);
    assertThat(newOwners.get(1)).as("hash not using consistent hashing").isEqualTo(allOwners.get(2));
  }

  /**
   * ckit's TestHashes_Distribution: 10 nodes, 100k random keys, every node within 25% of its fair share.
   *
   * <p>Go's test names its nodes randomly too, from Go's seeded generator. Here the nodes are {@code
   * node_1..node_10}: ckit's multiprobe (which must stay bit-identical to Go's) balances 10 nodes unevenly for
   * some name sets; for about a quarter of random 10-name sets one node gets under 75% of its share.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("sharders")
  void keysSpreadEvenlyOverTenNodes(String kind, Supplier<Sharder> factory) {
    int numNodes = 10;
    int numKeys = 10_000 * numNodes;
    int fair = numKeys / numNodes;
    int min = fair - (int) Math.floor(0.25 * fair);
    int max = fair + (int) Math.ceil(0.25 * fair);
    Random random = new Random(0);
    List<Peer> nodes = nodes(numNodes);
    Sharder sharder = factory.get();
    sharder.setPeers(nodes);

    Map<Peer, Integer> counts = new HashMap<>();
    nodes.forEach(node -> counts.put(node, 0));
    for (int i = 0; i < numKeys; i++) {
      counts.merge(sharder.lookup(Key.ofString(randomHex(random)), 1, Op.READ_WRITE).get(0), 1, Integer::sum);
    }

    double[] shares = counts.values().stream().mapToDouble(count -> 100.0 * count / fair).sorted().toArray();
    System.out.printf("%s distribution stats: min %.1f%%, median %.1f%%, max %.1f%%%n",
        kind, shares[0], (shares[4] + shares[5]) / 2, shares[9]);
    assertThat(counts.values()).allSatisfy(count -> assertThat(count).isBetween(min, max));
  }

  @Test
  void shardersParseFromTheirTextForm() {
    assertThat(Sharders.parse("ring")).hasToString("ring:256");
    assertThat(Sharders.parse("ring:512")).hasToString("ring:512");
    assertThat(Sharders.parse("rendezvous")).hasToString("rendezvous");
    assertThat(Sharders.parse("multiprobe")).hasToString("multiprobe");
    for (String bad : List.of("", "ring:", "ring:x", "ring:-1", "Ring", "maglev", "ring:99999999999")) {
      assertThatThrownBy(() -> Sharders.parse(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("unknown sharder \"" + bad + "\"");
    }
    assertThatThrownBy(() -> Sharders.parse("ring:0")).hasMessage("ring tokens must be within 1..16384, got 0");
    assertThatThrownBy(() -> Sharders.ring(16_385)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aParsedSharderOwnsKeysLikeTheOneItNames() {
    Sharder parsed = Sharders.parse("ring:128");
    Sharder made = Sharders.ring(128);
    parsed.setPeers(nodes(5));
    made.setPeers(nodes(5));
    assertThat(parsed.lookup(Key.ofString("x"), 5, Op.READ)).isEqualTo(made.lookup(Key.ofString("x"), 5, Op.READ));
  }

  private static String randomHex(Random random) {
    byte[] bytes = new byte[5];
    random.nextBytes(bytes);
    StringBuilder text = new StringBuilder();
    for (byte b : bytes) {
      text.append(String.format("%02x", b));
    }
    return text.toString();
  }

  static List<Peer> nodes(int count) {
    return IntStream.rangeClosed(1, count).mapToObj(i -> peer("node_" + i, PeerState.PARTICIPANT)).toList();
  }

  static Peer peer(String name, PeerState state) {
    return new Peer(name, "127.0.0.1:7946", false, state);
  }
}
