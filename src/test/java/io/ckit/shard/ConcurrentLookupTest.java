package io.ckit.shard;

import static org.assertj.core.api.Assertions.assertThat;

import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Lookups on other threads see the whole old peer set or the whole new one while setPeers runs. */
class ConcurrentLookupTest {

  private static final int KEYS = 512;

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.ckit.shard.SharderTest#sharders")
  void lookupsNeverSeeAMixOfTwoPeerSets(String kind, Supplier<Sharder> factory) throws Exception {
    List<Peer> setA = IntStream.rangeClosed(1, 12).mapToObj(i -> peer("node_" + i, PeerState.PARTICIPANT)).toList();
    List<Peer> setB = IntStream.rangeClosed(6, 20)
        .mapToObj(i -> peer("node_" + i, i % 3 == 0 ? PeerState.TERMINATING : PeerState.PARTICIPANT)).toList();
    Sharder sharder = factory.get();
    List<List<Peer>> ownersA = owners(sharder, setA);
    List<List<Peer>> ownersB = owners(sharder, setB);
    List<Peer> peersB = sharder.peers();
    sharder.setPeers(setA);
    List<Peer> peersA = sharder.peers();

    ExecutorService pool = Executors.newFixedThreadPool(3);
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicInteger seenA = new AtomicInteger();
    AtomicInteger seenB = new AtomicInteger();
    try {
      // The writer swaps the sets until the readers have met each of them many times (or a deadline passes).
      Future<?> writer = pool.submit(() -> {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try {
          for (int i = 0; seenA.get() < 1000 || seenB.get() < 1000; i++) {
            if (System.nanoTime() > deadline) {
              throw new AssertionError("readers did not see both peer sets: " + seenA + " / " + seenB);
            }
            sharder.setPeers(i % 2 == 0 ? setB : setA);
          }
        } finally {
          writing.set(false);
        }
      });
      List<Future<Integer>> readers = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        readers.add(pool.submit(() -> {
          int checked = 0;
          do {
            for (int k = 0; k < KEYS; k++) {
              List<Peer> owners = sharder.lookup(key(k), 3, Op.READ);
              if (!owners.equals(ownersA.get(k)) && !owners.equals(ownersB.get(k))) {
                throw new AssertionError("key " + k + " got owners from neither peer set: " + owners);
              }
              List<Peer> peers = sharder.peers();
              if (peers.equals(peersA)) {
                seenA.incrementAndGet();
              } else if (peers.equals(peersB)) {
                seenB.incrementAndGet();
              } else {
                throw new AssertionError("peers() from neither peer set: " + peers);
              }
              checked++;
            }
          } while (writing.get());
          return checked;
        }));
      }
      writer.get(60, TimeUnit.SECONDS);
      for (Future<Integer> reader : readers) {
        assertThat(reader.get(60, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(KEYS);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static List<List<Peer>> owners(Sharder sharder, List<Peer> peers) {
    sharder.setPeers(peers);
    List<List<Peer>> owners = new ArrayList<>();
    for (int k = 0; k < KEYS; k++) {
      owners.add(List.copyOf(sharder.lookup(key(k), 3, Op.READ)));
    }
    return owners;
  }

  private static Key key(int k) {
    return Key.ofString("key-" + k);
  }

  private static Peer peer(String name, PeerState state) {
    return new Peer(name, "", false, state);
  }
}
