package io.ckit.transport;

import io.ckit.wire.FrameCodec;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The client side for packets: each packet is a {@code POST message} of one frame, from a bounded queue per
 * peer with at most {@code maxPacketsInFlight} POSTs at a time, so a slow peer delays only its own packets.
 * A full queue drops its oldest packet; a POST gives up after the packet timeout; a queue goes once nothing
 * is queued or in flight.
 *
 * <p>Concurrency: engine's context only (packets are sent from there and POSTs complete there), so the
 * queues are plain collections.
 */
final class PacketSender {

  private final TransportCore core;
  private final ConnectionCheck connections;
  /** Queues of the peers with packets queued or in flight (no more: addresses churn). */
  private final Map<String, PeerQueue> peers = new HashMap<>();

  PacketSender(TransportCore core, ConnectionCheck connections) {
    this.core = core;
    this.connections = connections;
  }

  void send(String address, byte[] packet) {
    if (core.closed()) {
      return;
    }
    PeerQueue peer = peers.get(address);
    if (peer == null) {
      peer = new PeerQueue(address);
      peers.put(address, peer);
      core.metrics.peerQueues.incrementAndGet();
    }
    if (peer.queue.size() >= core.options.getMaxQueuedPackets()) {
      peer.queue.poll();
      core.metrics.txQueue.decrementAndGet();
      core.metrics.txDropped.increment();
    }
    peer.queue.add(packet);
    core.metrics.txQueue.incrementAndGet();
    peer.pump();
  }

  /** One peer's outgoing packets: at most {@code maxPacketsInFlight} POSTs at a time. */
  private final class PeerQueue {
    private final String address;
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private int inFlight;

    PeerQueue(String address) {
      this.address = address;
    }

    void pump() {
      while (inFlight < core.options.getMaxPacketsInFlight() && !queue.isEmpty() && !core.closed()) {
        byte[] packet = queue.poll();
        core.metrics.txQueue.decrementAndGet();
        inFlight++;
        core.metrics.txPackets.increment();
        core.metrics.txBytes.increment(packet.length);
        post(packet).onComplete(done -> {
          inFlight--;
          if (done.failed() || done.result() != 200) {
            core.metrics.txFailed.increment();
            HttpTransport.log(Level.DEBUG, "failed to send message to " + address + ": "
                + (done.failed() ? done.cause().getMessage() : "status " + done.result()));
          }
          pump();
          // Only an idle queue goes, so a new queue for the address still keeps to the in-flight limit. A post
          // that fails at once completes within pump(): an inner completion may have removed this queue.
          if (inFlight == 0 && queue.isEmpty() && peers.remove(address, this)) {
            core.metrics.peerQueues.decrementAndGet();
          }
        });
      }
    }

    private Future<Integer> post(byte[] packet) {
      Future<HttpClientRequest> created;
      try {
        created = core.client.request(core.request(address, HttpTransport.MESSAGE_PATH)
            .setTimeout(core.options.getPacketTimeout().toMillis()));
      } catch (RuntimeException e) {
        // A closed client, or an address that is no host:port.
        return Future.failedFuture(e);
      }
      return created
          .compose(request -> {
            // Failures arrive through the response future; this only keeps them out of the context's log.
            request.exceptionHandler(e -> { });
            Future<HttpClientResponse> answered = request.send(FrameCodec.encode(packet));
            connections.watch(request.connection(), answered);
            return answered;
          })
          .compose(response -> response.body().map(body -> response.statusCode()));
    }
  }
}
