package io.ckit.app;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;

/**
 * The runnable node ({@link NodeApp}: its server, routes, {@code /metrics}, join loop and shutdown) on a Vert.x
 * instance shared with other nodes, for {@code io.ckit.bench.NodeHost}, which hosts many of them in one JVM.
 * It lives in the benchmarks' source tree because {@link NodeApp} is not public API.
 */
public final class HostedNodeApp {

  private final NodeApp app;

  private HostedNodeApp(NodeApp app) {
    this.app = app;
  }

  /**
   * Starts a node from the runnable node's flags (the embedded {@code config/node.json}, then the flags; no
   * environment), on the given Vert.x instance. A bad flag throws {@link IllegalArgumentException} naming it.
   */
  public static Future<HostedNodeApp> start(Vertx shared, List<String> flags) {
    NodeApp app = new NodeApp(AppConfig.load(flags, Map.of()), shared);
    return app.start().map(bound -> new HostedNodeApp(app));
  }

  /** Logs as the runnable node does (one line per event on standard error) at the given level. */
  public static void configureLogging(String hostName, String level) {
    Main.configureLogging(hostName, level);
  }

  /** The port the node's server is bound to. */
  public int port() {
    return app.listeningPort();
  }

  /** What SIGTERM does to a runnable node: terminating, leave, close; the shared Vert.x stays up. */
  public Future<Void> shutdown() {
    return app.shutdown();
  }

  /** What SIGKILL does: everything closed at once, no leave; the peers must detect it by failure detection. */
  public Future<Void> halt() {
    return app.halt();
  }
}
