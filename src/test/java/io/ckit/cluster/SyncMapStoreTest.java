package io.ckit.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The sync map's pure parts: the conflict rule, convergence in any order, tombstones, the value codec. */
class SyncMapStoreTest {

  private static SyncMapStore.Entry entry(String key, String value, long clock, String origin) {
    String k = SyncMapCodec.encode(key, "key");
    String v = value == null ? null : SyncMapCodec.encode(value, "value");
    return new SyncMapStore.Entry("m", k, v, clock, origin, key, value);
  }

  @Test
  void aHigherClockWinsAndEqualClocksGoToTheWriterWhoseNameSortsLast() {
    Object[][] cases = {
        // clock, origin, held clock, held origin, newer?
        {5L, "a", 4L, "z", true},
        {4L, "z", 5L, "a", false},
        {5L, "b", 5L, "a", true},
        {5L, "a", 5L, "b", false},
        {5L, "a", 5L, "a", false},
        {0L, "a", 0L, "", true},
    };
    for (Object[] c : cases) {
      assertThat(SyncMapStore.newer((long) c[0], (String) c[1], (long) c[2], (String) c[3]))
          .as("%s", java.util.Arrays.toString(c)).isEqualTo(c[4]);
    }
  }

  @Test
  void copiesThatTakeTheSameWritesInAnyOrderHoldTheSameThing() {
    List<SyncMapStore.Entry> writes = new ArrayList<>();
    Random random = new Random(42);
    java.util.Set<String> versions = new java.util.HashSet<>();
    while (writes.size() < 300) {
      // A writer never gives two writes one clock: (clock, origin) is unique.
      long clock = random.nextInt(200);
      String origin = "node-" + random.nextInt(3);
      if (versions.add(clock + origin)) {
        String value = random.nextInt(4) == 0 ? null : "v" + writes.size();
        writes.add(entry("k" + random.nextInt(20), value, clock, origin));
      }
    }
    SyncMapStore first = new SyncMapStore("x");
    writes.forEach(w -> first.merge(w, 0));
    for (int round = 0; round < 20; round++) {
      List<SyncMapStore.Entry> shuffled = new ArrayList<>(writes);
      Collections.shuffle(shuffled, random);
      SyncMapStore other = new SyncMapStore("y");
      shuffled.forEach(w -> other.merge(w, 0));
      assertThat(other.view("m")).isEqualTo(first.view("m"));
      assertThat(other.digest("m")).isEqualTo(first.digest("m"));
      assertThat(other.liveEntries()).isEqualTo(first.view("m").size());
    }
    assertThat(first.view("m")).isNotEmpty();
  }

  @Test
  void aRemovalBeatsAnOlderWriteThatArrivesAfterIt() {
    SyncMapStore store = new SyncMapStore("x");
    assertThat(store.merge(entry("k", null, 7, "a"), 0)).isTrue();
    assertThat(store.merge(entry("k", "old", 6, "b"), 0)).isFalse();
    assertThat(store.view("m")).isEmpty();
    assertThat(store.tombstones()).isEqualTo(1);
    assertThat(store.digest("m")).isZero();
    // A write made here after seeing clock 7 is newer than the removal.
    SyncMapStore.Entry mine = store.write("m", "s:k", "k", "s:new", "new", 0);
    assertThat(mine.clock()).isEqualTo(8);
    assertThat(store.view("m")).containsExactly(Map.entry("k", "new"));
    assertThat(store.tombstones()).isZero();
  }

  @Test
  void removalsAreForgottenOnlyAfterTheRetention() {
    SyncMapStore store = new SyncMapStore("x");
    store.merge(entry("k", null, 3, "a"), 1_000);
    store.purge(1_000 + SyncMapStore.TOMBSTONE_RETENTION_NANOS);
    assertThat(store.entries("m")).hasSize(1);
    store.purge(1_001 + SyncMapStore.TOMBSTONE_RETENTION_NANOS);
    assertThat(store.entries("m")).isEmpty();
    assertThat(store.tombstones()).isZero();
  }

  @Test
  void everySupportedTypeRoundTripsThroughTheCodec() {
    List<Object> values = List.of("text", "", "with:colon", 42L, 7, (short) 3, (byte) -1, 2.5d, 1.5f, true, false,
        'x', new JsonObject().put("a", 1), new JsonArray().add("b"), Buffer.buffer("bytes"));
    for (Object value : values) {
      Object back = SyncMapCodec.decode(SyncMapCodec.encode(value, "value"));
      assertThat(back).as("%s", value).isEqualTo(value).hasSameClassAs(value);
    }
    assertThat((byte[]) SyncMapCodec.decode(SyncMapCodec.encode(new byte[] {1, 2}, "value"))).containsExactly(1, 2);
  }

  @Test
  void unsupportedValuesAndBadTextAreRefusedWithTheReason() {
    assertThatThrownBy(() -> SyncMapCodec.encode(new Object(), "value")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("sync map value: java.lang.Object is not supported");
    assertThatThrownBy(() -> SyncMapCodec.encode(null, "key")).isInstanceOf(NullPointerException.class)
        .hasMessage("sync map key: null is not allowed");
    assertThatThrownBy(() -> SyncMapCodec.decode("x")).hasMessage("no type prefix");
    assertThatThrownBy(() -> SyncMapCodec.decode("q:1")).hasMessage("unknown type 'q'");
    assertThatThrownBy(() -> SyncMapCodec.decode("l:12x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SyncMapCodec.decode("b:yes")).hasMessage("\"yes\" is not a boolean");
    assertThatThrownBy(() -> SyncMapCodec.decode("j:[1]")).hasMessageStartingWith("bad JSON");
    assertThatThrownBy(() -> SyncMapCodec.decode("B:%%%")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anEntryFromAMemberIsCheckedFieldByField() {
    JsonObject good = new JsonObject().put("m", "m").put("k", "s:k").put("v", "i:1").put("c", 3).put("o", "a");
    SyncMapStore.Entry read = SyncMapStore.Entry.fromJson(good, "e");
    assertThat(read.decodedKey()).isEqualTo("k");
    assertThat(read.decodedValue()).isEqualTo(1);
    assertThat(SyncMapStore.Entry.fromJson(read.toJson(), "e")).isEqualTo(read);
    Object[][] bad = {
        {good.copy().put("c", -1), "e.c: a whole number >= 0 is required"},
        {good.copy().put("c", 1.5), "e.c: a whole number >= 0 is required"},
        {good.copy().put("k", "i:01"), "e.k: not in canonical form"},
        {good.copy().put("k", "Y:AQ=="), "e.k: byte[] keys are not supported"},
        {good.copy().put("v", 5), "e.v: a text is required"},
        {good.copy().put("v", "z:1"), "e.v: unknown type 'z'"},
        {good.copy().put("o", ""), "e.o: a non-empty text is required"},
        {good.copy().put("m", "x".repeat(Checks.MAX_TEXT + 1)), "e.m: longer than 4096 characters"},
        {"text", "e: not an object"},
    };
    for (Object[] c : bad) {
      assertThatThrownBy(() -> SyncMapStore.Entry.fromJson(c[0], "e")).as("%s", c[1])
          .isInstanceOf(IllegalArgumentException.class).hasMessage((String) c[1]);
    }
  }
}
