package io.ckit.bench;

import io.ckit.bench.OsStats.Socket;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * TCP bytes the node processes sent over a window, socket by socket: {@code bytes_sent} of each socket at its
 * last sample, minus at the start (zero for a socket opened during the window). A socket that closes during
 * the window keeps what its last sample saw, so sample often (the steady scenario samples at every poll).
 */
final class TcpSentMeter {

  private final Set<Long> pids;
  private final long excludedPid;
  private final Map<String, Long> atStart = new HashMap<>();
  private final Map<String, Socket> last = new HashMap<>();
  private Set<String> open = Set.of();

  TcpSentMeter(Set<Long> pids, long excludedPid) throws Exception {
    this.pids = Set.copyOf(pids);
    this.excludedPid = excludedPid;
    for (Socket socket : OsStats.tcpSockets(this.pids, excludedPid)) {
      atStart.put(socket.key(), socket.sent());
      last.put(socket.key(), socket);
    }
    open = new HashSet<>(atStart.keySet());
  }

  void sample() throws Exception {
    Set<String> seen = new HashSet<>();
    for (Socket socket : OsStats.tcpSockets(pids, excludedPid)) {
      last.put(socket.key(), socket);
      seen.add(socket.key());
    }
    open = seen;
  }

  /** Bytes sent in the window, by pid. */
  Map<Long, Long> sent() {
    Map<Long, Long> bytes = new HashMap<>();
    for (Map.Entry<String, Socket> socket : last.entrySet()) {
      long sent = socket.getValue().sent() - atStart.getOrDefault(socket.getKey(), 0L);
      bytes.merge(socket.getValue().pid(), sent, Long::sum);
    }
    return bytes;
  }

  /** Sockets opened during the window (seen at some sample, not at the start). */
  long opened() {
    return last.keySet().stream().filter(key -> !atStart.containsKey(key)).count();
  }

  /** Sockets open at the start and gone at the last sample. */
  long closed() {
    return atStart.keySet().stream().filter(key -> !open.contains(key)).count();
  }

  /** Sockets open at the last sample. */
  long openNow() {
    return open.size();
  }
}
