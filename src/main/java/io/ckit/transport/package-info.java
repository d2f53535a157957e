/**
 * How engines reach each other: Go ckit's gossiphttp transport over HTTP/2, and an in-memory network for
 * tests and the simulator. Both implement {@link io.ckit.gossip.Transport} and hand what arrives to the
 * engine's {@link io.ckit.gossip.TransportReceiver} on the engine's context.
 *
 * <p>{@link io.ckit.transport.HttpTransport} is the public face of the HTTP/2 transport (with {@link
 * io.ckit.transport.TransportOptions} and {@link io.ckit.transport.TransportMetrics}); it only puts its parts
 * together, a file each:
 *
 * <ul>
 *   <li>{@code ServerEndpoints}: the server side, {@code POST message} and {@code POST stream}: refusals
 *       (503, 505, 400), frame decoding, packets handed to the engine;
 *   <li>{@code Backlog}: the bounded hand-off of inbound frames to the engine, which pauses the bodies
 *       feeding it when the engine falls behind and resumes them once it catches up;
 *   <li>{@code PacketSender}: the client side for packets: a bounded queue per peer, a limit of POSTs in
 *       flight, the oldest dropped when full, idle queues removed, the packet timeout;
 *   <li>{@code StreamDialer}: the client side for streams: the dial, its timeout, and a reset, with its
 *       connection closed (a cut-off peer's would carry the next dial too), when it is given up;
 *   <li>{@code EngineSideStream}: what the engine sees of a stream, either side: frames in on the engine's
 *       context, and closing that gives the other side a grace period before a reset; {@code ServerStream}
 *       and {@code ClientStream} are its accepting and dialling sides;
 *   <li>{@code TransportCore}: what those parts share: the engine's context, the options and meters, the
 *       HTTP/2 client and the closed flag.
 * </ul>
 *
 * <p>Concurrency, the same in every part: the packet queues live on the engine's context only; inbound
 * frames and accepted streams are delivered on the engine's context; each HTTP request and response is
 * touched only on its own context; nothing takes a lock (what crosses contexts is a volatile field, an atomic
 * count or a lock-free queue).
 *
 * <p>{@link io.ckit.transport.MemoryNetwork} connects engines in memory; its {@link
 * io.ckit.transport.MemoryNetwork.Conditions} can add latency, loss and partitions.
 */
package io.ckit.transport;
