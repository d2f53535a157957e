package io.ckit.gossip;

import java.time.Duration;

/**
 * What a {@link Transport} hands the engine it serves: packets and streams from other members. A transport
 * depends on this, not on the engine.
 */
public interface TransportReceiver {

  /**
   * Handles a packet from the {@code /message} endpoint; on the engine's context. Packets that cannot be read,
   * or carry another cluster's label, are dropped.
   *
   * @param from the sender's address as the transport sees it ({@code ip:port})
   */
  void receivePacket(byte[] packet, String from);

  /** Handles a stream another member opened ({@code /stream}); on the engine's context. */
  void acceptStream(StreamChannel stream);

  /**
   * How long a stream may take (memberlist's TCPTimeout): a transport resets a stream whose other side has
   * not ended it by then. Callable from any thread.
   */
  Duration streamTimeout();
}
