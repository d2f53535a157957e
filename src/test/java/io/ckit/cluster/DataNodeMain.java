package io.ckit.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.shareddata.Counter;
import java.util.List;

/**
 * A cluster-manager node process for the hand-over tests: a clustered Vert.x on {@link CkitClusterManager} and a
 * small control server on loopback through which the test writes and reads the shared map {@value #MAP}:
 * {@code /put?key=K&value=V} (200 once acknowledged), {@code /get?key=K} (200 with the value, 404 when absent),
 * {@code /incr?counter=C} (200 with the new value), {@code /members} (the member names, comma-separated).
 * It prints {@code CONTROL <port>} once joined.
 *
 * <p>Arguments: name, listen ({@code host:port} or a range), join address (a range).
 */
public final class DataNodeMain {

  static final String MAP = "handover";

  private DataNodeMain() {}

  public static void main(String[] args) {
    CkitClusterOptions options = new CkitClusterOptions(new JsonObject().put("name", args[0]).put("listen", args[1])
        .put("joinAddresses", List.of(args[2])).put("label", "handover")
        .put("gossip", new JsonObject().put("preset", "local")).put("antiEntropyInterval", "500ms")
        .put("rejoinInterval", "2s").put("leaveTimeout", "1s"));
    CkitClusterManager manager = new CkitClusterManager(options);
    Vertx vertx = Vertx.builder().withClusterManager(manager).buildClustered().await();
    AsyncMap<String, String> map = vertx.sharedData().<String, String>getAsyncMap(MAP).await();
    int port = vertx.createHttpServer().requestHandler(request -> serve(vertx, manager, map, request))
        .listen(0, "127.0.0.1").await().actualPort();
    System.out.println("CONTROL " + port);
    System.out.flush();
  }

  private static void serve(Vertx vertx, CkitClusterManager manager, AsyncMap<String, String> map,
      HttpServerRequest request) {
    Future<String> answer;
    switch (request.path()) {
      case "/put":
        answer = map.put(request.getParam("key"), request.getParam("value")).map("ok");
        break;
      case "/get":
        answer = map.get(request.getParam("key"));
        break;
      case "/incr":
        answer = vertx.sharedData().getCounter(request.getParam("counter")).compose(Counter::incrementAndGet)
            .map(String::valueOf);
        break;
      case "/members":
        answer = Future.succeededFuture(String.join(",", manager.getNodes()));
        break;
      default:
        request.response().setStatusCode(404).end("no such path");
        return;
    }
    answer.onComplete(done -> {
      if (done.failed()) {
        request.response().setStatusCode(503).end(String.valueOf(done.cause().getMessage()));
      } else if (done.result() == null) {
        request.response().setStatusCode(404).end();
      } else {
        request.response().end(done.result());
      }
    });
  }
}
