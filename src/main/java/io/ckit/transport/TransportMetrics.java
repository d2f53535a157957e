package io.ckit.transport;

import io.micrometer.core.instrument.Counter;
import io.netty.handler.codec.http2.Http2Exception;
import io.vertx.core.Handler;
import javax.net.ssl.SSLException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.ckit.wire.WireDecodeException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The transport's meters, with Go ckit's names and help texts (as a Prometheus registry renders them:
 * {@code cluster_transport_rx_packets_total}...), each tagged with {@code cluster_name}. Received packets are
 * counted once (Go ckit counts each twice). Thread-safe.
 */
public final class TransportMetrics {

  final Counter rxPackets;
  final Counter rxBytes;
  final Counter txPackets;
  final Counter txBytes;
  final Counter txFailed;
  final Counter txDropped;
  final Counter streamRxPackets;
  final Counter streamRxBytes;
  final Counter streamRxFailed;
  final Counter streamTxPackets;
  final Counter streamTxBytes;
  final Counter streamTxFailed;
  final Counter unresponsiveConnections;
  final AtomicInteger streams = new AtomicInteger();
  final AtomicInteger rxQueue = new AtomicInteger();
  final AtomicInteger txQueue = new AtomicInteger();
  final AtomicInteger peerQueues = new AtomicInteger();
  private final Counter rejectedLabel;
  private final Counter rejectedUnencrypted;
  private final Counter rejectedDecrypt;
  private final Counter rejectedMalformed;
  private final Counter rejectedHttpVersion;
  private final Counter rejectedContentType;
  private final Counter rejectedFrame;

  final MeterRegistry registry;
  final String clusterName;

  private TransportMetrics(MeterRegistry registry, String clusterName) {
    this.registry = registry;
    this.clusterName = clusterName;
    Tags tags = Tags.of("cluster_name", clusterName);
    rxPackets = counter(registry, tags, "cluster.transport.rx.packets",
        "Total number of HTTP/2 gossip transport packets read");
    rxBytes = counter(registry, tags, "cluster.transport.rx.bytes",
        "Total number of HTTP/2 gossip transport bytes read");
    txPackets = counter(registry, tags, "cluster.transport.tx.packets",
        "Total number of HTTP/2 gossip transport packets written (failed or otherwise)");
    txBytes = counter(registry, tags, "cluster.transport.tx.bytes",
        "Total number of HTTP/2 gossip transport bytes written (failed or otherwise)");
    txFailed = counter(registry, tags, "cluster.transport.tx.packets.failed",
        "Total number of failed HTTP/2 gossip transport packets");
    txDropped = counter(registry, tags, "cluster.transport.tx.packets.dropped",
        "Total number of outgoing packets dropped because their peer's queue was full");
    streamRxPackets = counter(registry, tags, "cluster.transport.stream.rx.packets",
        "Total number of HTTP/2 gossip transport stream packets read");
    streamRxBytes = counter(registry, tags, "cluster.transport.stream.rx.bytes",
        "Total number of HTTP/2 gossip transport stream bytes read");
    streamRxFailed = counter(registry, tags, "cluster.transport.stream.rx.packets.failed",
        "Total number of HTTP/2 gossip transport stream packets failed to read");
    streamTxPackets = counter(registry, tags, "cluster.transport.stream.tx.packets",
        "Total number of HTTP/2 gossip transport stream packets written");
    streamTxBytes = counter(registry, tags, "cluster.transport.stream.tx.bytes",
        "Total number of HTTP/2 gossip transport stream bytes written");
    streamTxFailed = counter(registry, tags, "cluster.transport.stream.tx.packets.failed",
        "Total number of failed HTTP/2 gossip transport stream packets");
    unresponsiveConnections = counter(registry, tags, "cluster.transport.unresponsive.connections",
        "Total number of outgoing HTTP/2 connections closed because the peer answered neither a request nor a"
            + " PING within the ping timeout");
    rejectedLabel = rejected(registry, tags, REASON_LABEL);
    rejectedUnencrypted = rejected(registry, tags, REASON_UNENCRYPTED);
    rejectedDecrypt = rejected(registry, tags, REASON_DECRYPT);
    rejectedMalformed = rejected(registry, tags, REASON_MALFORMED);
    rejectedHttpVersion = rejected(registry, tags, REASON_HTTP_VERSION);
    rejectedContentType = rejected(registry, tags, REASON_CONTENT_TYPE);
    rejectedFrame = rejected(registry, tags, REASON_FRAME);
    rejected(registry, tags, REASON_HTTP2);
    rejected(registry, tags, REASON_TLS);
    gauge(registry, tags, "cluster.transport.streams", "Current number of HTTP/2 transport data streams", streams);
    gauge(registry, tags, "cluster.transport.rx.packet.queue.length",
        "Current number of unprocessed incoming packets", rxQueue);
    gauge(registry, tags, "cluster.transport.tx.packet.queue.length",
        "Current number of unprocessed outgoing packets", txQueue);
    gauge(registry, tags, "cluster.transport.tx.peer.queues",
        "Current number of peers with outgoing packets queued or in flight", peerQueues);
  }

  /** Reasons of {@code cluster_transport_rx_rejected_total}: another cluster's label. */
  public static final String REASON_LABEL = "label";
  /** Not encrypted where encryption is required. */
  public static final String REASON_UNENCRYPTED = "unencrypted";
  /** Encrypted, but no installed key decrypts it (or encrypted where this node has no keys). */
  public static final String REASON_DECRYPT = "decrypt";
  /** Not a packet or stream message that can be read. */
  public static final String REASON_MALFORMED = "malformed";
  /** A request to a gossip route that is not HTTP/2 (answered 505). */
  public static final String REASON_HTTP_VERSION = "http_version";
  /** A request to a gossip route without ckit's content type (answered 400). */
  public static final String REASON_CONTENT_TYPE = "content_type";
  /**
   * A body that is not a sequence of gossiphttp frames: a bad magic byte, a length over the maximum, or an end
   * inside a frame (a request answered 400, a stream failed).
   */
  public static final String REASON_FRAME = "frame";
  /**
   * An HTTP/2 connection the server closed for a protocol error: too many streams reset (rapid reset), a
   * header block over its limit or never ended (CONTINUATION flood), frames out of order. Counted where a
   * server's connections are counted ({@link HttpTransport#countRefusedConnections}).
   */
  public static final String REASON_HTTP2 = "http2";
  /** A TLS handshake the server refused (no client certificate, an untrusted one). */
  public static final String REASON_TLS = "tls";

  private static Counter rejected(MeterRegistry registry, Tags tags, String reason) {
    return Counter.builder("cluster.transport.rx.rejected")
        .description("Total number of packets and stream messages refused, by reason: label (another cluster's),"
            + " unencrypted (encryption is required), decrypt (no installed key decrypts it), malformed,"
            + " http_version (not HTTP/2), content_type (not application/x.ckit), frame (not gossiphttp frames),"
            + " http2 (connections closed for HTTP/2 protocol errors), tls (refused TLS handshakes)")
        .tags(tags).tag("reason", reason).register(registry);
  }

  /** Counts a packet or stream message the node refused, under the reason its decoding failure gives. */
  public void rejected(WireDecodeException.Kind kind) {
    switch (kind) {
      case LABEL_MISMATCH -> rejectedLabel.increment();
      case NOT_ENCRYPTED -> rejectedUnencrypted.increment();
      case DECRYPTION_FAILED -> rejectedDecrypt.increment();
      default -> rejectedMalformed.increment();
    }
  }

  /** Counts a request refused before its body was read: {@link #REASON_HTTP_VERSION} or {@link
   * #REASON_CONTENT_TYPE}. */
  void rejectedRequest(String reason) {
    (REASON_HTTP_VERSION.equals(reason) ? rejectedHttpVersion : rejectedContentType).increment();
  }

  /** Counts a request or stream body whose framing was broken ({@link #REASON_FRAME}). */
  void rejectedFrame() {
    rejectedFrame.increment();
  }

  /**
   * Counts an error a server's connection ended with, if it is a refusal: {@link #REASON_TLS} for a TLS
   * handshake, {@link #REASON_HTTP2} for an HTTP/2 protocol error; other errors (a peer gone) are not.
   */
  static Handler<Throwable> connectionRefusals(MeterRegistry registry, String clusterName) {
    Tags tags = Tags.of("cluster_name", clusterName);
    Counter http2 = rejected(registry, tags, REASON_HTTP2);
    Counter tls = rejected(registry, tags, REASON_TLS);
    return error -> {
      for (Throwable cause = error; cause != null; cause = cause.getCause()) {
        if (cause instanceof SSLException) {
          tls.increment();
          return;
        }
        if (cause instanceof Http2Exception) {
          http2.increment();
          return;
        }
      }
    };
  }

  /** The meters, registered in the registry for the cluster label ("" when there is none). */
  public static TransportMetrics create(MeterRegistry registry, String clusterName) {
    return new TransportMetrics(registry, clusterName);
  }

  private static Counter counter(MeterRegistry registry, Tags tags, String name, String help) {
    return Counter.builder(name).description(help).tags(tags).register(registry);
  }

  /** Held strongly: the registry keeps reading the value even if nothing else holds these metrics. */
  private static void gauge(MeterRegistry registry, Tags tags, String name, String help, AtomicInteger value) {
    Gauge.builder(name, value, AtomicInteger::get).strongReference(true).description(help).tags(tags)
        .register(registry);
  }
}
