package io.ckit;

import static io.ckit.TestNodes.await;
import static io.ckit.TestNodes.stateOf;
import static io.ckit.TestNodes.waitFor;
import static io.ckit.TestNodes.waitPeerState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ckit.gossip.GossipOptions;
import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import io.ckit.transport.HttpTransport;
import io.ckit.transport.TransportMetrics;
import io.ckit.transport.TransportOptions;
import io.ckit.wire.ByteString;
import io.ckit.wire.CkitCodec;
import io.ckit.wire.Message;
import io.ckit.wire.MessageCodec;
import io.ckit.wire.PacketCodec;
import io.ckit.wire.StateMessage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.dns.AddressResolverOptions;
import io.vertx.core.net.NetClient;
import io.vertx.test.fakedns.FakeDNSServer;
import java.util.Map;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ckit's node_test.go and observer_test.go scenarios, on real nodes: HTTP/2 servers on loopback ports, one
 * JVM, one Vert.x instance (a second one where a node must crash).
 */
@ExtendWith(VertxExtension.class)
class NodeTest {

  private TestNodes nodes;
  private Vertx vertx;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    nodes = new TestNodes(vertx);
  }

  /** Transports that sent test packets: held so their clients live until the test ends. */
  private final List<HttpTransport> senders = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() {
    nodes.close();
    senders.forEach(sender -> await(sender.close()));
  }

  @Nested
  class State {

    @Test
    void initialStateIsViewer() {
      Node a = nodes.start("node-a");
      assertThat(a.currentState()).isEqualTo(PeerState.VIEWER);
      waitFor(vertx, "a to see itself", 30_000, () -> a.peers().size() == 1);
      assertThat(a.peers()).containsExactly(new Peer("node-a", a.advertiseAddress(), true, PeerState.VIEWER));
    }

    @Test
    void canMoveStatesAndRejectsInvalidMoves() {
      Node a = nodes.start("node-a");
      await(a.changeState(PeerState.PARTICIPANT));
      assertThat(a.currentState()).isEqualTo(PeerState.PARTICIPANT);
      assertThat(a.peers()).extracting(Peer::state).containsExactly(PeerState.PARTICIPANT);

      assertThatThrownBy(() -> await(a.changeState(PeerState.VIEWER)))
          .isInstanceOf(StateTransitionException.class)
          .hasMessage("invalid transition from participant to viewer");
      assertThatThrownBy(() -> await(a.changeState(PeerState.PARTICIPANT)))
          .hasMessage("invalid transition from participant to participant");
      await(a.changeState(PeerState.TERMINATING));
      assertThatThrownBy(() -> await(a.changeState(PeerState.PARTICIPANT)))
          .hasMessage("invalid transition from terminating to participant");
      assertThat(a.currentState()).isEqualTo(PeerState.TERMINATING);
    }

    @Test
    void viewerCannotSkipToTerminating() {
      Node a = nodes.start("node-a");
      assertThatThrownBy(() -> await(a.changeState(PeerState.TERMINATING)))
          .isInstanceOf(StateTransitionException.class)
          .hasMessage("invalid transition from viewer to terminating");
    }

    @Test
    void peersAreToldOfStateChanges() {
      Node a = nodes.start("node-a");
      Node b = nodes.start("node-b", a);
      await(a.changeState(PeerState.PARTICIPANT));
      await(b.changeState(PeerState.PARTICIPANT));
      await(b.changeState(PeerState.TERMINATING));
      waitPeerState(vertx, b, "node-a", PeerState.PARTICIPANT);
      waitPeerState(vertx, a, "node-b", PeerState.TERMINATING);
      assertThat(a.lamportTime()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void changeStateCompletesOnceBroadcast() {
      // Gossip alone carries the state (no probes, no push/pull), each round to the one other node; with
      // retransmitMult 4 the message goes out in four rounds, 400 ms apart. a hears it in the first round,
      // so the change must complete only after a has seen it.
      GossipOptions rounds = TestNodes.fastGossip().setRetransmitMult(4).setGossipInterval(Duration.ofMillis(400))
          .setProbeInterval(Duration.ofHours(1)).setPushPullInterval(Duration.ofHours(1));
      Node a = nodes.start(TestNodes.options("node-a").setGossip(rounds));
      Node b = nodes.start(TestNodes.options("node-b").setGossip(rounds), a);
      waitFor(vertx, "a and b to see each other", 30_000,
          () -> a.peers().size() == 2 && b.peers().size() == 2);
      List<String> events = new CopyOnWriteArrayList<>();
      a.observe(peers -> {
        if (stateIn(peers, "node-b") == PeerState.PARTICIPANT) {
          events.add("a saw b as participant");
          return false;
        }
        return true;
      });
      b.changeState(PeerState.PARTICIPANT).onSuccess(done -> events.add("b's change completed"));
      waitFor(vertx, "both events", 30_000, () -> events.size() == 2);
      assertThat(events).containsExactly("a saw b as participant", "b's change completed");
    }

    @Test
    void aStateChangeReachesEveryKnownMemberDirectlyNotOnlyByGossip() {
      // No probes, no push/pull and no gossip rounds; gossipNow reaches one random member, which passes it on
      // only at its next gossip round (an hour away). Every member hears it at once only if it is sent to each.
      GossipOptions quiet = TestNodes.fastGossip().setGossipNodes(1).setGossipInterval(Duration.ofHours(1))
          .setProbeInterval(Duration.ofHours(1)).setPushPullInterval(Duration.ofHours(1));
      Node a = nodes.start(TestNodes.options("node-a").setGossip(quiet));
      // Each joins every node before it, so all know each other without gossip.
      List<Node> others = new ArrayList<>();
      List<Node> started = new ArrayList<>(List.of(a));
      for (String name : List.of("node-b", "node-c", "node-d", "node-e")) {
        Node node = nodes.start(TestNodes.options(name).setGossip(quiet), started.toArray(Node[]::new));
        others.add(node);
        started.add(node);
      }
      waitFor(vertx, "every node to see all five", 30_000,
          () -> a.peers().size() == 5 && others.stream().allMatch(node -> node.peers().size() == 5));
      // Not awaited: with no gossip rounds its broadcast never runs out of transmissions.
      a.changeState(PeerState.PARTICIPANT);
      waitFor(vertx, "every other node to see a as participant", 10_000,
          () -> others.stream().allMatch(node -> stateIn(node.peers(), "node-a") == PeerState.PARTICIPANT));
    }

    @Test
    void pendingChangeStateCompletesWhenTheLastPeerLeaves() {
      // a gossips and probes rarely, and so does b, so a's state message stays queued; then b leaves.
      GossipOptions slow = TestNodes.fastGossip().setGossipInterval(Duration.ofHours(1))
          .setProbeInterval(Duration.ofHours(1)).setPushPullInterval(Duration.ofHours(1));
      Node a = nodes.create(TestNodes.options("node-a").setGossip(slow));
      await(a.start(List.of()));
      Node b = nodes.create(TestNodes.options("node-b").setGossip(TestNodes.fastGossip()
          .setProbeInterval(Duration.ofHours(1)).setPushPullInterval(Duration.ofHours(1))));
      await(b.start(TestNodes.addresses(a)));
      waitFor(vertx, "a and b to see each other", 30_000,
          () -> a.peers().size() == 2 && b.peers().size() == 2);
      Future<Void> change = a.changeState(PeerState.PARTICIPANT);
      await(b.stop());
      waitFor(vertx, "a to see b leave", 30_000, () -> a.peers().size() == 1);
      // Nobody is left to tell: the change is done, as when the node is alone from the start.
      await(change);
      assertThat(a.currentState()).isEqualTo(PeerState.PARTICIPANT);
    }

    @Test
    void nodesRestartInViewerState() {
      Node a = nodes.start("node-a");
      Node b = nodes.create("node-b");
      await(b.start(List.of(a.advertiseAddress())));
      await(b.changeState(PeerState.PARTICIPANT));
      await(b.changeState(PeerState.TERMINATING));
      waitPeerState(vertx, a, "node-b", PeerState.TERMINATING);
      await(b.stop());
      waitFor(vertx, "a to drop b", 30_000, () -> a.peers().size() == 1);

      Node again = nodes.start("node-b", a);
      waitPeerState(vertx, a, "node-b", PeerState.VIEWER);
      assertThat(again.currentState()).isEqualTo(PeerState.VIEWER);
    }

    @Test
    void crashedNodeRestartsOnTheSameAddressAsViewer() {
      Node a = nodes.start("node-a");
      Vertx other = Vertx.vertx();
      String address;
      try {
        Node b = Node.create(other, TestNodes.options("node-b"));
        await(b.start(List.of(a.advertiseAddress())));
        await(b.changeState(PeerState.PARTICIPANT));
        waitPeerState(vertx, a, "node-b", PeerState.PARTICIPANT);
        address = b.advertiseAddress();
      } finally {
        // A crash: the Vert.x instance goes away without b leaving.
        await(other.close());
      }
      // b restarts on the same address before a has noticed; a still holds b's old participant state.
      assertThat(stateOf(a, "node-b")).isEqualTo(PeerState.PARTICIPANT);
      Node restarted = nodes.create(TestNodes.options("node-b").setListen(address).setAdvertiseAddress(address));
      await(restarted.start(List.of(a.advertiseAddress())));
      waitPeerState(vertx, a, "node-b", PeerState.VIEWER);
      waitPeerState(vertx, restarted, "node-b", PeerState.VIEWER);
      assertThat(restarted.currentState()).isEqualTo(PeerState.VIEWER);
      // The restarted node refuted its old state with a newer Lamport time.
      assertThat(restarted.lamportTime()).isGreaterThan(1);
    }

    @Test
    void staleStateAboutSelfIsRefuted() {
      Node a = nodes.start("node-a");
      Node b = nodes.start("node-b", a);
      waitFor(vertx, "a and b to see each other", 30_000,
          () -> a.peers().size() == 2 && b.peers().size() == 2);
      // Someone tells b that a is a participant, at a Lamport time far ahead of a's clock.
      sendState(b.advertiseAddress(), new StateMessage("node-a", PeerState.PARTICIPANT, 1000));
      // b believes it and gossips it on; a hears it and answers with the truth at a newer time.
      waitFor(vertx, "a to refute", 30_000, () -> a.lamportTime() > 1000);
      waitPeerState(vertx, b, "node-a", PeerState.VIEWER);
      assertThat(a.currentState()).isEqualTo(PeerState.VIEWER);
      assertThat(b.lamportTime()).isGreaterThan(1000);
    }

    @Test
    void collidingStateAboutSelfIsRefuted() {
      Node a = nodes.start("node-a");
      Node b = nodes.start("node-b", a);
      await(a.changeState(PeerState.PARTICIPANT));
      waitPeerState(vertx, b, "node-a", PeerState.PARTICIPANT);
      long time = a.lamportTime();
      // A message about a with a's own time but another state: a refutes it with a newer message.
      sendState(a.advertiseAddress(), new StateMessage("node-a", PeerState.TERMINATING, time));
      waitFor(vertx, "a to refute the collision", 30_000, () -> a.lamportTime() > time);
      assertThat(a.currentState()).isEqualTo(PeerState.PARTICIPANT);
      assertThat(stateOf(a, "node-a")).isEqualTo(PeerState.PARTICIPANT);
      waitFor(vertx, "b to learn a's newer time", 30_000, () -> b.lamportTime() > time);
      assertThat(stateOf(b, "node-a")).isEqualTo(PeerState.PARTICIPANT);
    }
  }

  @Nested
  class Observers {

    @Test
    void invokedWhenPeerSetChanges() {
      Node a = nodes.start("node-a");
      waitFor(vertx, "a to see itself", 30_000, () -> a.peers().size() == 1);
      List<List<String>> seen = new CopyOnWriteArrayList<>();
      a.observe(peers -> seen.add(peers.stream().map(Peer::name).toList()));
      nodes.start("node-b", a);
      waitFor(vertx, "the observer to be told of b", 30_000, () -> seen.contains(List.of("node-a", "node-b")));
    }

    @Test
    void runOnTheContextOfTheVerticleThatRegisteredThem() {
      Node a = nodes.start("node-a");
      List<Boolean> onOwnContext = new CopyOnWriteArrayList<>();
      List<Integer> sizes = new CopyOnWriteArrayList<>();
      VerticleBase watcher = new VerticleBase() {
        // Touched by the observer: the verticle's own state, safe only on its own context.
        private int calls;

        @Override
        public Future<?> start() {
          Context own = context;
          a.observe(peers -> {
            calls++;
            onOwnContext.add(Vertx.currentContext() == own && Context.isOnEventLoopThread());
            sizes.add(peers.size());
            return true;
          });
          return Future.succeededFuture();
        }
      };
      String id = await(vertx.deployVerticle(watcher));
      nodes.start("node-b", a);
      waitFor(vertx, "the watcher to see b", 30_000, () -> sizes.contains(2));
      assertThat(onOwnContext).isNotEmpty().containsOnly(true);
      // Undeploying the verticle unregisters its observer.
      await(vertx.undeploy(id));
      int calls = sizes.size();
      Node c = nodes.start("node-c", a);
      waitFor(vertx, "a to see c", 30_000, () -> a.peers().size() == 3);
      List<Integer> control = new CopyOnWriteArrayList<>();
      a.observe(peers -> control.add(peers.size()));
      await(c.stop());
      waitFor(vertx, "a later observer to see c leave", 30_000, () -> control.contains(2));
      assertThat(sizes).hasSize(calls);
    }

    @Test
    void runOnTheNodesContextWhenRegisteredThereAndGossipGoesOn() {
      Context context = vertx.getOrCreateContext();
      List<Boolean> onNodeContext = new CopyOnWriteArrayList<>();
      List<Integer> sizes = new CopyOnWriteArrayList<>();
      Promise<Node> created = Promise.promise();
      context.runOnContext(x -> {
        Node node = Node.create(vertx, TestNodes.options("node-a"));
        node.observe(peers -> {
          onNodeContext.add(Vertx.currentContext() == context && Context.isOnEventLoopThread());
          sizes.add(peers.size());
          return true;
        });
        created.complete(node);
      });
      Node a = await(created.future());
      await(a.start(List.of()));
      nodes.start("node-b", a);
      nodes.start("node-c", a);
      waitFor(vertx, "the observer to see three peers", 30_000, () -> sizes.contains(3));
      assertThat(onNodeContext).containsOnly(true);
      await(a.stop());
    }

    @Test
    void unregisterThroughTheRegistration() {
      Node a = nodes.start("node-a");
      List<Integer> sizes = new CopyOnWriteArrayList<>();
      ObserverRegistration registration = a.observe(peers -> sizes.add(peers.size()));
      nodes.start("node-b", a);
      waitFor(vertx, "the observer to see b", 30_000, () -> sizes.contains(2));
      await(registration.unregister());
      int calls = sizes.size();
      List<Integer> control = new CopyOnWriteArrayList<>();
      a.observe(peers -> control.add(peers.size()));
      nodes.start("node-c", a);
      waitFor(vertx, "another observer to see c", 30_000, () -> control.contains(3));
      assertThat(sizes).hasSize(calls);
    }

    @Test
    void canReregister() {
      Node a = nodes.create("node-a");
      AtomicInteger invoked = new AtomicInteger();
      a.observe(peers -> invoked.incrementAndGet() >= 0);
      await(a.start(List.of()));
      waitFor(vertx, "the first call", 30_000, () -> invoked.get() > 0);
      int before = invoked.get();
      nodes.start("node-b", a);
      waitFor(vertx, "a later call", 30_000, () -> invoked.get() > before);
    }

    @Test
    void canUnregister() {
      Node a = nodes.create("node-a");
      AtomicInteger invoked = new AtomicInteger();
      a.observe(peers -> invoked.incrementAndGet() < 0);
      List<List<Peer>> seen = new CopyOnWriteArrayList<>();
      a.observe(peers -> seen.add(peers));
      await(a.start(List.of()));
      waitFor(vertx, "the first call", 30_000, () -> invoked.get() == 1);
      nodes.start("node-b", a);
      waitFor(vertx, "a to see b, told to the second observer", 30_000,
          () -> !seen.isEmpty() && seen.get(seen.size() - 1).size() == 2);
      assertThat(invoked.get()).isEqualTo(1);
    }

    @Test
    void runInRegistrationOrderOffTheEventLoopAndSeeSortedSnapshots() {
      Node a = nodes.create("node-a");
      List<String> calls = new CopyOnWriteArrayList<>();
      List<Boolean> onEventLoop = new CopyOnWriteArrayList<>();
      List<Boolean> onWorker = new CopyOnWriteArrayList<>();
      List<List<Peer>> seen = new CopyOnWriteArrayList<>();
      a.observe(peers -> {
        calls.add("first");
        onEventLoop.add(Context.isOnEventLoopThread());
        onWorker.add(Context.isOnWorkerThread());
        seen.add(peers);
        return true;
      });
      a.observe(peers -> calls.add("second"));
      await(a.start(List.of()));
      nodes.start("node-c", a);
      nodes.start("node-b", a);
      waitFor(vertx, "three peers", 30_000, () -> !seen.isEmpty() && seen.get(seen.size() - 1).size() == 3);
      // Registered from outside Vert.x: on a worker thread.
      assertThat(onEventLoop).containsOnly(false);
      assertThat(onWorker).containsOnly(true);
      // A copy: the observers may still be running while the test reads.
      List<String> made = List.copyOf(calls);
      for (int i = 0; i + 1 < made.size(); i += 2) {
        assertThat(made.subList(i, i + 2)).containsExactly("first", "second");
      }
      List<Peer> last = seen.get(seen.size() - 1);
      assertThat(last).extracting(Peer::name).containsExactly("node-a", "node-b", "node-c");
      assertThatThrownBy(() -> last.add(last.get(0))).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void slowObserverSeesOnlyTheNewestSetAndDoesNotHoldUpGossip() throws Exception {
      Node a = nodes.start("node-a");
      CountDownLatch release = new CountDownLatch(1);
      List<Integer> sizes = new CopyOnWriteArrayList<>();
      a.observe(peers -> {
        sizes.add(peers.size());
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return true;
      });
      Node b = nodes.start("node-b", a);
      waitFor(vertx, "the observer to be called and block", 30_000, () -> sizes.size() == 1);
      // While the observer blocks, three more nodes join and a's gossip goes on.
      nodes.start("node-c", a);
      nodes.start("node-d", b);
      nodes.start("node-e", a);
      waitFor(vertx, "a to see five peers while the observer blocks", 30_000, () -> a.peers().size() == 5);
      release.countDown();
      waitFor(vertx, "the observer to see five peers", 30_000, () -> sizes.get(sizes.size() - 1) == 5);
      // The intermediate sets (3 and 4 peers) were coalesced away.
      assertThat(sizes).hasSizeLessThanOrEqualTo(3).endsWith(5);
    }

    @Test
    void participantObserverFiresOnlyWhenParticipantsChange() {
      Node a = nodes.start("node-a");
      List<List<String>> seen = new CopyOnWriteArrayList<>();
      a.observe(new ParticipantObserver(peers -> {
        seen.add(peers.stream().filter(p -> p.state() == PeerState.PARTICIPANT).map(Peer::name).toList());
        return true;
      }));
      await(a.changeState(PeerState.PARTICIPANT));
      waitFor(vertx, "a as participant", 30_000, () -> seen.size() == 1);
      Node b = nodes.start("node-b", a);
      Node c = nodes.start("node-c", a);
      waitFor(vertx, "a to see three peers", 30_000, () -> a.peers().size() == 3);
      await(b.changeState(PeerState.PARTICIPANT));
      waitFor(vertx, "b as participant", 30_000, () -> seen.size() == 2);
      await(c.stop());
      waitFor(vertx, "a to drop c", 30_000, () -> a.peers().size() == 2);
      await(b.changeState(PeerState.TERMINATING));
      waitFor(vertx, "b terminating", 30_000, () -> seen.size() == 3);
      assertThat(seen).containsExactly(List.of("node-a"), List.of("node-a", "node-b"), List.of("node-a"));
    }
  }

  @Nested
  class Peers {

    @Test
    void peersJoin() {
      Node a = nodes.start("node-a");
      Node b = nodes.start("node-b", a);
      Node c = nodes.start("node-c", b);
      waitFor(vertx, "a to see three peers", 30_000, () -> a.peers().size() == 3);
      assertThat(a.peers()).containsExactly(
          new Peer("node-a", a.advertiseAddress(), true, PeerState.VIEWER),
          new Peer("node-b", b.advertiseAddress(), false, PeerState.VIEWER),
          new Peer("node-c", c.advertiseAddress(), false, PeerState.VIEWER));
    }

    @Test
    void peersLeave() {
      // Without failure detection, only c's leave message can make the others drop it.
      Node a = nodes.start(TestNodes.withoutFailureDetection("node-a"));
      Node b = nodes.start(TestNodes.withoutFailureDetection("node-b"), a);
      Node c = nodes.start(TestNodes.withoutFailureDetection("node-c"), b);
      waitFor(vertx, "a to see three peers", 30_000, () -> a.peers().size() == 3);
      await(c.stop());
      waitFor(vertx, "a to drop c", 30_000, () -> a.peers().size() == 2);
      assertThat(a.peers()).containsExactly(
          new Peer("node-a", a.advertiseAddress(), true, PeerState.VIEWER),
          new Peer("node-b", b.advertiseAddress(), false, PeerState.VIEWER));
    }

    @Test
    void crashIsDetected() {
      Node a = nodes.start("node-a");
      Node b = nodes.start("node-b", a);
      Vertx other = Vertx.vertx();
      try {
        Node c = Node.create(other, TestNodes.options("node-c"));
        await(c.start(List.of(a.advertiseAddress())));
        waitFor(vertx, "a and b to see c", 30_000, () -> a.peers().size() == 3 && b.peers().size() == 3);
      } finally {
        await(other.close());
      }
      waitFor(vertx, "a and b to declare c dead", 30_000,
          () -> a.peers().size() == 2 && b.peers().size() == 2);
      assertThat(a.peers()).extracting(Peer::name).containsExactly("node-a", "node-b");
    }

    @Test
    void ipv6AdvertiseAddress() {
      NodeOptions optionsA = TestNodes.options("node-a").setListen("[::1]:0").setAdvertiseAddress("[::1]:0");
      NodeOptions optionsB = TestNodes.options("node-b").setListen("[::1]:0").setAdvertiseAddress("[::1]:0");
      Node a = nodes.create(optionsA);
      await(a.start(List.of()));
      Node b = nodes.create(optionsB);
      await(b.start(List.of(a.advertiseAddress())));
      assertThat(a.advertiseAddress()).startsWith("[::1]:");
      waitFor(vertx, "a and b to see each other over IPv6", 30_000,
          () -> a.peers().size() == 2 && b.peers().size() == 2);
      assertThat(b.peers()).containsExactly(
          new Peer("node-a", a.advertiseAddress(), false, PeerState.VIEWER),
          new Peer("node-b", b.advertiseAddress(), true, PeerState.VIEWER));
    }

    @Test
    void startAgainHealsASplit() {
      Node a = nodes.start("node-a");
      Node b = nodes.start("node-b");
      assertThat(a.peers()).hasSize(1);
      await(b.start(List.of(a.advertiseAddress())));
      waitFor(vertx, "the two halves to merge", 30_000, () -> a.peers().size() == 2 && b.peers().size() == 2);
    }

    @Test
    void joinFailsWhenNoPeerAnswers() {
      Node a = nodes.create("node-a");
      assertThatThrownBy(() -> await(a.start(List.of("127.0.0.1:1"))))
          .hasMessageStartingWith("failed to join memberlist: ");
    }

    @Test
    void tenNodesAgreeOnOwners() {
      List<Node> cluster = new ArrayList<>();
      cluster.add(nodes.start("node-00"));
      for (int i = 1; i < 10; i++) {
        cluster.add(nodes.start(String.format("node-%02d", i), cluster.get(i / 2)));
      }
      List<io.vertx.core.Future<Void>> changes = new ArrayList<>();
      cluster.forEach(node -> changes.add(node.changeState(PeerState.PARTICIPANT)));
      await(io.vertx.core.Future.all(changes));
      waitFor(vertx, "every node to see ten participants", 30_000, () -> cluster.stream().allMatch(node ->
          node.sharder().peers().size() == 10));
      for (int k = 0; k < 1000; k++) {
        io.ckit.shard.Key key = io.ckit.shard.Key.ofString("key-" + k);
        List<String> expected = names(cluster.get(0).sharder().lookup(key, 3, io.ckit.shard.Op.READ_WRITE));
        for (Node node : cluster) {
          assertThat(names(node.sharder().lookup(key, 3, io.ckit.shard.Op.READ_WRITE))).isEqualTo(expected);
        }
      }
    }
  }

  @Nested
  class Lifecycle {

    @Test
    void stopIsIdempotentAndLaterCallsFail() {
      Node a = nodes.start("node-a");
      await(a.stop());
      await(a.stop());
      assertThatThrownBy(() -> await(a.start(List.of()))).isInstanceOf(NodeStoppedException.class)
          .hasMessage("node stopped");
      assertThatThrownBy(() -> await(a.changeState(PeerState.PARTICIPANT)))
          .isInstanceOf(NodeStoppedException.class);
    }

    @Test
    void mountedRoutesAnswer503OnceStopped() {
      Node a = nodes.create(new NodeOptions().setName("node-a").setAdvertiseAddress("127.0.0.1:1"));
      io.vertx.ext.web.Router router = io.vertx.ext.web.Router.router(vertx);
      router.route(Node.TRANSPORT_BASE_PATH + "*").subRouter(a.transportRouter());
      io.vertx.core.http.HttpServer server = await(vertx.createHttpServer(
          new io.vertx.core.http.HttpServerOptions().setHttp2ClearTextEnabled(true))
          .requestHandler(router).listen(0, "127.0.0.1"));
      io.vertx.core.http.HttpClientAgent client = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
          .setProtocolVersion(io.vertx.core.http.HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
      try {
        await(a.start(List.of()));
        await(a.stop());
        int status = await(client.request(io.vertx.core.http.HttpMethod.POST, server.actualPort(), "127.0.0.1",
            HttpTransport.MESSAGE_PATH).compose(request -> request
                .putHeader("Content-Type", HttpTransport.CONTENT_TYPE)
                .send(io.vertx.core.buffer.Buffer.buffer(new byte[] {(byte) 0xCC, 0, 1, 0})))
            .map(io.vertx.core.http.HttpClientResponse::statusCode));
        assertThat(status).isEqualTo(503);
      } finally {
        await(client.close());
        await(server.close());
      }
    }

    @Test
    void invalidOptionsFailCreationNamingTheField() {
      assertThatThrownBy(() -> Node.create(vertx, new NodeOptions().setAdvertiseAddress("127.0.0.1:1")))
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("name:");
      assertThatThrownBy(() -> Node.create(vertx, new NodeOptions().setName("a")))
          .hasMessageStartingWith("advertiseAddress:");
    }

    @Test
    void advertiseHostIsResolvedAtStartByVertxsResolver() throws Exception {
      // A DNS server of the test's own on loopback, the only server this Vert.x asks; the JVM's resolver
      // knows none of its names, so a name resolves only if the node asked Vert.x.
      Map<String, String> records = new java.util.concurrent.ConcurrentHashMap<>(Map.of("node-a.cluster.test",
          "127.0.0.1"));
      FakeDNSServer dns = new FakeDNSServer().port(freeUdpPort()).testResolveA(records::get);
      dns.start();
      Vertx resolving = Vertx.vertx(new VertxOptions().setAddressResolverOptions(new AddressResolverOptions()
          .addServer("127.0.0.1:" + dns.localAddress().getPort()).setQueryTimeout(2_000).setCacheNegativeTimeToLive(0)));
      try {
        // Created on an event loop, as a verticle does: nothing is resolved there.
        Context loop = resolving.getOrCreateContext();
        Node named = await(loop.executeBlocking(() -> null).compose(nothing -> {
          Promise<Node> created = Promise.promise();
          loop.runOnContext(x -> created.complete(Node.create(resolving,
              TestNodes.options("node-a").setAdvertiseAddress("node-a.cluster.test:0"))));
          return created.future();
        }));
        Node unknown = Node.create(resolving, TestNodes.options("node-b")
            .setAdvertiseAddress("node-b.cluster.test:0"));
        try {
          await(named.start(List.of()));
          assertThat(named.advertiseAddress()).matches("127\\.0\\.0\\.1:\\d+");
          assertThatThrownBy(() -> await(unknown.start(List.of())))
              .hasMessageStartingWith("advertiseAddress: cannot resolve host \"node-b.cluster.test\"");
          // Once the name exists, starting again works.
          records.put("node-b.cluster.test", "127.0.0.1");
          await(unknown.start(List.of(named.advertiseAddress())));
          waitFor(vertx, "a to see b", 30_000, () -> named.peers().size() == 2);
        } finally {
          await(Future.join(named.stop(), unknown.stop()));
        }
      } finally {
        await(resolving.close());
        dns.stop();
      }
    }

    @Test
    void stopWhileStartingClosesTheServer() throws Exception {
      // An address of loopback's own that nothing else on the machine listens on or connects from.
      java.net.InetAddress host = java.net.InetAddress.getByAddress(new byte[] {127, 77, 0, 1});
      for (int i = 0; i < 10; i++) {
        int port = freeTcpPort(host);
        // Both calls in one turn of the node's event loop, as a verticle that stops right after starting makes.
        Context context = vertx.getOrCreateContext();
        Promise<Future<Void>> calls = Promise.promise();
        Promise<Void> stopped = Promise.promise();
        context.runOnContext(x -> {
          Node node = Node.create(vertx, TestNodes.options("node-a").setListen("127.77.0.1:" + port)
              .setAdvertiseAddress("127.77.0.1:0"));
          calls.complete(node.start(List.of()));
          node.stop().onComplete(stopped);
        });
        await(stopped.future());
        Future<Void> started = calls.future().result();
        assertThat(started.failed() ? started.cause() : null).satisfiesAnyOf(
            cause -> assertThat(cause).isNull(), cause -> assertThat(cause).isInstanceOf(NodeStoppedException.class));
        // Nothing listens on the port any more: the server bound by the start-up was closed by stop().
        NetClient client = vertx.createNetClient();
        try {
          assertThatThrownBy(() -> await(client.connect(port, "127.77.0.1")))
              .hasRootCauseInstanceOf(java.net.ConnectException.class);
        } finally {
          await(client.close());
        }
      }
    }

    @Test
    void metricsHaveCkitNames() {
      Node a = nodes.start("node-a");
      await(a.changeState(PeerState.PARTICIPANT));
      nodes.start("node-b", a);
      waitFor(vertx, "a to see b", 30_000, () -> a.peers().size() == 2);
      String scrape = ((io.micrometer.prometheusmetrics.PrometheusMeterRegistry) a.meterRegistry()).scrape();
      for (String name : List.of("cluster_node_info{cluster_name=\"\",state=\"participant\"} 1",
          "cluster_node_peers{cluster_name=\"\",state=\"viewer\"} 1.0",
          "cluster_node_peers{cluster_name=\"\",state=\"participant\"} 1.0",
          "cluster_node_gossip_received_events_total{cluster_name=\"\",event=\"node_join\"}",
          "cluster_node_gossip_broadcasts_total{cluster_name=\"\",event=\"state_change_message\"}",
          "cluster_node_updating{cluster_name=\"\"}", "cluster_node_update_duration_seconds_count",
          "cluster_node_update_observers{cluster_name=\"\"}", "cluster_node_gossip_health_score",
          "cluster_node_gossip_alive_peers", "cluster_node_gossip_proto_version{cluster_name=\"\"} 2.0",
          "cluster_node_lamport_time", "cluster_transport_rx_packets_total")) {
        assertThat(scrape).contains(name);
      }
    }
  }

  private static PeerState stateIn(List<Peer> peers, String name) {
    return peers.stream().filter(peer -> peer.name().equals(name)).map(Peer::state).findFirst().orElse(null);
  }

  private static int freeTcpPort(java.net.InetAddress host) throws java.io.IOException {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, host)) {
      return socket.getLocalPort();
    }
  }

  private static int freeUdpPort() throws java.io.IOException {
    try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static List<String> names(List<Peer> peers) {
    List<String> names = new ArrayList<>();
    peers.forEach(peer -> names.add(peer.name()));
    return Collections.unmodifiableList(names);
  }

  /** Sends a ckit state message to a node as a packet, as any peer could. */
  private void sendState(String address, StateMessage state) {
    Context context = vertx.getOrCreateContext();
    HttpTransport sender = HttpTransport.create(vertx, context, new TransportOptions(),
        TransportMetrics.create(new SimpleMeterRegistry(), ""));
    senders.add(sender);
    byte[] packet = PacketCodec.ckit(new MessageCodec(), "")
        .encode(new Message.User(ByteString.copyOf(CkitCodec.encodeState(state))), false);
    context.runOnContext(nothing -> sender.sendPacket(address, packet));
  }
}
