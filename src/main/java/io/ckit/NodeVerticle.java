package io.ckit;

import io.ckit.impl.JoinLoop;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.Objects;

/**
 * A {@link Node} as a verticle: deploying it creates the node on the verticle's context and starts it; it then
 * joins {@link NodeOptions#getJoinAddresses()} in the background (a {@link JoinLoop}: retried with backoff, a
 * name that does not resolve logged; joined as well when a peer joins it first, or carried on alone after
 * {@link JoinOptions#getJoinTimeout()}) and moves to {@link NodeOptions#getState()}; undeploying leaves the
 * cluster gracefully ({@link Node#stop()}).
 *
 * <pre>{@code
 * vertx.deployVerticle(new NodeVerticle(options));
 * // or by name, with the options' JSON form as config:
 * vertx.deployVerticle("io.ckit.NodeVerticle", new DeploymentOptions().setConfig(options.toJson()));
 * }</pre>
 *
 * Give the node a server of its own ({@link NodeOptions#setListen}), or, in code, mount {@link
 * Node#transportRouter()} on the application's router once the verticle is deployed. The deployment fails when
 * the node cannot start (invalid options, a port in use); it does not wait for the join: {@link #joined()}
 * completes once the node has joined and reached its state.
 */
public class NodeVerticle extends VerticleBase {

  private final NodeOptions given;
  private final MeterRegistry registry;
  private volatile Node node;
  private volatile JoinLoop joins;

  /** For deployment by name: the options are read from the deployment's config. */
  public NodeVerticle() {
    this.given = null;
    this.registry = null;
  }

  public NodeVerticle(NodeOptions options) {
    this(options, null);
  }

  /** A node whose metrics go to the given registry (null for a Prometheus registry of its own). */
  public NodeVerticle(NodeOptions options, MeterRegistry registry) {
    this.given = new NodeOptions(Objects.requireNonNull(options, "options"));
    this.registry = registry;
  }

  /** The node, once the verticle has started (null before). */
  public Node node() {
    return node;
  }

  /**
   * Completes once the node has joined (or carried on alone) and reached its configured state; fails if the
   * verticle is not started.
   */
  public Future<Void> joined() {
    JoinLoop loop = joins;
    return loop == null ? Future.failedFuture("the verticle is not started") : loop.whenJoined();
  }

  @Override
  public Future<?> start() {
    NodeOptions options;
    try {
      options = given != null ? given : new NodeOptions(config());
      node = registry != null ? Node.create(vertx, options, registry) : Node.create(vertx, options);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    Node started = node;
    JoinLoop loop = new JoinLoop(vertx, started);
    joins = loop;
    return loop.start()
        // A failed deployment is never undeployed: stop the node (and its server) here.
        .recover(failure -> started.stop().transform(stopped -> Future.failedFuture(failure)));
  }

  @Override
  public Future<?> stop() {
    JoinLoop loop = joins;
    if (loop != null) {
      loop.stop();
    }
    Node running = node;
    return running == null ? Future.succeededFuture() : running.stop();
  }
}
