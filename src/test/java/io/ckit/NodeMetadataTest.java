package io.ckit;

import static io.ckit.TestNodes.await;
import static io.ckit.TestNodes.waitFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ckit.peer.Peer;
import io.ckit.testing.Poll;
import io.ckit.wire.MemberState;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Node metadata on a real three-node cluster over HTTP/2 on loopback: peers, event-bus feed, updates. */
@ExtendWith(VertxExtension.class)
class NodeMetadataTest {

  private static final Map<String, Map<String, String>> METADATA = Map.of(
      "node-a", Map.of("zone", "a", "version", "1.2"),
      "node-b", Map.of("zone", "b"),
      "node-c", Map.of("zone", "c", "rack", "r7"));

  private Vertx vertx;
  private TestNodes nodes;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    nodes = new TestNodes(vertx);
  }

  @AfterEach
  void tearDown() {
    nodes.close();
  }

  /** Another part of the application, following node-c's peers feed. */
  static final class FeedFollower extends VerticleBase {
    final List<JsonObject> published = new CopyOnWriteArrayList<>();

    @Override
    public Future<?> start() {
      return vertx.eventBus().<JsonObject>consumer("ckit.node-c.peers", m -> published.add(m.body())).completion();
    }

    /** The metadata of each peer in the last message, by name; empty before any. */
    Map<String, JsonObject> lastMetadata() {
      Map<String, JsonObject> metadata = new HashMap<>();
      if (!published.isEmpty()) {
        published.get(published.size() - 1).getJsonArray("peers").forEach(p -> metadata.put(
            ((JsonObject) p).getString("name"), ((JsonObject) p).getJsonObject("metadata", new JsonObject())));
      }
      return metadata;
    }
  }

  @Test
  void metadataReachesEveryPeerAndTheEventBusFeedAndFollowsAnUpdate() {
    FeedFollower follower = new FeedFollower();
    await(vertx.deployVerticle(follower));
    Node a = nodes.start(TestNodes.options("node-a").setMetadata(METADATA.get("node-a")));
    Node b = nodes.start(TestNodes.options("node-b").setMetadata(METADATA.get("node-b")), a);
    Node c = nodes.start(TestNodes.options("node-c").setMetadata(METADATA.get("node-c")), a);
    List<Node> all = List.of(a, b, c);

    for (Node node : all) {
      waitFor(vertx, node.name() + " to see every peer's metadata", 30_000, () -> metadataSeenBy(node)
          .equals(METADATA));
    }
    waitFor(vertx, "the feed to carry every peer's metadata", 30_000,
        () -> follower.lastMetadata().equals(Map.of("node-a", new JsonObject().put("version", "1.2").put("zone", "a"),
            "node-b", new JsonObject().put("zone", "b"),
            "node-c", new JsonObject().put("rack", "r7").put("zone", "c"))));

    long incarnationBefore = memberOf(a, "node-b").incarnation();
    await(b.setMetadata(Map.of("zone", "b2", "version", "2.0")));
    for (Node node : all) {
      waitFor(vertx, node.name() + " to see b's new metadata", 30_000,
          () -> metadataSeenBy(node).get("node-b").equals(Map.of("zone", "b2", "version", "2.0")));
    }
    waitFor(vertx, "the feed to carry b's new metadata", 30_000,
        () -> follower.lastMetadata().get("node-b").equals(new JsonObject().put("version", "2.0").put("zone", "b2")));
    MemberInfo seenByA = memberOf(a, "node-b");
    assertThat(seenByA.incarnation()).isGreaterThan(incarnationBefore);
    assertThat(seenByA.metadata()).isEqualTo(Map.of("zone", "b2", "version", "2.0"));
    assertThat(seenByA.state()).isEqualTo(MemberState.ALIVE);
    assertThat(b.options().getMetadata()).isEqualTo(Map.of("zone", "b2", "version", "2.0"));
    assertThat(await(a.events())).anySatisfy(event -> {
      assertThat(event.type()).isEqualTo(MembershipEvent.Type.UPDATE);
      assertThat(event.member()).isEqualTo("node-b");
      assertThat(event.detail()).contains("zone=b2");
    });
  }

  @Test
  void metadataOverMemberlistsLimitFailsCreateWithAClearMessage() {
    NodeOptions options = TestNodes.options("node-a").setMetadata(Map.of("notes", "x".repeat(600)));
    assertThatThrownBy(() -> Node.create(vertx, options))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("metadata: encoded to 613 bytes, more than memberlist's limit of 512");
    assertThatThrownBy(() -> new NodeOptions(new JsonObject().put("metadata", new JsonObject().put("zone", 5))))
        .hasMessage("metadata: the value of \"zone\" must be text, got 5");
    assertThatThrownBy(() -> Node.create(vertx, TestNodes.options("node-a").setMetadata(Map.of("", "x"))))
        .hasMessage("metadata: keys must not be empty");

    Node a = nodes.start("node-a");
    assertThatThrownBy(() -> await(a.setMetadata(Map.of("notes", "x".repeat(600)))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("metadata: encoded to 613 bytes");
    waitFor(vertx, "a to publish itself", 30_000, () -> a.peers().size() == 1);
    assertThat(a.peers().get(0).metadata()).isEmpty();
  }

  @Test
  void metadataOptionReadsAsJsonAndAsFlagText() {
    NodeOptions fromObject = new NodeOptions(new JsonObject()
        .put("metadata", new JsonObject().put("zone", "a").put("version", "1.2")));
    NodeOptions fromText = new NodeOptions(new JsonObject().put("metadata", "zone=a, version=1.2"));
    assertThat(fromObject.getMetadata()).isEqualTo(Map.of("zone", "a", "version", "1.2"));
    assertThat(fromText.getMetadata()).isEqualTo(fromObject.getMetadata());
    assertThat(new NodeOptions(fromObject.toJson()).getMetadata()).isEqualTo(fromObject.getMetadata());
    assertThat(fromObject.toJson().getJsonObject("metadata"))
        .isEqualTo(new JsonObject().put("version", "1.2").put("zone", "a"));
    assertThat(new NodeOptions().toJson().containsKey("metadata")).isFalse();
    assertThatThrownBy(() -> new NodeOptions(new JsonObject().put("metadata", "zone")))
        .hasMessage("metadata: \"zone\" is not key=value");
  }

  @Test
  void aCrashedNodeIsSuspectedThenDeclaredDeadOnTheTimeline() throws Exception {
    Node a = nodes.start("node-a");
    Node b = nodes.start("node-b", a);
    Vertx elsewhere = Vertx.vertx();
    try {
      Node victim = Node.create(elsewhere, TestNodes.options("node-v").setMetadata(Map.of("zone", "v")));
      await(victim.start(TestNodes.addresses(a)));
      waitFor(vertx, "a and b to see the victim", 30_000, () -> a.peers().size() == 3 && b.peers().size() == 3);
      Poll.until("a to hear from the victim", () -> memberOf(a, "node-v").lastHeard() != null);
      assertThat(memberOf(a, "node-v").metadata()).isEqualTo(Map.of("zone", "v"));
    } finally {
      // Its server goes with its Vert.x instance, and no leave is sent: a crash, as the others see it.
      elsewhere.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    Poll.until("a to declare the victim dead", () -> await(a.events()).stream()
        .anyMatch(e -> e.type() == MembershipEvent.Type.DEAD && e.member().equals("node-v")));
    List<MembershipEvent> events = await(a.events());
    List<MembershipEvent.Type> aboutVictim = events.stream().filter(e -> e.member().equals("node-v"))
        .map(MembershipEvent::type).toList();
    assertThat(aboutVictim).contains(MembershipEvent.Type.JOIN, MembershipEvent.Type.SUSPECT,
        MembershipEvent.Type.DEAD);
    assertThat(aboutVictim.lastIndexOf(MembershipEvent.Type.SUSPECT))
        .isLessThan(aboutVictim.lastIndexOf(MembershipEvent.Type.DEAD));
    assertThat(events).filteredOn(e -> e.type() == MembershipEvent.Type.SUSPECT && e.member().equals("node-v"))
        .allSatisfy(e -> assertThat(e.detail()).matches("suspected by node-[ab]"));
    waitFor(vertx, "a to drop the victim from its peers", 30_000, () -> a.peers().size() == 2);
    assertThat(await(a.members())).filteredOn(m -> m.name().equals("node-v"))
        .allSatisfy(m -> assertThat(m.state()).isEqualTo(MemberState.DEAD));
  }

  private static Map<String, Map<String, String>> metadataSeenBy(Node node) {
    Map<String, Map<String, String>> seen = new HashMap<>();
    for (Peer peer : node.peers()) {
      seen.put(peer.name(), peer.metadata());
    }
    return seen;
  }

  private static MemberInfo memberOf(Node node, String name) {
    return await(node.members()).stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
  }
}
