package io.ckit.faults;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples a node's heap in use ({@code jvm_memory_used_bytes{area="heap"}} from its {@code /metrics}) every
 * second on a thread of its own, and keeps the peak since the last {@link #reset()}.
 */
final class HostileHeap implements AutoCloseable {

  private final HostileNodes nodes;
  private final String node;
  private final Thread sampler;
  private final AtomicLong peak = new AtomicLong();
  private final AtomicLong samples = new AtomicLong();
  private volatile boolean running = true;

  HostileHeap(HostileNodes nodes, String node) {
    this.nodes = nodes;
    this.node = node;
    this.sampler = new Thread(this::sample, "hostile-heap-" + node);
    sampler.setDaemon(true);
    sampler.start();
  }

  private void sample() {
    while (running) {
      try {
        long used = (long) nodes.metrics(node).heapUsed();
        peak.accumulateAndGet(used, Math::max);
        samples.incrementAndGet();
      } catch (RuntimeException e) {
        // a scrape that timed out under the attack: the next one counts
      }
      try {
        Thread.sleep(1_000);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Starts a new peak; returns the old one. */
  long reset() {
    return peak.getAndSet(0);
  }

  long peak() {
    return peak.get();
  }

  long samples() {
    return samples.get();
  }

  static String mib(long bytes) {
    return String.format("%.1f MiB", bytes / 1048576.0);
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    sampler.interrupt();
    sampler.join(5_000);
  }
}
