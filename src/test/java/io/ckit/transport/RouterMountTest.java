package io.ckit.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.ckit.impl.ContextScheduler;
import io.ckit.gossip.GossipDelegate;
import io.ckit.gossip.Member;
import io.ckit.gossip.MemberIdentity;
import io.ckit.gossip.Memberlist;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The transport mounted on an application's own vertx-web router, next to the application's routes: gossip
 * and the application share one server and port.
 */
@ExtendWith(VertxExtension.class)
class RouterMountTest {

  private final Set<String> seenByB = ConcurrentHashMap.newKeySet();

  @Test
  void twoNodesGossipThroughRoutersTheApplicationOwns(Vertx vertx, VertxTestContext test) throws Exception {
    TestNode a = TestNode.start(vertx, "a", TestNode.fastGossip(), new TransportOptions())
        .toCompletionStage().toCompletableFuture().get();
    Promise<Integer> b = Promise.promise();
    vertx.getOrCreateContext().runOnContext(nothing -> {
      HttpTransport transport = HttpTransport.create(vertx, new TransportOptions(),
          TransportMetrics.create(new SimpleMeterRegistry(), ""));
      Router application = Router.router(vertx);
      application.get("/hello").handler(routing -> routing.response().end("hello"));
      application.route(HttpTransport.BASE_PATH + "*").subRouter(transport.router());
      vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(true))
          .requestHandler(application)
          .listen(0, "127.0.0.1")
          .onSuccess(server -> {
            Memberlist engine = new Memberlist(new MemberIdentity("b", "127.0.0.1:" + server.actualPort(), ""),
                TestNode.fastGossip(), transport, ContextScheduler.create(vertx.getOrCreateContext()), new GossipDelegate() {
                  @Override
                  public void notifyJoin(Member member) {
                    seenByB.add(member.name());
                  }
                }, new SplittableRandom(2));
            transport.bind(engine);
            engine.start();
            engine.join(List.of(a.address)).onComplete(joined -> b.complete(server.actualPort()));
          });
    });
    HttpClientAgent http1 = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_1_1));
    b.future()
        .compose(port -> TestNode.until(vertx, () -> seenByB.size() == 2 && a.visible.size() == 2, 30_000)
            .compose(converged -> http1.request(HttpMethod.GET, port, "127.0.0.1", "/hello"))
            .compose(request -> request.send())
            .compose(response -> response.body()))
        .onComplete(test.succeeding(body -> test.verify(() -> {
          assertThat(body.toString()).isEqualTo("hello");
          assertThat(seenByB).containsExactlyInAnyOrder("a", "b");
          test.completeNow();
        })));
  }
}
