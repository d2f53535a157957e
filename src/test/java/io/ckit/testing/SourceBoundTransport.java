package io.ckit.testing;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.vertx.core.Vertx;
import io.vertx.core.impl.transports.NioTransport;
import io.vertx.core.transport.Transport;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Vert.x's NIO transport whose outgoing connections leave from a given loopback IP: on loopback the kernel
 * would pick 127.0.0.1 for every one, so a {@link CuttableProxy} could not tell the nodes of one Vert.x
 * instance from another's. Only the test's own seam; nodes run unchanged.
 */
public final class SourceBoundTransport implements Transport {

  private final io.vertx.core.spi.transport.Transport implementation;

  private SourceBoundTransport(String sourceIp) {
    InetSocketAddress source = new InetSocketAddress(sourceIp, 0);
    this.implementation = new NioTransport() {
      @Override
      public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
        if (domainSocket) {
          return super.channelFactory(true);
        }
        return () -> new NioSocketChannel() {
          @Override
          protected boolean doConnect(SocketAddress remote, SocketAddress local) throws Exception {
            return super.doConnect(remote, local != null ? local : source);
          }
        };
      }
    };
  }

  /** A Vert.x instance whose TCP connections come from this IP (a 127.x.y.z address, say). */
  public static Vertx vertx(String sourceIp) {
    return Vertx.builder().withTransport(new SourceBoundTransport(sourceIp)).build();
  }

  @Override
  public String name() {
    return "nio-from-source";
  }

  @Override
  public boolean available() {
    return true;
  }

  @Override
  public Throwable unavailabilityCause() {
    return null;
  }

  @Override
  public io.vertx.core.spi.transport.Transport implementation() {
    return implementation;
  }
}
