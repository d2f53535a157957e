package io.ckit.impl;

import io.ckit.gossip.Addresses;
import io.ckit.gossip.HostPort;
import io.netty.util.NetUtil;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.dns.AddressResolverOptions;
import io.vertx.core.dns.DnsClient;
import io.vertx.core.dns.DnsClientOptions;
import io.vertx.core.dns.SrvRecord;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.resolver.NameResolver;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Turns join addresses into the {@code ip:port} addresses to join, at every join:
 * <ul>
 *   <li>{@code host:port}: itself for an IP; every A and AAAA record of a name (as memberlist does);
 *   <li>{@code dns+name:port}: every A and AAAA record of the name;
 *   <li>{@code dnssrv+_service._proto.name}: every SRV record's target (its A and AAAA records) at the
 *       record's port.
 * </ul>
 * Names are looked up as the system resolver would: through the search list and {@code ndots} of the resolver
 * Vert.x was set up with ({@code /etc/resolv.conf} unless the Vert.x options say otherwise), and {@code
 * /etc/hosts}. Nothing blocks an event loop: A and AAAA go to Vert.x's resolver, SRV to a Vert.x DNS client.
 */
final class JoinAddressResolver {

  /** The prefix of a join address whose name's A and AAAA records are the addresses. */
  static final String DNS = "dns+";
  /** The prefix of a join address whose name's SRV records are the addresses. */
  static final String DNS_SRV = "dnssrv+";

  private final Vertx vertx;
  private final NameResolver names;
  private DnsClient dns;
  private Future<ResolvConf> resolvConf;

  JoinAddressResolver(Vertx vertx) {
    this.vertx = vertx;
    this.names = ((VertxInternal) vertx).nameResolver();
  }

  /** What a list of join addresses stands for now. */
  record Resolution(List<String> addresses, List<String> errors) {}

  /**
   * Resolves every join address; one that does not resolve is an error of the result, not a failure, so the
   * others can still be joined.
   *
   * @param defaultPort the port of a {@code host} given without one (memberlist's: the node's own)
   */
  Future<Resolution> resolve(List<String> joinAddresses, int defaultPort) {
    List<Future<List<String>>> lookups = new ArrayList<>(joinAddresses.size());
    for (String address : joinAddresses) {
      lookups.add(resolveOne(address, defaultPort).recover(failure -> Future.failedFuture(
          new IllegalStateException("cannot resolve " + address + ": " + failure.getMessage(), failure))));
    }
    return Future.join(lookups).transform(done -> {
      Set<String> addresses = new LinkedHashSet<>();
      List<String> errors = new ArrayList<>();
      for (Future<List<String>> lookup : lookups) {
        if (lookup.succeeded()) {
          addresses.addAll(lookup.result());
        } else {
          errors.add(lookup.cause().getMessage());
        }
      }
      return Future.succeededFuture(new Resolution(List.copyOf(addresses), List.copyOf(errors)));
    });
  }

  private Future<List<String>> resolveOne(String address, int defaultPort) {
    try {
      if (address.startsWith(DNS_SRV)) {
        return srv(address.substring(DNS_SRV.length()));
      }
      boolean dnsName = address.startsWith(DNS);
      HostPort hostPort = HostPort.parseJoin(dnsName ? address.substring(DNS.length()) : address, defaultPort);
      if (!dnsName && Addresses.isIp(hostPort.host())) {
        return Future.succeededFuture(List.of(hostPort.toString()));
      }
      return addresses(hostPort.host(), hostPort.port());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
  }

  /**
   * Every A and AAAA record of a name, at a port. A records come from Vert.x's resolver (which also reads
   * /etc/hosts, and asks for A only unless the JVM prefers IPv6); AAAA records are asked for as well, through
   * the same search list.
   */
  private Future<List<String>> addresses(String name, int port) {
    Promise<List<InetSocketAddress>> found = Promise.promise();
    names.resolveAll(name, found::handle);
    Future<List<String>> v6 = resolvConf()
        .compose(conf -> firstAnswer(conf.candidates(name), 0, candidate -> client().resolveAAAA(candidate)))
        .otherwise(List.of());
    return Future.join(found.future(), v6).transform(done -> {
      if (found.future().failed() && (v6.result() == null || v6.result().isEmpty())) {
        return Future.failedFuture(found.future().cause());
      }
      Set<String> addresses = new LinkedHashSet<>();
      if (found.future().succeeded()) {
        for (InetSocketAddress address : found.future().result()) {
          addresses.add(new HostPort(Addresses.ipText(address.getAddress()), port).toString());
        }
      }
      for (String ip : v6.result()) {
        addresses.add(new HostPort(canonicalIp(ip), port).toString());
      }
      return Future.succeededFuture(List.copyOf(addresses));
    });
  }

  /** An IP as the rest of the project writes it ({@code ::1}, not {@code 0:0:0:0:0:0:0:1}). */
  private static String canonicalIp(String ip) {
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(ip);
    if (bytes == null) {
      return ip;
    }
    try {
      return Addresses.ipText(InetAddress.getByAddress(bytes));
    } catch (UnknownHostException e) {
      return ip;
    }
  }

  /** The addresses of every target of a name's SRV records, the first name of the search list that has any. */
  private Future<List<String>> srv(String name) {
    if (name.isEmpty()) {
      return Future.failedFuture(new IllegalArgumentException("no name after " + DNS_SRV));
    }
    return resolvConf()
        .compose(conf -> firstAnswer(conf.candidates(name), 0, candidate -> client().resolveSRV(candidate)))
        .compose(records -> {
          List<Future<List<String>>> targets = new ArrayList<>(records.size());
          for (SrvRecord record : records) {
            targets.add(addresses(record.target(), record.port()));
          }
          return Future.all(targets).map(all -> {
            List<String> addresses = new ArrayList<>();
            for (int i = 0; i < targets.size(); i++) {
              addresses.addAll(all.<List<String>>resultAt(i));
            }
            return addresses;
          });
        });
  }

  /** The answer for the first of the names that has one, as the system resolver walks its search list. */
  private <T> Future<List<T>> firstAnswer(List<String> candidates, int index,
      Function<String, Future<List<T>>> lookup) {
    String candidate = candidates.get(index);
    return lookup.apply(candidate).transform(asked -> {
      if (asked.succeeded() && !asked.result().isEmpty()) {
        return Future.succeededFuture(asked.result());
      }
      if (index + 1 < candidates.size()) {
        return firstAnswer(candidates, index + 1, lookup);
      }
      return Future.failedFuture(asked.failed() ? asked.cause()
          : new IllegalStateException("no records for " + String.join(", ", candidates)));
    });
  }

  /** The search list and ndots: Vert.x's resolver options, or /etc/resolv.conf where they leave it to the system. */
  private Future<ResolvConf> resolvConf() {
    if (resolvConf == null) {
      AddressResolverOptions options = names.options();
      if (options.getSearchDomains() != null) {
        resolvConf = Future.succeededFuture(new ResolvConf(options.getSearchDomains(), options.getNdots()));
      } else {
        resolvConf = vertx.fileSystem().readFile("/etc/resolv.conf")
            .map(text -> new ResolvConf(ResolvConf.parse(text.toString()).search(), options.getNdots()))
            .otherwise(new ResolvConf(List.of(), options.getNdots()));
      }
    }
    return resolvConf;
  }

  /** A DNS client that asks the servers Vert.x's resolver asks. */
  private DnsClient client() {
    if (dns == null) {
      List<String> servers = names.options().getServers();
      if (servers == null || servers.isEmpty()) {
        dns = vertx.createDnsClient();
      } else {
        HostPort server = HostPort.parseJoin(servers.get(0), 53);
        dns = vertx.createDnsClient(new DnsClientOptions().setHost(server.host()).setPort(server.port())
            .setQueryTimeout(names.options().getQueryTimeout()));
      }
    }
    return dns;
  }

  /** Closes the DNS client, if one was made. */
  Future<Void> close() {
    return dns == null ? Future.succeededFuture() : dns.close();
  }
}
