package io.ckit.shard;

import io.ckit.peer.Peer;
import io.ckit.peer.PeerState;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Mirrors Go ckit's {@code BenchmarkHashes}: nodes {@code node_1..node_N}; each operation makes a key from 5
 * random bytes rendered as lowercase hex, hashes it and looks up 3 owners (1 when there is one node). Also
 * measures key making alone, and the cost of {@code setPeers}, cold and for a one-node change.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ShardBenchmark {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  @Param({"1", "10", "50", "100", "500", "1000"})
  public int nodes;

  @Param({"ring:256", "ring:512", "rendezvous", "multiprobe"})
  public String sharder;

  private Sharder target;
  private Sharder scratch;
  private List<Peer> peers;
  private List<Peer> peersButLast;
  private boolean changed;
  private int owners;
  private final SplittableRandom random = new SplittableRandom(0);

  @Setup
  public void setUp() {
    peers = IntStream.rangeClosed(1, nodes)
        .mapToObj(i -> new Peer("node_" + i, "127.0.0.1:7946", false, PeerState.PARTICIPANT))
        .toList();
    target = Sharders.parse(sharder);
    target.setPeers(peers);
    peersButLast = peers.subList(0, nodes - 1);
    scratch = Sharders.parse(sharder);
    scratch.setPeers(peers);
    owners = nodes == 1 ? 1 : 3;
  }

  /** Key making alone: 5 random bytes as 10 hex characters, hashed. Subtract it to get lookup cost. */
  @Benchmark
  public Key makeKey() {
    return Key.ofString(randomHexKey());
  }

  /** Go's BenchmarkHashes operation: make a key, look up its owners. */
  @Benchmark
  public List<Peer> makeKeyAndLookup() {
    return target.lookup(Key.ofString(randomHexKey()), owners, Op.READ_WRITE);
  }

  /** Giving a new sharder the whole peer set: everything computed from scratch (Go's BenchmarkHashResource). */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Sharder setPeersCold() {
    Sharder fresh = Sharders.parse(sharder);
    fresh.setPeers(peers);
    return fresh;
  }

  /** A membership change as a running node sees it: one node leaves, or comes back. */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Sharder setPeersOneChange() {
    changed = !changed;
    scratch.setPeers(changed ? peersButLast : peers);
    return scratch;
  }

  private String randomHexKey() {
    long bits = random.nextLong();
    char[] text = new char[10];
    for (int i = 0; i < 10; i++) {
      text[i] = HEX[(int) (bits >>> (4 * i)) & 0xF];
    }
    return new String(text);
  }
}
