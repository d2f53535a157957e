package io.ckit.transport;

import io.ckit.transport.Backlog.Body;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;

/**
 * The dialling side of a stream ({@link StreamDialer}): writes the request body, reads the response.
 *
 * <p>Concurrency: the engine dials from its own context, where the request's and response's callbacks then
 * run; so the engine writes to the request directly.
 */
final class ClientStream extends EngineSideStream {
  private final HttpClientRequest request;

  ClientStream(TransportCore core, String address, HttpClientRequest request, HttpClientResponse response,
      Context client, long closeGraceMillis) {
    super(core, address, new Body(response, client), closeGraceMillis);
    this.request = request;
    response.handler(this::received);
    response.endHandler(end -> otherSideEnded());
    response.exceptionHandler(this::failed);
  }

  @Override
  void send(Buffer frame) {
    request.write(frame).onFailure(e -> core.metrics.streamTxFailed.increment());
  }

  @Override
  void finish() {
    request.end();
  }

  @Override
  void reset() {
    request.reset();
  }

  /**
   * Taken as delivered: the dialling side writes its one message first and closes after reading the answer,
   * so by then the other side has read it.
   */
  @Override
  boolean delivered() {
    return true;
  }
}
