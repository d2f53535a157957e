package io.ckit.app;

import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import sun.misc.Signal;

/**
 * Runs a node: {@code java -jar target/ckit-vertx.jar [--config file] [--name n] [--listen host:port]
 * [--advertise host:port] [--join a:p,b:p] [--label l] [--state viewer|participant] [--tls-cert f]
 * [--tls-key f] [--tls-ca f] [--sharder ring:256] [--rejoin-interval 60s] [--log-level info]
 * [--encryption-key base64]... [--encryption-key-file f] [--encryption-verify-incoming true|false]
 * [--encryption-verify-outgoing true|false] [--metadata k=v,...]}. See README's configuration reference.
 * An invalid option stops start-up with one line naming it and exit code 2. SIGTERM or Ctrl-C: terminating
 * (once gossiped), leave, exit 0.
 */
public final class Main {

  private static final System.Logger LOG = System.getLogger("io.ckit.app");
  // Loggers configured here are held so that their settings are not lost when they are garbage-collected.
  private static final Logger NETTY_LOGGER = Logger.getLogger("io.netty");
  private static final Logger METER_REGISTRY_LOGGER =
      Logger.getLogger("io.micrometer.core.instrument.MeterRegistry");

  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.println("usage: java -jar ckit-vertx.jar [--config file] " + String.join(" ",
          AppConfig.FLAGS.keySet().stream().map(flag -> "[" + flag + " value]").toList()));
      return;
    }
    if (args.length > 0 && args[0].equals("owners")) {
      OwnersCommand.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    AppConfig config;
    try {
      config = AppConfig.load(List.of(args), System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("ckit-vertx: " + e.getMessage());
      System.exit(2);
      return;
    }
    configureLogging(config.node.getName(), config.logLevel);
    NodeApp app = new NodeApp(config);
    try {
      NodeApp.await(app.start(), 60);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.err.println("ckit-vertx: --listen: cannot serve " + config.listen + ": " + cause.getMessage());
      NodeApp.await(app.shutdown().recover(failure -> io.vertx.core.Future.succeededFuture()), 10);
      System.exit(1);
      return;
    }
    CountDownLatch stop = new CountDownLatch(1);
    Signal.handle(new Signal("TERM"), signal -> stop.countDown());
    Signal.handle(new Signal("INT"), signal -> stop.countDown());
    stop.await();
    LOG.log(Level.INFO, "shutting down");
    try {
      NodeApp.await(app.shutdown(), 30);
    } catch (Exception e) {
      LOG.log(Level.WARNING, "unclean shutdown: " + e);
      System.exit(1);
    }
    LOG.log(Level.INFO, "stopped");
    System.exit(0);
  }

  /** One line per event on standard error: time, level, node name, logger, message. */
  static void configureLogging(String nodeName, String level) {
    java.util.logging.Level julLevel = switch (level) {
      case "debug" -> java.util.logging.Level.FINE;
      case "warn" -> java.util.logging.Level.WARNING;
      case "error" -> java.util.logging.Level.SEVERE;
      default -> java.util.logging.Level.INFO;
    };
    Logger root = Logger.getLogger("");
    for (java.util.logging.Handler handler : root.getHandlers()) {
      root.removeHandler(handler);
    }
    ConsoleHandler console = new ConsoleHandler();
    console.setLevel(julLevel);
    console.setFormatter(new Formatter() {
      @Override
      public String format(LogRecord record) {
        String message = formatMessage(record).replace('\n', ' ');
        String thrown = record.getThrown() == null ? "" : " error=\"" + record.getThrown() + "\"";
        return String.format("%1$tFT%1$tT.%1$tLZ %2$s node=%3$s logger=%4$s %5$s%6$s%n",
            record.getInstant().atZone(java.time.ZoneOffset.UTC), record.getLevel().getName(), nodeName,
            record.getLoggerName(), message, thrown);
      }
    });
    root.addHandler(console);
    root.setLevel(julLevel);
    // Netty's own debug chatter stays out of a debug log.
    NETTY_LOGGER.setLevel(java.util.logging.Level.INFO);
    // vertx-micrometer-metrics registers a gauge per event-bus handler (and per client request method) under
    // one id, sharing the value between them; Micrometer warns about every repeat. The values are right, so
    // those lines are dropped; any other registry warning still shows.
    METER_REGISTRY_LOGGER.setFilter(record -> record.getMessage() == null
        || !record.getMessage().contains("already registered (MeterId{name='vertx."));
  }
}
