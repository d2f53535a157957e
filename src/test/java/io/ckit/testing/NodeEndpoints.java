package io.ckit.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.concurrent.TimeUnit;

/**
 * How tests call a node's HTTP endpoints ({@code /ready}, {@code /api/v1/*}, {@code /metrics}, the status
 * page): Vert.x's {@link WebClient}, HTTP/1.1 as a browser or a scraper asks, with calls that block the test
 * thread (never call them on an event loop) for at most {@value #TIMEOUT_SECONDS} s each.
 */
public final class NodeEndpoints implements AutoCloseable {

  private static final long TIMEOUT_SECONDS = 10;

  /** A status and a body. */
  public record Reply(int status, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    public JsonArray jsonArray() {
      return new JsonArray(body);
    }
  }

  private final Vertx vertx;
  private final boolean ownsVertx;
  private final WebClient web;

  /** On a Vert.x instance of its own, closed by {@link #close()}. */
  public NodeEndpoints() {
    this(Vertx.vertx(), true);
  }

  /** On the test's Vert.x instance, which {@link #close()} leaves open. */
  public NodeEndpoints(Vertx vertx) {
    this(vertx, false);
  }

  private NodeEndpoints(Vertx vertx, boolean ownsVertx) {
    this.vertx = vertx;
    this.ownsVertx = ownsVertx;
    this.web = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(5_000));
  }

  /** GET {@code path} (with its query) from the node at {@code host:port}; throws if it does not answer. */
  public Reply get(String address, String path) {
    return send("GET " + address + path, web.get(port(address), host(address), path)
        .timeout(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS)).send());
  }

  /** POST an empty body to {@code path} of the node at {@code host:port}; throws if it does not answer. */
  public Reply post(String address, String path) {
    return send("POST " + address + path, web.post(port(address), host(address), path)
        .timeout(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS)).send());
  }

  /** The status of GET {@code path}, or -1 if the node does not answer (not listening yet, or gone). */
  public int status(String address, String path) {
    try {
      return get(address, path).status();
    } catch (IllegalStateException e) {
      return -1;
    }
  }

  private static Reply send(String what, Future<HttpResponse<Buffer>> response) {
    try {
      return response.map(answer -> new Reply(answer.statusCode(), answer.bodyAsString() == null ? ""
          : answer.bodyAsString())).toCompletionStage().toCompletableFuture()
          .get(TIMEOUT_SECONDS + 5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(what + ": interrupted", e);
    } catch (Exception e) {
      throw new IllegalStateException(what + ": " + (e.getCause() != null ? e.getCause() : e), e);
    }
  }

  private static String host(String address) {
    return address.substring(0, address.lastIndexOf(':'));
  }

  private static int port(String address) {
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }

  @Override
  public void close() {
    web.close();
    if (ownsVertx) {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }
}
