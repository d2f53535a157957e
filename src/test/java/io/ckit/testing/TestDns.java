package io.ckit.testing;

import io.vertx.core.VertxOptions;
import io.vertx.core.dns.AddressResolverOptions;
import io.vertx.test.fakedns.FakeDNSServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.directory.server.dns.messages.ResourceRecord;

/**
 * A DNS server of the test's own on a loopback port (vertx-core's FakeDNSServer), whose A, AAAA and SRV records
 * the test changes while it runs, and the Vert.x options that make it a Vert.x instance's only server (with no
 * caching, so a changed record is seen at once). Nothing is asked of any other server.
 */
public final class TestDns implements AutoCloseable {

  private final FakeDNSServer server;
  private final Map<String, Set<ResourceRecord>> records = new ConcurrentHashMap<>();
  private final AtomicInteger queries = new AtomicInteger();
  private final Map<String, AtomicInteger> queriesByName = new ConcurrentHashMap<>();

  private TestDns() {
    server = new FakeDNSServer().port(freeUdpPort()).store(question -> {
      queries.incrementAndGet();
      queriesByName.computeIfAbsent(question.getDomainName(), name -> new AtomicInteger()).incrementAndGet();
      Set<ResourceRecord> answer = new HashSet<>();
      for (ResourceRecord record : records.getOrDefault(question.getDomainName(), Set.of())) {
        if (record.getRecordType() == question.getRecordType()) {
          answer.add(record);
        }
      }
      return answer;
    });
  }

  /** A started server with no records. */
  public static TestDns start() {
    TestDns dns = new TestDns();
    try {
      dns.server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dns;
  }

  /** Adds an A record ({@code ip} dotted) or, for an IPv6 {@code ip}, an AAAA record (FakeDNSServer encodes only ::1). */
  public TestDns address(String name, String ip) {
    FakeDNSServer.Record record = ip.indexOf(':') >= 0 ? FakeDNSServer.aaaa(name, 0) : FakeDNSServer.a(name, 0);
    return add(name, record.ipAddress(ip));
  }

  /** Adds an SRV record of {@code name} pointing at {@code target}:{@code port}. */
  public TestDns srv(String name, String target, int port) {
    return add(name, FakeDNSServer.srv(name, 0)
        .set("apacheDnsServicePriority", 10)
        .set("apacheDnsServiceWeight", 1)
        // apacheds writes the port as a signed short: above 32767 it takes the negative value of the same bits.
        .set("apacheDnsServicePort", (short) port)
        .set("apacheDnsDomainName", target));
  }

  /** How many questions the server has been asked: a resolver that asks proves it looked again. */
  public int queries() {
    return queries.get();
  }

  /** How many questions about one name (any record type) the server has been asked. */
  public int queries(String name) {
    AtomicInteger count = queriesByName.get(name);
    return count == null ? 0 : count.get();
  }

  /** Removes every record of a name. */
  public TestDns remove(String name) {
    records.remove(name);
    return this;
  }

  private TestDns add(String name, ResourceRecord record) {
    records.computeIfAbsent(name, n -> ConcurrentHashMap.newKeySet()).add(record);
    return this;
  }

  /** Vert.x options whose resolver asks only this server, with the given search list and ndots. */
  public VertxOptions vertxOptions(List<String> searchDomains, int ndots) {
    return new VertxOptions().setAddressResolverOptions(new AddressResolverOptions()
        .addServer("127.0.0.1:" + server.localAddress().getPort())
        .setSearchDomains(searchDomains)
        .setNdots(ndots)
        .setQueryTimeout(2_000)
        .setCacheMaxTimeToLive(0)
        .setCacheNegativeTimeToLive(0)
        .setHostsValue(io.vertx.core.buffer.Buffer.buffer("127.0.0.1 localhost\n")));
  }

  @Override
  public void close() {
    server.stop();
  }

  private static int freeUdpPort() {
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
