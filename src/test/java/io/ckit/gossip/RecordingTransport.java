package io.ckit.gossip;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** A transport that records what the engine sends, and lets a test play the other side of streams. */
final class RecordingTransport implements Transport {

  record Packet(String address, byte[] bytes) {}

  final List<Packet> packets = new ArrayList<>();
  final List<TestStream> dialled = new ArrayList<>();
  final List<Promise<StreamChannel>> pendingDials = new ArrayList<>();

  @Override
  public void sendPacket(String address, byte[] packet) {
    packets.add(new Packet(address, packet));
  }

  @Override
  public Future<StreamChannel> openStream(String address, long timeoutMillis) {
    Promise<StreamChannel> promise = Promise.promise();
    pendingDials.add(promise);
    TestStream stream = new TestStream(address);
    dialled.add(stream);
    return promise.future();
  }

  /** Completes the oldest pending dial with its stream. */
  TestStream connect() {
    Promise<StreamChannel> promise = pendingDials.remove(0);
    TestStream stream = dialled.get(dialled.size() - pendingDials.size() - 1);
    promise.complete(stream);
    return stream;
  }

  /** One end of a stream whose other end is the test. */
  static final class TestStream implements StreamChannel {
    final String remote;
    final List<byte[]> writes = new ArrayList<>();
    boolean closed;
    private Consumer<byte[]> data = bytes -> {};
    private Runnable end = () -> {};

    TestStream(String remote) {
      this.remote = remote;
    }

    /** The other side sends bytes. */
    void receive(byte[] bytes) {
      data.accept(bytes);
    }

    /** The other side ends the stream. */
    void end() {
      end.run();
    }

    @Override
    public void write(byte[] bytes) {
      if (!closed) {
        writes.add(bytes);
      }
    }

    @Override
    public void close() {
      closed = true;
    }

    @Override
    public void handler(Consumer<byte[]> data) {
      this.data = data;
    }

    @Override
    public void endHandler(Runnable end) {
      this.end = end;
    }

    @Override
    public void exceptionHandler(Consumer<Throwable> failure) {}

    @Override
    public String remoteAddress() {
      return remote;
    }
  }
}
