package io.ckit.app;

import io.ckit.testing.Poll;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Runnable nodes started in the test's JVM on free ports, shut down (without a pause) on close. */
final class InProcessApps implements AutoCloseable {

  private final List<NodeApp> apps = new ArrayList<>();

  /** Starts a node with {@code --listen 127.0.0.1:0 --config <config>} and the given flags. */
  NodeApp start(Path config, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("--listen", "127.0.0.1:0", "--config", config.toString()));
    all.addAll(List.of(args));
    NodeApp app = new NodeApp(AppConfig.load(all, Map.of()));
    apps.add(app);
    NodeApp.await(app.start(), 30);
    return app;
  }

  /** Shuts one node down now (terminating, leave), as SIGTERM does; close() then leaves it alone. */
  void stop(NodeApp app) throws Exception {
    apps.remove(app);
    NodeApp.await(app.shutdown(), 30);
  }

  /** Stops one node as a crash would (no leave; see {@link NodeApp#halt()}); close() then leaves it alone. */
  void halt(NodeApp app) throws Exception {
    apps.remove(app);
    NodeApp.await(app.halt(), 30);
  }

  /** The address a started node's server is bound to. */
  static String address(NodeApp app) {
    return "127.0.0.1:" + app.listeningPort();
  }

  /**
   * Polls the condition every 20 ms until it holds; fails after 30 s. For state outside any event the test
   * could wait on (nodes' peer sets, a browser's page).
   */
  static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
    Poll.until(what, condition);
  }

  @Override
  public void close() throws Exception {
    for (NodeApp app : apps) {
      NodeApp.await(app.shutdown(), 30);
    }
  }
}
