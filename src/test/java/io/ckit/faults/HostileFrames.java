package io.ckit.faults;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw h2c connection written frame by frame (RFC 9113), for what no well-behaved HTTP/2 client sends:
 * streams opened and reset at once (rapid reset, CVE-2023-44487), header blocks continued without end
 * (CONTINUATION flood, CVE-2024-27316), streams opened and left idle. Header blocks are HPACK without
 * Huffman coding or dynamic table. A reader thread answers the server's SETTINGS and PINGs and records what
 * the server sends back: GOAWAY (with its error code), RST_STREAM, HEADERS, and whether the connection closed.
 *
 * <p>Blocking: use from a test thread.
 */
final class HostileFrames implements AutoCloseable {

  static final int DATA = 0;
  static final int HEADERS = 1;
  static final int RST_STREAM = 3;
  static final int SETTINGS = 4;
  static final int PING = 6;
  static final int GOAWAY = 7;
  static final int WINDOW_UPDATE = 8;
  static final int CONTINUATION = 9;
  static final int END_STREAM = 0x1;
  static final int END_HEADERS = 0x4;
  static final int ACK = 0x1;
  /** RST_STREAM's and GOAWAY's error code CANCEL. */
  static final int CANCEL = 0x8;

  private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final Socket socket;
  private final OutputStream out;
  private final Thread reader;
  private final String authority;
  /** GOAWAY's error code, or -1 while none came. */
  private volatile int goAwayCode = -1;
  private volatile boolean closed;
  /** Counted down once the server's SETTINGS have been acknowledged. */
  private final java.util.concurrent.CountDownLatch settled = new java.util.concurrent.CountDownLatch(1);
  final AtomicInteger resetsReceived = new AtomicInteger();
  final AtomicInteger headersReceived = new AtomicInteger();
  /** Streams the server ended (HEADERS or DATA with END_STREAM). */
  final AtomicInteger endsReceived = new AtomicInteger();

  private HostileFrames(String address) throws IOException {
    this.authority = address;
    socket = new Socket();
    socket.connect(new InetSocketAddress(HostileClient.host(address), HostileClient.port(address)), 5_000);
    socket.setTcpNoDelay(true);
    out = socket.getOutputStream();
    reader = new Thread(this::read, "hostile-frames-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** Connects, sends the preface and empty SETTINGS. */
  static HostileFrames connect(String address) throws IOException {
    return connect(address, false);
  }

  /**
   * Connects and sends the preface and SETTINGS.
   *
   * @param noWindow announce an initial stream window of 0: the server may send no response body at all
   *     (a reader that never reads)
   */
  static HostileFrames connect(String address, boolean noWindow) throws IOException {
    HostileFrames connection = new HostileFrames(address);
    synchronized (connection) {
      connection.out.write(PREFACE);
      // SETTINGS_INITIAL_WINDOW_SIZE (0x4) = 0
      connection.frame(SETTINGS, 0, 0, noWindow ? new byte[] {0, 4, 0, 0, 0, 0} : new byte[0]);
      connection.out.flush();
    }
    return connection;
  }

  /** A POST header block for {@code path} with ckit's content type. */
  byte[] postHeaders(String path) {
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    block.write(0x83); // :method POST (static index 3)
    block.write(0x86); // :scheme http (static index 6)
    literal(block, 4, path); // :path
    literal(block, 1, authority); // :authority
    literal(block, 31, "application/x.ckit"); // content-type
    return block.toByteArray();
  }

  /** A literal header field without indexing, its name from the static table (4-bit prefix), its value raw. */
  static void literal(ByteArrayOutputStream block, int nameIndex, String value) {
    integer(block, 0x00, 4, nameIndex);
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    integer(block, 0x00, 7, bytes.length);
    block.writeBytes(bytes);
  }

  /** A literal header field without indexing and with a new name (a header no one asked for). */
  static void literalNew(ByteArrayOutputStream block, String name, String value) {
    block.write(0x00);
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    integer(block, 0x00, 7, nameBytes.length);
    block.writeBytes(nameBytes);
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    integer(block, 0x00, 7, bytes.length);
    block.writeBytes(bytes);
  }

  /** HPACK's integer with an N-bit prefix (RFC 7541 5.1). */
  private static void integer(ByteArrayOutputStream block, int flags, int prefixBits, int value) {
    int max = (1 << prefixBits) - 1;
    if (value < max) {
      block.write(flags | value);
      return;
    }
    block.write(flags | max);
    value -= max;
    while (value >= 128) {
      block.write((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    block.write(value);
  }

  synchronized void headers(int streamId, int flags, byte[] block) throws IOException {
    frame(HEADERS, flags, streamId, block);
  }

  synchronized void continuation(int streamId, int flags, byte[] block) throws IOException {
    frame(CONTINUATION, flags, streamId, block);
  }

  synchronized void data(int streamId, int flags, byte[] payload) throws IOException {
    frame(DATA, flags, streamId, payload);
  }

  synchronized void rst(int streamId, int code) throws IOException {
    frame(RST_STREAM, 0, streamId, new byte[] {(byte) (code >>> 24), (byte) (code >>> 16), (byte) (code >>> 8),
        (byte) code});
  }

  synchronized void flush() throws IOException {
    out.flush();
  }

  private void frame(int type, int flags, int streamId, byte[] payload) throws IOException {
    byte[] header = {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
        (byte) type, (byte) flags, (byte) (streamId >>> 24), (byte) (streamId >>> 16), (byte) (streamId >>> 8),
        (byte) streamId};
    out.write(header);
    out.write(payload);
  }

  private void read() {
    try {
      DataInputStream in = new DataInputStream(socket.getInputStream());
      byte[] header = new byte[9];
      while (true) {
        in.readFully(header);
        int length = (header[0] & 0xFF) << 16 | (header[1] & 0xFF) << 8 | header[2] & 0xFF;
        int type = header[3] & 0xFF;
        int flags = header[4] & 0xFF;
        byte[] payload = new byte[length];
        in.readFully(payload);
        switch (type) {
          case SETTINGS -> {
            if ((flags & ACK) == 0) {
              synchronized (this) {
                frame(SETTINGS, ACK, 0, new byte[0]);
                out.flush();
              }
              settled.countDown();
            }
          }
          case PING -> {
            if ((flags & ACK) == 0) {
              synchronized (this) {
                frame(PING, ACK, 0, payload);
                out.flush();
              }
            }
          }
          case GOAWAY -> goAwayCode = (payload[4] & 0xFF) << 24 | (payload[5] & 0xFF) << 16
              | (payload[6] & 0xFF) << 8 | payload[7] & 0xFF;
          case RST_STREAM -> resetsReceived.incrementAndGet();
          case HEADERS -> headersReceived.incrementAndGet();
          default -> { }
        }
        if ((type == HEADERS || type == DATA) && (flags & END_STREAM) != 0) {
          endsReceived.incrementAndGet();
        }
      }
    } catch (EOFException e) {
      // the server closed the connection
    } catch (IOException e) {
      // reset, or closed here
    } finally {
      closed = true;
    }
  }

  /**
   * Waits until the server's SETTINGS have come and been acknowledged: from then on nothing this side sends
   * on its own comes between a HEADERS frame and its CONTINUATION frames (which would be a protocol error).
   */
  void awaitSettings() throws InterruptedException {
    if (!settled.await(30, TimeUnit.SECONDS)) {
      throw new AssertionError("no SETTINGS from the server in 30 s");
    }
  }

  /** GOAWAY's error code (RFC 9113 7: 0x1 PROTOCOL_ERROR, 0xb ENHANCE_YOUR_CALM...), or -1 if none came. */
  int goAwayCode() {
    return goAwayCode;
  }

  boolean closed() {
    return closed;
  }

  /** Waits up to {@code seconds} for the server to close the connection. */
  boolean awaitClosed(long seconds) throws InterruptedException {
    reader.join(TimeUnit.SECONDS.toMillis(seconds));
    return closed;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
