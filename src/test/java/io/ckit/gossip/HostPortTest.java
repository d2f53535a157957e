package io.ckit.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostPortTest {

  @ParameterizedTest
  @CsvSource({
      "127.0.0.1:7946, 127.0.0.1, 7946, 127.0.0.1:7946",
      "[::1]:7946, ::1, 7946, [::1]:7946",
      "[fe80::1]:0, fe80::1, 0, [fe80::1]:0",
      "my-svc.ns.svc.cluster.local:7946, my-svc.ns.svc.cluster.local, 7946, my-svc.ns.svc.cluster.local:7946",
      "localhost:65535, localhost, 65535, localhost:65535",
  })
  void parsesHostAndPort(String text, String host, int port, String written) {
    HostPort parsed = HostPort.parse(text);
    assertThat(parsed).isEqualTo(new HostPort(host, port));
    assertThat(parsed.toString()).isEqualTo(written);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "127.0.0.1|\"127.0.0.1\" is not host:port",
      "host:|\"host:\" has no valid port (0-65535)",
      "host:65536|\"host:65536\" has no valid port (0-65535)",
      "host:-1|\"host:-1\" has no valid port (0-65535)",
      "host:x|\"host:x\" has no valid port (0-65535)",
      "::1:7946|\"::1:7946\" has an IPv6 address not in brackets; write [addr]:port",
      "[::1]|\"[::1]\" is not host:port",
      ":7946|\":7946\" is not host:port",
      "a b:1|\"a b:1\" is not host:port",
  })
  void refusesWhatIsNotHostAndPort(String text, String message) {
    assertThatThrownBy(() -> HostPort.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @ParameterizedTest
  @CsvSource({
      "10.0.0.1:7000, 10.0.0.1:7000",
      "10.0.0.1, 10.0.0.1:7946",
      "node-b/10.0.0.1:7000, 10.0.0.1:7000",
      "::1, [::1]:7946",
      "[::1], [::1]:7946",
      "seed.example, seed.example:7946",
  })
  void joinAddressesTakeTheDefaultPortAndDropAName(String text, String written) {
    assertThat(HostPort.parseJoin(text, 7946).toString()).isEqualTo(written);
  }
}
