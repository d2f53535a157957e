package io.ckit.cluster;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A sync map as Vert.x sees it ({@code ClusterManager.getSyncMap}): a {@link Map} replicated to every
 * cluster-manager node by {@link SyncMaps}.
 *
 * <ul>
 *   <li>Reads ({@code get}, {@code containsKey}, {@code size}, iteration) answer at once from this node's copy,
 *       from any thread, without waiting; the copy holds every write this node made or received.
 *   <li>Writes ({@code put}, {@code remove}, {@code putAll}, {@code clear}, and through the entry set) block the
 *       caller until this node's copy has the write, and return the value it held; every member has the write
 *       one round trip later, and a leaving cluster manager waits for that. Removals ({@code remove}, {@code
 *       clear}) block until every member has acknowledged them, or {@code deliveryTimeout} passed. Never call
 *       them on an event loop; calling them on the cluster manager's own event loop fails with {@link
 *       IllegalStateException} (it would wait on itself).
 *   <li>Conditional writes ({@code putIfAbsent}, {@code replace}, {@code compute...}: {@link Map}'s defaults)
 *       read, then write: they are not atomic across the cluster. Concurrent writes to one key from different
 *       nodes end, on every node, with the same one (the last by Lamport clock, ties to the writer's name).
 *   <li>Keys and values: String, a boxed primitive, JsonObject, JsonArray, Buffer, and byte[] as a value
 *       ({@link SyncMapCodec}); null is refused ({@link NullPointerException}), other types with {@link
 *       IllegalArgumentException}.
 *   <li>Once the cluster manager has left, reads see the last copy and writes fail.
 * </ul>
 */
final class SyncMap<K, V> extends AbstractMap<K, V> {

  private final SyncMaps maps;
  private final String name;
  private final Map<Object, Object> view;

  SyncMap(SyncMaps maps, String name, Map<Object, Object> view) {
    this.maps = maps;
    this.name = name;
    this.view = view;
  }

  @Override
  @SuppressWarnings("unchecked")
  public V get(Object key) {
    return key == null ? null : (V) view.get(key);
  }

  @Override
  public boolean containsKey(Object key) {
    return key != null && view.containsKey(key);
  }

  @Override
  public boolean containsValue(Object value) {
    return value != null && view.containsValue(value);
  }

  @Override
  public int size() {
    return view.size();
  }

  @Override
  public boolean isEmpty() {
    return view.isEmpty();
  }

  @Override
  public V put(K key, V value) {
    return write(List.of(op(key, value)), "put", false).get(0);
  }

  @Override
  public V remove(Object key) {
    if (key == null) {
      return null;
    }
    return write(List.of(removal(key)), "remove", true).get(0);
  }

  @Override
  public void putAll(Map<? extends K, ? extends V> entries) {
    List<SyncMaps.Op> ops = new ArrayList<>(entries.size());
    entries.forEach((key, value) -> ops.add(op(key, value)));
    if (!ops.isEmpty()) {
      write(ops, "putAll", false);
    }
  }

  @Override
  public void clear() {
    List<SyncMaps.Op> ops = new ArrayList<>();
    for (Object key : view.keySet()) {
      ops.add(removal(key));
    }
    if (!ops.isEmpty()) {
      write(ops, "clear", true);
    }
  }

  /** The live entries as they are when iteration begins; removing through it, or setting a value, writes. */
  @Override
  public Set<Map.Entry<K, V>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Map.Entry<K, V>> iterator() {
        return new EntryIterator();
      }

      @Override
      public int size() {
        return view.size();
      }
    };
  }

  @SuppressWarnings("unchecked")
  private List<V> write(List<SyncMaps.Op> ops, String what, boolean acknowledged) {
    if (maps.stopped()) {
      throw new IllegalStateException("sync map " + name + ": " + what + " after the cluster manager left the cluster");
    }
    return (List<V>) (List<?>) maps.await(maps.write(name, ops, acknowledged), what);
  }

  private static SyncMaps.Op op(Object key, Object value) {
    return new SyncMaps.Op(encodeKey(key), key, SyncMapCodec.encode(value, "value"), value);
  }

  private static SyncMaps.Op removal(Object key) {
    return new SyncMaps.Op(encodeKey(key), key, null, null);
  }

  private static String encodeKey(Object key) {
    if (key instanceof byte[]) {
      throw new IllegalArgumentException("sync map key: byte[] is not supported (no value equality); use a Buffer");
    }
    return SyncMapCodec.encode(key, "key");
  }

  /** An entry whose {@code setValue} writes to the map. */
  private final class WritableEntry extends SimpleEntry<K, V> {
    private static final long serialVersionUID = 1L;

    WritableEntry(K key, V value) {
      super(key, value);
    }

    @Override
    public V setValue(V value) {
      super.setValue(value);
      return put(getKey(), value);
    }
  }

  private final class EntryIterator implements Iterator<Map.Entry<K, V>> {
    private final Iterator<Map.Entry<Object, Object>> snapshot = new ArrayList<>(view.entrySet()).iterator();
    private Map.Entry<Object, Object> last;

    @Override
    public boolean hasNext() {
      return snapshot.hasNext();
    }

    @Override
    @SuppressWarnings("unchecked")
    public Map.Entry<K, V> next() {
      if (!snapshot.hasNext()) {
        throw new NoSuchElementException();
      }
      last = snapshot.next();
      return new WritableEntry((K) last.getKey(), (V) last.getValue());
    }

    @Override
    public void remove() {
      if (last == null) {
        throw new IllegalStateException("next() has not been called, or remove() was already called");
      }
      SyncMap.this.remove(last.getKey());
      last = null;
    }
  }
}
