package io.ckit;

import io.vertx.core.Future;

/** An observer's registration with a node, from {@link Node#observe(Observer)}. */
public interface ObserverRegistration {

  /**
   * Stops telling the observer about changes, as its returning {@code false} would.
   *
   * @return completes once the observer is unregistered and no call to it is under way (a call that had
   *     started when this was called finishes first)
   */
  Future<Void> unregister();
}
