package io.ckit.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The entries a node holds, and keys and values as bytes: pure rules, no cluster. */
class DataStoreTest {

  private static final byte[] ONE = {1};
  private static final byte[] TWO = {2};

  @Test
  void theNewestCopyWinsWhicheverArrivesFirst() {
    DataStore store = new DataStore(60_000);
    DataStore.Entry older = new DataStore.Entry(ONE, 0, 10, null, null);
    DataStore.Entry newer = new DataStore.Entry(TWO, 0, 11, null, null);
    assertThat(store.offer("m:a", "k", newer)).isTrue();
    assertThat(store.offer("m:a", "k", older)).isFalse();
    assertThat(store.live("m:a", "k", 0).value()).isEqualTo(TWO);
    assertThat(store.offer("m:a", "k", newer)).as("the same copy again").isFalse();
  }

  @Test
  void aWriteVersionsAboveWhatIsHeldEvenWhenTheClockIsBehind() {
    DataStore store = new DataStore(60_000);
    store.offer("m:a", "k", new DataStore.Entry(ONE, 0, 5_000_000_000L, null, null));
    DataStore.Entry written = store.write("m:a", "k", TWO, 0, 1000, null, null);
    assertThat(written.version()).isEqualTo(5_000_000_001L);
    assertThat(store.write("m:a", "other", TWO, 0, 1000, null, null).version()).isEqualTo(1_000_000L);
  }

  @Test
  void aRemovalIsATombstoneThatAnOlderCopyCannotUndoUntilItIsSwept() {
    DataStore store = new DataStore(60_000);
    DataStore.Entry before = store.write("m:a", "k", ONE, 0, 1000, null, null);
    store.write("m:a", "k", null, 0, 2000, null, null);
    assertThat(store.live("m:a", "k", 2000)).isNull();
    assertThat(store.offer("m:a", "k", before)).isFalse();
    assertThat(store.live("m:a", "k", 3000)).isNull();
    assertThat(store.size()).isEqualTo(1);
    assertThat(store.sweep(2000 + 60_000)).isEqualTo(1);
    assertThat(store.size()).isZero();
  }

  @Test
  void anEntryWithATimeToLiveIsGoneAtItsExpiry() {
    DataStore store = new DataStore(60_000);
    store.write("m:a", "k", ONE, 500, 1000, null, null);
    assertThat(store.live("m:a", "k", 1499)).isNotNull();
    assertThat(store.live("m:a", "k", 1500)).isNull();
    assertThat(store.sweep(1499)).isZero();
    assertThat(store.sweep(1500)).isEqualTo(1);
  }

  @Test
  void aHandedOverEntryIsDroppedOnlyIfNothingNewerCameMeanwhile() {
    DataStore store = new DataStore(60_000);
    DataStore.Entry sent = store.write("m:a", "k", ONE, 0, 1000, null, null);
    store.write("m:a", "k", TWO, 0, 1001, null, null);
    store.dropIfSame("m:a", "k", sent);
    assertThat(store.live("m:a", "k", 1001).value()).isEqualTo(TWO);
    store.dropIfSame("m:a", "k", store.raw("m:a", "k"));
    assertThat(store.raw("m:a", "k")).isNull();
    assertThat(store.size()).isZero();
  }

  @Test
  void valuesComeBackEqualAndTheSameObjectGivesTheSameBytes() {
    List<Object> values = List.of("text", 7, 7L, (short) 3, (byte) 2, 'c', 1.5f, 2.5d, true,
        Buffer.buffer("buf"), new JsonObject().put("a", 1), new JsonArray().add("x").add(false),
        new java.util.ArrayList<>(List.of(1, 2)));
    for (Object value : values) {
      assertThat((Object) SharedValues.decode(SharedValues.encode(value))).as(value.getClass().getName())
          .isEqualTo(value);
      assertThat(SharedValues.encode(value)).isEqualTo(SharedValues.encode(value));
    }
    assertThat(SharedValues.encode(7)).isNotEqualTo(SharedValues.encode(7L));
  }

  @Test
  void whatCannotTravelIsRefusedAndBadBytesAreNamed() {
    assertThatThrownBy(() -> SharedValues.encode(new Object())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("neither ClusterSerializable nor Serializable");
    assertThatThrownBy(() -> SharedValues.encode(null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SharedValues.decode(new byte[] {99})).isInstanceOf(IllegalStateException.class)
        .hasMessage("unknown tag 99");
    assertThatThrownBy(() -> SharedValues.decode(new byte[] {3, 0, 50, 'x'}))
        .isInstanceOf(IllegalStateException.class).hasMessage("class name longer than the value");
    byte[] notClusterSerializable = Buffer.buffer().appendByte((byte) 3).appendUnsignedShort(16)
        .appendString("java.lang.String").getBytes();
    assertThatThrownBy(() -> SharedValues.decode(notClusterSerializable)).isInstanceOf(IllegalStateException.class)
        .hasMessage("java.lang.String is not ClusterSerializable");
  }
}
