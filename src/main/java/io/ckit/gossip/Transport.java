package io.ckit.gossip;

import io.vertx.core.Future;

/**
 * How the engine reaches other members: packets (ckit's {@code /message} endpoint) and streams ({@code
 * /stream}). Received packets and accepted streams are handed to the engine's {@link TransportReceiver}, on
 * the engine's thread.
 */
public interface Transport {

  /** Sends one packet (one frame) to {@code ip:port}, without waiting; delivery is not guaranteed. */
  void sendPacket(String address, byte[] packet);

  /** Opens a stream to {@code ip:port}, failing if that takes longer than the timeout. */
  Future<StreamChannel> openStream(String address, long timeoutMillis);
}
