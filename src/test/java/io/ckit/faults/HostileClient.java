package io.ckit.faults;

import io.ckit.peer.PeerState;
import io.ckit.transport.HttpTransport;
import io.ckit.wire.ByteString;
import io.ckit.wire.CkitCodec;
import io.ckit.wire.FrameCodec;
import io.ckit.wire.Keyring;
import io.ckit.wire.Message;
import io.ckit.wire.MessageCodec;
import io.ckit.wire.PacketCodec;
import io.ckit.wire.StateMessage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

/**
 * The attacker: an HTTP client (h2c with prior knowledge, or HTTP/1.1) on a Vert.x instance of its own that
 * sends what a hostile peer would to a node's two gossip routes, and builds memberlist packets (forged or
 * replayed) with the project's codecs, for a cluster label and, optionally, a keyring (the wrong one, for an
 * attacker without the cluster's key).
 *
 * <p>Calls block the test thread for at most {@value #TIMEOUT_SECONDS} s.
 */
final class HostileClient implements AutoCloseable {

  private static final long TIMEOUT_SECONDS = 20;

  /** How a request ended: a status and body, or the error the client saw (a reset, a closed connection). */
  record Answer(int status, String body, String error) {
    static Answer failed(Throwable cause) {
      return new Answer(-1, "", String.valueOf(cause));
    }

    @Override
    public String toString() {
      return status >= 0 ? String.valueOf(status) : "error: " + error;
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final HttpClientAgent h2;
  private final HttpClientAgent h1;
  private final PacketCodec packets;

  /** An attacker that sends plain packets without a label. */
  HostileClient() {
    this("", null);
  }

  /**
   * @param label the cluster label its packets carry
   * @param keyring the keys it encrypts with, or null to send plain packets
   */
  HostileClient(String label, Keyring keyring) {
    this(label, keyring, 1);
  }

  /** @param connections how many h2c connections to the node it may open (each carries 100 streams at most) */
  HostileClient(String label, Keyring keyring, int connections) {
    this(label, keyring, connections, new HttpClientOptions());
  }

  private HostileClient(String label, Keyring keyring, int connections, HttpClientOptions base) {
    h2 = vertx.createHttpClient(new HttpClientOptions(base).setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false), new PoolOptions().setHttp2MaxSize(connections));
    h1 = vertx.createHttpClient(new HttpClientOptions(base).setProtocolVersion(HttpVersion.HTTP_1_1));
    packets = new PacketCodec(new MessageCodec(), label, keyring, false);
  }

  /**
   * An attacker that speaks TLS (HTTP/2 by ALPN), trusting any server, and presents {@code certificate} as
   * its client certificate (null: none).
   */
  static HostileClient overTls(PemKeyCertOptions certificate) {
    HttpClientOptions tls = new HttpClientOptions().setSsl(true).setUseAlpn(true).setTrustAll(true)
        .setVerifyHost(false);
    if (certificate != null) {
      tls.setKeyCertOptions(certificate);
    }
    return new HostileClient("", null, 1, tls);
  }

  Vertx vertx() {
    return vertx;
  }

  /** One packet of this attacker's codec (label, encryption), without a CRC. */
  byte[] packet(Message message) {
    return packets.encode(message, false);
  }

  /** A body of one frame per payload, as gossiphttp sends it. */
  static Buffer frames(byte[]... payloads) {
    Buffer body = Buffer.buffer();
    for (byte[] payload : payloads) {
      body.appendBuffer(FrameCodec.encode(payload));
    }
    return body;
  }

  /** A forged {@code dead} message: {@code from} declares {@code node} dead at {@code incarnation}. */
  static Message dead(String node, long incarnation, String from) {
    return new Message.Dead(incarnation, node, from);
  }

  /** A forged or replayed {@code alive} message about {@code node}, at {@code 127.0.0.1:port}. */
  static Message alive(String node, long incarnation, int port) {
    return new Message.Alive(incarnation, node, ByteString.copyOf(loopback()), port, null,
        ByteString.copyOf(new byte[] {1, 5, 2, 0, 0, 0}));
  }

  /** A ckit state message about {@code node}, as the user message memberlist gossips it. */
  static Message state(String node, PeerState state, long lamportTime) {
    return new Message.User(ByteString.copyOf(CkitCodec.encodeState(new StateMessage(node, state, lamportTime))));
  }

  private static byte[] loopback() {
    return InetAddress.getLoopbackAddress().getAddress();
  }

  /** POSTs a whole body to a gossip route of the node at {@code address} over h2c. */
  Answer post(String address, String path, String contentType, Buffer body) {
    return await(send(h2, address, path, contentType, body));
  }

  /** As {@link #post}, with ckit's content type, to the packet route. */
  Answer postPackets(String address, Buffer body) {
    return post(address, HttpTransport.MESSAGE_PATH, HttpTransport.CONTENT_TYPE, body);
  }

  /** POSTs over HTTP/1.1. */
  Answer postHttp1(String address, String path, Buffer body) {
    return await(send(h1, address, path, HttpTransport.CONTENT_TYPE, body));
  }

  /** Sends without waiting: many in flight on the one h2c connection. */
  Future<Answer> send(String address, String path, Buffer body) {
    return send(h2, address, path, HttpTransport.CONTENT_TYPE, body);
  }

  private Future<Answer> send(HttpClientAgent client, String address, String path, String contentType,
      Buffer body) {
    Promise<Answer> answer = Promise.promise();
    vertx.runOnContext(nothing -> {
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(host(address))
          .setPort(port(address)).setURI(path).setTimeout(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
      if (contentType != null) {
        options.putHeader(HttpHeaders.CONTENT_TYPE, contentType);
      }
      client.request(options)
          .compose(request -> request.send(body))
          .compose(response -> response.body().map(bytes -> new Answer(response.statusCode(), bytes.toString(),
              null)))
          .onComplete(done -> answer.complete(done.succeeded() ? done.result() : Answer.failed(done.cause())));
    });
    return answer.future();
  }

  /**
   * Opens a request on a route and writes {@code head} into its body without ending it: the stream stays open
   * until the returned request is ended or reset (or the server gives up on it).
   */
  HttpClientRequest open(String address, String path, Buffer head) {
    Promise<HttpClientRequest> opened = Promise.promise();
    vertx.runOnContext(nothing -> h2.request(new RequestOptions().setMethod(HttpMethod.POST).setHost(host(address))
            .setPort(port(address)).setURI(path).putHeader(HttpHeaders.CONTENT_TYPE, HttpTransport.CONTENT_TYPE))
        .compose(request -> {
          request.setChunked(true);
          return request.write(head).map(request);
        })
        .onComplete(opened));
    return awaitFuture(opened.future());
  }

  static <T> T awaitFuture(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS + 5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Answer await(Future<Answer> answer) {
    return awaitFuture(answer);
  }

  static String host(String address) {
    return address.substring(0, address.lastIndexOf(':'));
  }

  static int port(String address) {
    return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
  }

  @Override
  public void close() {
    awaitFuture(vertx.close());
  }
}
