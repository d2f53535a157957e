package io.ckit.transport;

import io.ckit.gossip.StreamChannel;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;

/**
 * The client side for streams: opens a {@code POST stream}, sends its head at once and waits for the 200
 * that accepts it, within the dial timeout; the result is a {@link ClientStream}.
 *
 * <p>Concurrency: dials on the engine's context; the request's callbacks and the timeout timer run there
 * too, and the promise decides the race between them (first completion wins).
 */
final class StreamDialer {

  private final TransportCore core;
  private final ConnectionCheck connections;

  StreamDialer(TransportCore core, ConnectionCheck connections) {
    this.core = core;
    this.connections = connections;
  }

  Future<StreamChannel> open(String address, long timeoutMillis) {
    Promise<StreamChannel> opened = Promise.promise();
    if (core.closed()) {
      opened.fail("the transport is closed");
      return opened.future();
    }
    Future<HttpClientRequest> request;
    try {
      request = core.client.request(core.request(address, HttpTransport.STREAM_PATH));
    } catch (RuntimeException e) {
      opened.fail(e);
      return opened.future();
    }
    long timer = core.vertx.setTimer(timeoutMillis, fired -> {
      if (opened.tryFail("dial " + address + ": i/o timeout")) {
        if (request.succeeded()) {
          // The connection was up and the peer did not even accept the stream within the timeout: most likely it
          // is cut off, and its TCP connection, retransmitting into the void with an ever longer backoff, would
          // carry the next dial too, long after the network healed (a partition of 20 s healed 9 s late in the
          // fault suite). Reset the stream (a server that never answers would otherwise keep it open on both
          // ends) and close the connection: the next dial opens a new one.
          HttpClientRequest http = request.result();
          http.reset();
          http.connection().close();
        }
        // Otherwise the connection is still being opened (a TLS handshake on a loaded machine can take longer
        // than the timeout): it is kept for the next dial, which would only start the handshake again if it were
        // closed once ready, and the stream is never sent (below). A connection that never gets ready is given
        // up by the connect timeout, one that stops answering by the PING check (ConnectionCheck).
      }
    });
    request.onComplete(created -> {
      if (created.failed()) {
        core.vertx.cancelTimer(timer);
        opened.tryFail(created.cause());
        return;
      }
      HttpClientRequest http = created.result();
      if (opened.future().isComplete()) {
        // The dial timed out while the connection was being opened.
        http.reset();
        return;
      }
      http.setChunked(true);
      http.exceptionHandler(e -> opened.tryFail(e));
      http.sendHead();
      connections.watch(http.connection(), http.response());
      http.response().onComplete(answered -> {
        core.vertx.cancelTimer(timer);
        if (answered.failed()) {
          opened.tryFail(answered.cause());
          return;
        }
        HttpClientResponse response = answered.result();
        if (response.statusCode() != 200) {
          opened.tryFail("dial " + address + ": HTTP status " + response.statusCode());
          http.reset();
          return;
        }
        ClientStream stream = new ClientStream(core, address, http, response, Vertx.currentContext(),
            timeoutMillis);
        core.metrics.streams.incrementAndGet();
        if (!opened.tryComplete(stream)) {
          stream.close();
        }
      });
    });
    return opened.future();
  }
}
