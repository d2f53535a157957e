package io.ckit.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BroadcastQueueTest {

  private final List<String> finished = new ArrayList<>();

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static List<String> texts(List<byte[]> messages) {
    return messages.stream().map(m -> new String(m, StandardCharsets.US_ASCII)).toList();
  }

  private void queue(BroadcastQueue queue, String name, String message) {
    queue.queue(name, bytes(message), () -> finished.add(message));
  }

  @Test
  void fewestTransmitsGoFirstThenLongerThenNewer() {
    BroadcastQueue queue = new BroadcastQueue(3, () -> 100);
    queue(queue, "a", "aa");
    queue(queue, "b", "bbbb");
    queue(queue, "c", "cc");
    assertThat(texts(queue.getBroadcasts(0, 1000))).containsExactly("bbbb", "cc", "aa");
    queue(queue, "d", "d");
    // d has not been sent; the others have been once.
    assertThat(texts(queue.getBroadcasts(0, 1000))).containsExactly("d", "bbbb", "cc", "aa");
  }

  @Test
  void aMessageAboutTheSameNameReplacesTheQueuedOneAndFinishesIt() {
    BroadcastQueue queue = new BroadcastQueue(3, () -> 100);
    queue(queue, "node-a", "alive-1");
    queue(queue, "node-b", "alive-b");
    queue(queue, "node-a", "alive-2");
    assertThat(finished).containsExactly("alive-1");
    assertThat(queue.size()).isEqualTo(2);
    // Equal lengths: the newer first.
    assertThat(texts(queue.getBroadcasts(0, 1000))).containsExactly("alive-2", "alive-b");
    // A message already sent a few times is replaced too.
    queue(queue, "node-b", "dead-b");
    assertThat(finished).containsExactly("alive-1", "alive-b");
    assertThat(texts(queue.getBroadcasts(0, 1000))).containsExactly("dead-b", "alive-2");
  }

  @Test
  void messagesAreFinishedWhenTheyReachTheRetransmitLimit() {
    // 3 * ceil(log10(10 + 1)) = 6 transmissions.
    BroadcastQueue queue = new BroadcastQueue(3, () -> 10);
    queue(queue, "a", "x");
    for (int i = 0; i < 5; i++) {
      assertThat(texts(queue.getBroadcasts(0, 100))).containsExactly("x");
      assertThat(finished).isEmpty();
    }
    assertThat(texts(queue.getBroadcasts(0, 100))).containsExactly("x");
    assertThat(finished).containsExactly("x");
    assertThat(queue.size()).isZero();
    assertThat(queue.getBroadcasts(0, 100)).isEmpty();
  }

  @Test
  void aPacketTakesTheLargestMessagesThatStillFit() {
    BroadcastQueue queue = new BroadcastQueue(3, () -> 100);
    queue(queue, "a", "aaaaaa");
    queue(queue, "b", "bbbb");
    queue(queue, "c", "cc");
    queue(queue, "d", "dd");
    // 10 bytes with 1 byte of overhead each: 6+1 fits, 4+1 does not, 2+1 does, then no more room.
    assertThat(texts(queue.getBroadcasts(1, 10))).containsExactly("aaaaaa", "dd");
    assertThat(texts(queue.getBroadcasts(1, 10))).containsExactly("bbbb", "cc");
    assertThat(queue.getBroadcasts(1, 1)).isEmpty();
  }

  @Test
  void unnamedMessagesAreNeverReplaced() {
    BroadcastQueue queue = new BroadcastQueue(3, () -> 100);
    queue(queue, null, "one");
    queue(queue, null, "two");
    assertThat(queue.size()).isEqualTo(2);
    assertThat(finished).isEmpty();
  }

  @Test
  void resetAndPruneFinishWhatTheyDrop() {
    BroadcastQueue queue = new BroadcastQueue(3, () -> 100);
    queue(queue, "a", "a");
    queue(queue, "b", "bb");
    queue.getBroadcasts(0, 1);
    queue(queue, "c", "ccc");
    queue.prune(1);
    assertThat(finished).containsExactlyInAnyOrder("a", "bb");
    queue.reset();
    assertThat(finished).containsExactlyInAnyOrder("a", "bb", "ccc");
    assertThat(queue.size()).isZero();
  }
}
