package io.ckit.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The entries a node holds, and keys and values as bytes: pure rules, no cluster. */
class DataStoreTest {

  private static final byte[] ONE = {1};
  private static final byte[] TWO = {2};
  private static final String K = key("k");

  /** A key as callers name it: its bytes in Base64. */
  private static String key(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theNewestCopyWinsWhicheverArrivesFirst() {
    DataStore store = new DataStore(60_000);
    DataStore.Entry older = new DataStore.Entry(ONE, 0, 10, null, null);
    DataStore.Entry newer = new DataStore.Entry(TWO, 0, 11, null, null);
    assertThat(store.offer("m:a", K, newer)).isTrue();
    assertThat(store.offer("m:a", K, older)).isFalse();
    assertThat(store.live("m:a", K, 0).value()).isEqualTo(TWO);
    assertThat(store.offer("m:a", K, newer)).as("the same copy again").isFalse();
  }

  @Test
  void aWriteVersionsAboveWhatIsHeldEvenWhenTheClockIsBehind() {
    DataStore store = new DataStore(60_000);
    store.offer("m:a", K, new DataStore.Entry(ONE, 0, 5_000_000_000L, null, null));
    DataStore.Entry written = store.write("m:a", K, TWO, 0, 1000, null, null);
    assertThat(written.version()).isEqualTo(5_000_000_001L);
    assertThat(store.write("m:a", key("other"), TWO, 0, 1000, null, null).version()).isEqualTo(1_000_000L);
  }

  @Test
  void aRemovalIsATombstoneThatAnOlderCopyCannotUndoUntilItIsSwept() {
    DataStore store = new DataStore(60_000);
    DataStore.Entry before = store.write("m:a", K, ONE, 0, 1000, null, null);
    store.write("m:a", K, null, 0, 2000, null, null);
    assertThat(store.live("m:a", K, 2000)).isNull();
    assertThat(store.offer("m:a", K, before)).isFalse();
    assertThat(store.live("m:a", K, 3000)).isNull();
    assertThat(store.size()).isEqualTo(1);
    assertThat(store.sweep(2000 + 60_000)).isEqualTo(1);
    assertThat(store.size()).isZero();
  }

  @Test
  void anEntryWithATimeToLiveIsGoneAtItsExpiry() {
    DataStore store = new DataStore(60_000);
    store.write("m:a", K, ONE, 500, 1000, null, null);
    assertThat(store.live("m:a", K, 1499)).isNotNull();
    assertThat(store.live("m:a", K, 1500)).isNull();
    assertThat(store.sweep(1499)).isZero();
    assertThat(store.sweep(1500)).isEqualTo(1);
  }

  @Test
  void aHandedOverEntryIsDroppedOnlyIfNothingNewerCameMeanwhile() {
    DataStore store = new DataStore(60_000);
    DataStore.Entry sent = store.write("m:a", K, ONE, 0, 1000, null, null);
    store.write("m:a", K, TWO, 0, 1001, null, null);
    store.dropIfSame("m:a", K, sent);
    assertThat(store.live("m:a", K, 1001).value()).isEqualTo(TWO);
    store.dropIfSame("m:a", K, store.raw("m:a", K));
    assertThat(store.raw("m:a", K)).isNull();
    assertThat(store.size()).isZero();
  }

  @Test
  void aRequestsIdAndAnswerAreKeptWithItsEntryAndGoWithTheNextWrite() {
    DataStore store = new DataStore(60_000);
    store.write("c:n", "", TWO, 0, 1000, "node-a/7", new JsonObject().put("n", 41));
    DataStore.Entry entry = store.raw("c:n", "");
    assertThat(entry.op()).isEqualTo("node-a/7");
    assertThat(entry.answer()).isEqualTo(new JsonObject().put("n", 41));
    assertThat(entry.value()).isEqualTo(TWO);
    store.write("c:n", "", ONE, 0, 1001, null, null);
    assertThat(store.raw("c:n", "").op()).isNull();
    assertThat(store.raw("c:n", "").answer()).isNull();
    assertThat(store.size()).isEqualTo(1);
  }

  @Test
  void everyEntryIsIteratedWithItsSpaceAndKey() {
    DataStore store = new DataStore(60_000);
    store.write("m:a", key("x"), ONE, 0, 1000, null, null);
    store.write("m:a", key("y"), null, 0, 1000, null, null);
    store.write("m:b", key("x"), TWO, 500, 1000, null, null);
    store.write("c:n", "", TWO, 0, 1000, null, null);
    Map<String, DataStore.Entry> all = new HashMap<>();
    for (DataStore.Located located : store.allIn("")) {
      all.put(located.space() + "/" + located.key(), located.entry());
    }
    assertThat(all).containsOnlyKeys("m:a/" + key("x"), "m:a/" + key("y"), "m:b/" + key("x"), "c:n/");
    assertThat(all.get("m:a/" + key("y")).value()).as("a tombstone").isNull();
    assertThat(all.get("m:b/" + key("x")).expiresAt()).isEqualTo(1500);
    assertThat(store.held()).containsExactlyInAnyOrder(
        new DataStore.Held("m:a", key("x"), all.get("m:a/" + key("x")).version(), 0),
        new DataStore.Held("m:a", key("y"), all.get("m:a/" + key("y")).version(), 61_000),
        new DataStore.Held("m:b", key("x"), all.get("m:b/" + key("x")).version(), 1500),
        new DataStore.Held("c:n", "", all.get("c:n/").version(), 0));
    assertThat(store.allIn("m:")).extracting(DataStore.Located::space).containsOnly("m:a", "m:b").hasSize(3);
    assertThat(store.allIn("c:")).extracting(DataStore.Located::key).containsExactly("");
    assertThat(store.space("m:a")).containsOnlyKeys(key("x"), key("y"));
    assertThat(store.space("m:none")).isEmpty();
  }

  @Test
  void aTableGrowsPastItsResizePointsAndShrinksBackKeepingEveryKey() {
    DataStore store = new DataStore(60_000);
    int n = 20_000;
    byte[] value = new byte[100];
    for (int i = 0; i < n; i++) {
      value[0] = (byte) i;
      store.write("m:a", key("entry-" + i), value.clone(), 0, 1000, null, null);
    }
    assertThat(store.size()).isEqualTo(n);
    long full = store.heldBytes();
    for (int i = 0; i < n; i++) {
      assertThat(store.live("m:a", key("entry-" + i), 1000).value()[0]).as("entry-" + i).isEqualTo((byte) i);
    }
    for (int i = 0; i < n - 10; i++) {
      store.dropIfSame("m:a", key("entry-" + i), store.raw("m:a", key("entry-" + i)));
    }
    assertThat(store.size()).isEqualTo(10);
    for (int i = n - 10; i < n; i++) {
      assertThat(store.live("m:a", key("entry-" + i), 1000).value()[0]).isEqualTo((byte) i);
    }
    assertThat(store.raw("m:a", key("entry-0"))).isNull();
    assertThat(store.heldBytes()).as("index shrunk and emptied chunks released, from " + full + " bytes")
        .isLessThan(PackedEntries.CHUNK + 4096);
    for (int i = n - 10; i < n; i++) {
      store.dropIfSame("m:a", key("entry-" + i), store.raw("m:a", key("entry-" + i)));
    }
    assertThat(store.size()).isZero();
    assertThat(store.heldBytes()).isZero();
  }

  @Test
  void keysThatCollideInHashAreAllKeptFoundAndRemoved() {
    // "Aa" and "BB" have the same polynomial hash, so every string of ten such pairs has one hash.
    List<byte[]> keys = new ArrayList<>();
    for (int bits = 0; bits < 1 << 10; bits++) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < 10; i++) {
        text.append((bits >> i & 1) == 0 ? "Aa" : "BB");
      }
      keys.add(text.toString().getBytes(StandardCharsets.UTF_8));
    }
    int hash = PackedEntries.hash(keys.get(0), 0, keys.get(0).length);
    for (byte[] key : keys) {
      assertThat(PackedEntries.hash(key, 0, key.length)).isEqualTo(hash);
    }
    DataStore store = new DataStore(60_000);
    for (int i = 0; i < keys.size(); i++) {
      store.write("m:a", b64(keys.get(i)), new byte[] {(byte) i, (byte) (i >> 8)}, 0, 1000, null, null);
    }
    for (int i = 0; i < keys.size(); i += 2) {
      store.dropIfSame("m:a", b64(keys.get(i)), store.raw("m:a", b64(keys.get(i))));
    }
    assertThat(store.size()).isEqualTo(keys.size() / 2);
    for (int i = 0; i < keys.size(); i++) {
      DataStore.Entry entry = store.raw("m:a", b64(keys.get(i)));
      if (i % 2 == 0) {
        assertThat(entry).as("removed " + i).isNull();
      } else {
        assertThat(entry.value()).as("kept " + i).isEqualTo(new byte[] {(byte) i, (byte) (i >> 8)});
      }
    }
  }

  @Test
  void rewritingTheSameKeysReclaimsTheBytesOfTheOldCopies() {
    DataStore store = new DataStore(60_000);
    byte[] value = new byte[200];
    for (int round = 0; round < 100; round++) {
      for (int i = 0; i < 1000; i++) {
        value[0] = (byte) round;
        store.write("m:a", key("k" + i), value.clone(), 0, 1000 + round, null, null);
      }
    }
    long live = 1000L * (200 + 20);
    assertThat(store.heldBytes()).as("about twice the live bytes at most, plus the index").isLessThan(live * 3);
    for (int i = 0; i < 1000; i++) {
      assertThat(store.raw("m:a", key("k" + i)).value()[0]).isEqualTo((byte) 99);
    }
  }

  @Test
  void chunksLeftMostlyGarbageByRewritesAreCompacted() {
    DataStore store = new DataStore(60_000);
    byte[] value = new byte[100];
    for (int i = 0; i < 10_000; i++) {
      store.write("m:a", key("k" + i), value, 0, 1000, null, null);
    }
    long filled = store.heldBytes();
    for (int i = 0; i < 10_000; i++) {
      if (i % 3 != 0) {
        value[0] = 1;
        store.write("m:a", key("k" + i), value.clone(), 0, 1001, null, null);
      }
    }
    // Without compaction every old chunk would stay, a third live: about 1.67 times the bytes.
    assertThat(store.heldBytes()).as("from " + filled).isLessThan(filled * 13 / 10);
    for (int i = 0; i < 10_000; i++) {
      assertThat(store.raw("m:a", key("k" + i)).value()[0]).isEqualTo((byte) (i % 3 == 0 ? 0 : 1));
    }
  }

  @Test
  void aValueLargerThanAChunkIsKeptWhole() {
    DataStore store = new DataStore(60_000);
    byte[] big = new byte[PackedEntries.CHUNK * 3 + 17];
    new Random(7).nextBytes(big);
    store.write("m:a", key("big"), big, 0, 1000, null, null);
    store.write("m:a", key("small"), ONE, 0, 1000, null, null);
    assertThat(store.raw("m:a", key("big")).value()).isEqualTo(big);
    assertThat(store.heldBytes()).isGreaterThan(big.length);
    store.write("m:a", key("big"), TWO, 0, 1001, null, null);
    assertThat(store.raw("m:a", key("big")).value()).isEqualTo(TWO);
    assertThat(store.heldBytes()).as("the big chunk released").isLessThan(PackedEntries.CHUNK);
  }

  /** The store against a plain map, through every kind of change, compared in full along the way. */
  @Test
  void aRandomMixOfChangesLeavesWhatAPlainMapWould() {
    for (long seed = 1; seed <= 3; seed++) {
      Random random = new Random(seed);
      DataStore store = new DataStore(5_000);
      Map<String, DataStore.Entry> model = new HashMap<>();
      long now = 1_000_000;
      for (int step = 0; step < 30_000; step++) {
        now += random.nextInt(3);
        String space = random.nextInt(10) == 0 ? "c:n" : "m:a";
        String k = key("key-" + random.nextInt(step < 15_000 ? 3000 : 300));
        String at = space + "/" + k;
        int what = random.nextInt(100);
        if (what < 55) {
          int length = random.nextInt(100) == 0 ? PackedEntries.CHUNK + random.nextInt(99) : random.nextInt(300);
          byte[] value = new byte[length];
          random.nextBytes(value);
          long ttl = random.nextInt(4) == 0 ? 1 + random.nextInt(3000) : 0;
          String op = random.nextBoolean() ? "node/" + step : null;
          JsonObject answer = random.nextBoolean() ? new JsonObject().put("n", step) : null;
          model.put(at, store.write(space, k, value, ttl, now, op, answer));
        } else if (what < 65) {
          model.put(at, store.write(space, k, null, 0, now, null, null));
        } else if (what < 80) {
          DataStore.Entry offered = new DataStore.Entry(random.nextBoolean() ? new byte[] {(byte) step} : null,
              random.nextBoolean() ? 0 : now + 4000, now * 1000 + random.nextInt(2000) - 1000, null, null);
          DataStore.Entry held = model.get(at);
          boolean newer = held == null || held.version() < offered.version();
          assertThat(store.offer(space, k, offered)).isEqualTo(newer);
          if (newer) {
            model.put(at, offered);
          }
        } else if (what < 90) {
          DataStore.Entry held = model.get(at);
          if (held != null) {
            store.dropIfSame(space, k, held);
            model.remove(at);
          }
        } else if (what < 93) {
          int dropped = store.sweep(now);
          int before = model.size();
          final long sweptAt = now;
          model.values().removeIf(e -> e.expiresAt() != 0 && e.expiresAt() <= sweptAt);
          assertThat(dropped).isEqualTo(before - model.size());
        } else {
          DataStore.Entry held = model.get(at);
          DataStore.Entry raw = store.raw(space, k);
          assertSame(raw, held, at);
        }
        if (step % 5000 == 4999) {
          assertThat(store.size()).isEqualTo(model.size());
          Map<String, DataStore.Entry> all = new HashMap<>();
          store.allIn("").forEach(l -> all.put(l.space() + "/" + l.key(), l.entry()));
          assertThat(all.keySet()).isEqualTo(model.keySet());
          model.forEach((where, entry) -> assertSame(all.get(where), entry, where));
          for (DataStore.Held held : store.held()) {
            DataStore.Entry entry = model.get(held.space() + "/" + held.key());
            assertThat(held.version()).isEqualTo(entry.version());
            assertThat(held.expiresAt()).isEqualTo(entry.expiresAt());
          }
          assertThat(store.held()).hasSize(model.size());
        }
      }
    }
  }

  private static void assertSame(DataStore.Entry actual, DataStore.Entry expected, String at) {
    if (expected == null) {
      assertThat(actual).as(at).isNull();
      return;
    }
    assertThat(actual).as(at).isNotNull();
    assertThat(actual.value()).as(at).isEqualTo(expected.value());
    assertThat(actual.version()).as(at).isEqualTo(expected.version());
    assertThat(actual.expiresAt()).as(at).isEqualTo(expected.expiresAt());
    assertThat(actual.op()).as(at).isEqualTo(expected.op());
    assertThat(actual.answer()).as(at).isEqualTo(expected.op() == null ? null : expected.answer());
  }

  private static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  @Test
  void aListedKeyIsDroppedOnlyIfItsVersionIsUnchanged() {
    DataStore store = new DataStore(60_000);
    store.write("m:a", K, ONE, 0, 1000, null, null);
    DataStore.Held listed = store.held().get(0);
    store.write("m:a", K, TWO, 0, 1001, null, null);
    store.dropIfVersion("m:a", K, listed.version());
    assertThat(store.raw("m:a", K).value()).isEqualTo(TWO);
    store.dropIfVersion("m:a", K, store.held().get(0).version());
    assertThat(store.raw("m:a", K)).isNull();
    assertThat(store.size()).isZero();
    store.dropIfVersion("m:a", K, 1);
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
