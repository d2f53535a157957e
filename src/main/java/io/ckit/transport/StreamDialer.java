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
        // A server that never answers would otherwise keep the stream open on both ends: reset it now, or
        // once the request exists. And close the connection: a peer that does not even accept a stream within
        // the timeout is most likely cut off, and its TCP connection, retransmitting into the void with an
        // ever longer backoff, would carry the next dial too, long after the network healed (a partition of
        // 20 s healed 9 s late in the fault suite). The next dial opens a new connection.
        request.onSuccess(http -> {
          http.reset();
          http.connection().close();
        });
      }
    });
    request.onComplete(created -> {
      if (created.failed()) {
        core.vertx.cancelTimer(timer);
        opened.tryFail(created.cause());
        return;
      }
      HttpClientRequest http = created.result();
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
