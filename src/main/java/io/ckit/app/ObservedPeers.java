package io.ckit.app;

import io.ckit.Observer;
import io.ckit.peer.Peer;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.List;

/**
 * The runnable node's observer of peer changes: it logs each notification and keeps the last one, which
 * {@code /api/v1/observer} serves, so that what the node's observers were last told can be checked from
 * outside against {@code /api/v1/peers}.
 *
 * <p>Concurrency: the node calls the observer on its context; the route reads the last notification from the
 * server's event loop. It is one immutable value behind a volatile field.
 */
final class ObservedPeers implements Observer {

  private static final System.Logger LOG = System.getLogger("io.ckit.app");

  /** A notification: the how-many-th, when, and the peers it carried. */
  private record Notification(long count, Instant time, List<Peer> peers) {}

  private volatile Notification last = new Notification(0, null, List.of());

  @Override
  public boolean peersChanged(List<Peer> peers) {
    LOG.log(Level.INFO, "peers changed: " + describe(peers));
    last = new Notification(last.count() + 1, Instant.now(), List.copyOf(peers));
    return true;
  }

  /** {@code {"notifications": N, "time": ISO-8601 or null, "peers": [...]}}: the last notification. */
  JsonObject toJson() {
    Notification notification = last;
    return new JsonObject()
        .put("notifications", notification.count())
        .put("time", notification.time() == null ? null : notification.time().toString())
        .put("peers", Peer.toJson(notification.peers()));
  }

  private static String describe(List<Peer> peers) {
    StringBuilder text = new StringBuilder();
    for (Peer peer : peers) {
      text.append(text.length() == 0 ? "" : ", ").append(peer.name()).append(" (").append(peer.state())
          .append(')');
    }
    return text.toString();
  }
}
