package io.ckit.transport;

import io.ckit.transport.Backlog.Body;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * The accepting side of a stream ({@code POST stream}): reads the request body, writes the response.
 *
 * <p>Concurrency: the request and response belong to the server's context; frames the engine writes (on its
 * own context) are handed over to it.
 */
final class ServerStream extends EngineSideStream {
  private final Context server;
  private final HttpServerResponse response;

  ServerStream(TransportCore core, Context server, HttpServerRequest request, HttpServerResponse response,
      long closeGraceMillis) {
    super(core, ServerEndpoints.address(request.remoteAddress()), new Body(request, server), closeGraceMillis);
    this.server = server;
    this.response = response;
    request.handler(this::received);
    request.endHandler(end -> otherSideEnded());
    request.exceptionHandler(this::failed);
    response.closeHandler(closed -> ended());
  }

  @Override
  void send(Buffer frame) {
    TransportCore.onContext(server, () -> {
      if (!response.ended() && !response.closed()) {
        response.write(frame).onFailure(e -> core.metrics.streamTxFailed.increment());
      }
    });
  }

  @Override
  void finish() {
    if (!response.ended() && !response.closed()) {
      response.end();
    }
  }

  @Override
  void reset() {
    response.reset();
  }

  /** The response is closed once its stream is: all of it sent and both halves ended, or reset. */
  @Override
  boolean delivered() {
    return response.closed();
  }
}
