package io.ckit.transport;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Gives up outgoing connections whose peer stopped answering, so that the next message opens a new one. A
 * connection on which requests have gone unanswered for the ping timeout gets an HTTP/2 PING; if no PONG comes
 * within the ping timeout too, the connection is closed and counted ({@code
 * cluster_transport_unresponsive_connections_total}).
 *
 * <p>Why: a connection cut off by the network keeps retransmitting into the void with TCP's ever longer backoff
 * (after 20 s, the next retransmission may be 10 s or more away). Without a check, every packet and stream to the
 * peer keeps going onto it, and times out there, long after the network healed. A peer that is only slow to
 * answer (a full backlog holds its request bodies back) still answers the PING at once and keeps its
 * connection. Go's HTTP/2 client has the same check ({@code ReadIdleTimeout} and {@code PingTimeout}).
 *
 * <p>Concurrency: the engine's context only: requests are made and their answers, the timers, the PONGs and the
 * connections' close notices are handled there, so the map and the watches are plain fields.
 */
final class ConnectionCheck {

  /** What every PING carries: answers are matched in order, so one payload serves all of them. */
  private static final Buffer PING = Buffer.buffer(new byte[] {'c', 'k', 'i', 't', 'p', 'i', 'n', 'g'});

  private final TransportCore core;
  private final long timeoutMillis;
  /** Connections that carried a request since they opened: removed when they close. */
  private final Map<HttpConnection, Watch> watches = new HashMap<>();

  ConnectionCheck(TransportCore core) {
    this.core = core;
    this.timeoutMillis = core.options.getPingTimeout().toMillis();
  }

  /**
   * Watches a request sent on a connection until it is answered ({@code answered} succeeds) or given up (fails).
   * Call on the engine's context.
   */
  void watch(HttpConnection connection, Future<?> answered) {
    Watch watch = watches.get(connection);
    if (watch == null) {
      watch = new Watch(connection);
      watches.put(connection, watch);
      Watch registered = watch;
      connection.closeHandler(closed -> core.onEngine(() -> {
        if (watches.remove(connection, registered)) {
          registered.closed();
        }
      }));
    }
    Watch target = watch;
    target.sent();
    answered.onComplete(done -> core.onEngine(() -> target.done(done.succeeded())));
  }

  /** Connections watched now (open, and have carried a request): for tests. */
  int watched() {
    return watches.size();
  }

  /** One connection: its requests not yet answered, and since when nothing has been. */
  private final class Watch {
    private final HttpConnection connection;
    private int pending;
    /** When the oldest request not followed by any answer was sent (nanos), or -1 when all are answered. */
    private long unansweredSince = -1;
    private long timer = -1;
    private boolean pinging;
    private boolean gone;

    Watch(HttpConnection connection) {
      this.connection = connection;
    }

    void sent() {
      pending++;
      if (unansweredSince < 0) {
        unansweredSince = System.nanoTime();
        schedule(timeoutMillis);
      }
    }

    /**
     * A request was answered, or failed. A failure (a timeout, a reset) is no answer: the connection stays
     * suspect, and the timer runs on.
     */
    void done(boolean answered) {
      pending--;
      if (answered) {
        answeredNow();
      }
    }

    private void answeredNow() {
      unansweredSince = pending > 0 ? System.nanoTime() : -1;
      if (unansweredSince >= 0) {
        schedule(timeoutMillis);
      }
    }

    private void schedule(long delayMillis) {
      if (timer < 0 && !gone) {
        timer = core.vertx.setTimer(Math.max(1, delayMillis), fired -> core.onEngine(this::check));
      }
    }

    private void check() {
      timer = -1;
      if (gone || pinging || unansweredSince < 0 || core.closed()) {
        return;
      }
      long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - unansweredSince);
      if (waited < timeoutMillis) {
        schedule(timeoutMillis - waited);
        return;
      }
      pinging = true;
      long deadline = core.vertx.setTimer(timeoutMillis, fired -> core.onEngine(() -> {
        if (pinging) {
          giveUp("no answer to a request for " + waited + " ms, nor to a PING for " + timeoutMillis + " ms");
        }
      }));
      Future<Buffer> pong;
      try {
        pong = connection.ping(PING);
      } catch (RuntimeException e) {
        pong = Future.failedFuture(e);
      }
      pong.onComplete(answered -> core.onEngine(() -> {
        core.vertx.cancelTimer(deadline);
        if (!pinging || gone) {
          return;
        }
        pinging = false;
        if (answered.succeeded()) {
          answeredNow();
        } else {
          giveUp("a PING failed: " + answered.cause().getMessage());
        }
      }));
    }

    private void giveUp(String why) {
      if (gone) {
        return;
      }
      closed();
      watches.remove(connection, this);
      core.metrics.unresponsiveConnections.increment();
      HttpTransport.log(Level.DEBUG, "closing the connection to " + connection.remoteAddress() + ": " + why);
      connection.close();
    }

    void closed() {
      gone = true;
      pinging = false;
      if (timer >= 0) {
        core.vertx.cancelTimer(timer);
        timer = -1;
      }
    }
  }
}
