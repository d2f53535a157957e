package io.ckit.app;

import io.ckit.EncryptionOptions;
import io.ckit.NodeOptions;
import io.ckit.config.Durations;
import io.ckit.config.JsonValues;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The runnable node's configuration, in layers, each overriding the one before: the embedded {@code
 * config/node.json}, a file given with {@code --config}, environment variables ({@code CKIT_NAME},
 * {@code CKIT_LISTEN}, ...), then command-line flags. The result is a {@link NodeOptions} JSON object
 * plus {@code listen} (the application's server) and {@code logLevel}.
 */
public final class AppConfig {

  /** The flags, what they set, and their environment variables. */
  static final Map<String, String> FLAGS = new LinkedHashMap<>();

  static {
    FLAGS.put("--name", "name");
    FLAGS.put("--listen", "listen");
    FLAGS.put("--advertise", "advertiseAddress");
    FLAGS.put("--join", "joinAddresses");
    FLAGS.put("--label", "label");
    FLAGS.put("--state", "state");
    FLAGS.put("--tls-cert", "tls-cert");
    FLAGS.put("--tls-key", "tls-key");
    FLAGS.put("--tls-ca", "tls-ca");
    FLAGS.put("--sharder", "sharder");
    FLAGS.put("--max-join-peers", "maxJoinPeers");
    FLAGS.put("--rejoin-interval", "rejoinInterval");
    FLAGS.put("--rejoin-retention", "rejoinRetention");
    FLAGS.put("--join-timeout", "joinTimeout");
    FLAGS.put("--metadata", "metadata");
    FLAGS.put("--log-level", "logLevel");
    FLAGS.put("--advertise-interfaces", "advertiseInterfaces");
    FLAGS.put("--min-cluster-size", "minClusterSize");
    FLAGS.put("--cluster-size-wait-timeout", "clusterSizeWaitTimeout");
    FLAGS.put("--observer-min-interval", "observerMinInterval");
    FLAGS.put("--native-transport", "nativeTransport");
    // Gossip encryption: the node's "encryption" section.
    FLAGS.put("--encryption-key", "encryption.keys");
    FLAGS.put("--encryption-key-file", "encryption.keyFile");
    FLAGS.put("--encryption-verify-incoming", "encryption.verifyIncoming");
    FLAGS.put("--encryption-verify-outgoing", "encryption.verifyOutgoing");
  }

  /** Flags that may be given more than once: their values are joined with commas. */
  private static final Set<String> REPEATABLE = Set.of("--encryption-key");

  static final Set<String> LOG_LEVELS = Set.of("debug", "info", "warn", "error");

  /** The node's options (the application serves the gossip routes itself: no listen in them). */
  final NodeOptions node;
  /** Where the application's server listens. */
  final String listen;
  /** debug, info, warn or error. */
  final String logLevel;
  /** Whether Vert.x should use Netty's native transport (epoll) when the platform has it. */
  final boolean nativeTransport;

  private AppConfig(NodeOptions node, String listen, String logLevel, boolean nativeTransport) {
    this.node = node;
    this.listen = listen;
    this.logLevel = logLevel;
    this.nativeTransport = nativeTransport;
  }

  /**
   * Reads the layers.
   *
   * @throws IllegalArgumentException with a one-line message that starts with the offending option
   */
  static AppConfig load(List<String> args, Map<String, String> env) {
    JsonObject json = embedded();
    Map<String, String> flags = parseFlags(args);
    String configFile = flags.getOrDefault("--config", env.get("CKIT_CONFIG"));
    if (configFile != null) {
      json.mergeIn(file(configFile), true);
    }
    for (Map.Entry<String, String> flag : FLAGS.entrySet()) {
      String variable = "CKIT_" + flag.getKey().substring(2).toUpperCase(Locale.ROOT).replace('-', '_');
      String value = flags.containsKey(flag.getKey()) ? flags.get(flag.getKey()) : env.get(variable);
      if (value == null) {
        continue;
      }
      String where = flags.containsKey(flag.getKey()) ? flag.getKey() : variable;
      apply(json, flag.getValue(), value, where);
    }
    Object logLevel = json.remove("logLevel");
    return finish(json, logLevel == null ? "info" : String.valueOf(logLevel));
  }

  private static AppConfig finish(JsonObject json, String logLevelIn) {
    Object nativeValue = json.remove("nativeTransport");
    if (nativeValue != null && !(nativeValue instanceof Boolean)) {
      throw new IllegalArgumentException("--native-transport: \"" + nativeValue + "\" is neither true nor false");
    }
    boolean nativeTransport = nativeValue == null || (Boolean) nativeValue;
    String logLevel = logLevelIn.toLowerCase(Locale.ROOT);
    if (!LOG_LEVELS.contains(logLevel)) {
      throw new IllegalArgumentException("--log-level: \"" + logLevelIn + "\" is none of debug, info, warn, error");
    }
    Object listenValue = json.remove("listen");
    if (!(listenValue instanceof String listen) || listen.isEmpty()) {
      throw new IllegalArgumentException("--listen: a host:port to listen on is required");
    }
    boolean interfaces = !JsonValues.texts("advertiseInterfaces", json.getValue("advertiseInterfaces")).isEmpty();
    if (!json.containsKey("advertiseAddress") && !interfaces) {
      if (listen.startsWith("0.0.0.0:") || listen.startsWith("[::]:")) {
        throw new IllegalArgumentException("--advertise: listening on " + listen
            + " (every interface), so give the address other nodes should use");
      }
      json.put("advertiseAddress", listen);
    }
    if (!json.containsKey("name")) {
      json.put("name", hostName());
    }
    NodeOptions node;
    try {
      node = new NodeOptions(json);
      // The advertised port may be 0 (take the server's): check it as if the node had a server of its own.
      new NodeOptions(node).setListen(listen).validate();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(flagFor(e.getMessage()), e);
    }
    return new AppConfig(node, listen, logLevel, nativeTransport);
  }

  /** Renames an options error to the flag that sets the option, when there is one. */
  private static String flagFor(String message) {
    for (Map.Entry<String, String> flag : FLAGS.entrySet()) {
      if (message.startsWith(flag.getValue() + ":")) {
        return flag.getKey() + message.substring(flag.getValue().length());
      }
    }
    return message;
  }

  private static void apply(JsonObject json, String option, String value, String where) {
    switch (option) {
      case "joinAddresses" -> json.put("joinAddresses", new JsonArray(JsonValues.texts(where, value)));
      case "nativeTransport" -> {
        if (!value.equals("true") && !value.equals("false")) {
          throw new IllegalArgumentException(where + ": \"" + value + "\" is neither true nor false");
        }
        json.put(option, Boolean.parseBoolean(value));
      }
      case "minClusterSize", "maxJoinPeers" -> {
        try {
          json.put(option, Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(where + ": \"" + value + "\" is not a whole number", e);
        }
      }
      case "state" -> {
        if (!value.equals("viewer") && !value.equals("participant")) {
          throw new IllegalArgumentException(where + ": \"" + value + "\" is neither viewer nor participant");
        }
        json.put("state", value);
      }
      case "tls-cert", "tls-key" -> {
        JsonObject tls = json.getJsonObject("tls", new JsonObject());
        JsonObject pem = tls.getJsonObject("pemKeyCert", new JsonObject());
        pem.put(option.equals("tls-cert") ? "certPath" : "keyPath", readable(where, value));
        json.put("tls", tls.put("pemKeyCert", pem).put("enabled", true));
      }
      case "tls-ca" -> {
        JsonObject tls = json.getJsonObject("tls", new JsonObject());
        json.put("tls", tls.put("pemTrust", new JsonObject().put("certPaths", new JsonArray().add(readable(where,
            value)))));
      }
      case "encryption.keys", "encryption.keyFile", "encryption.verifyIncoming", "encryption.verifyOutgoing" ->
          applyEncryption(json, option.substring("encryption.".length()), value, where);
      default -> json.put(option, value);
    }
  }

  /** Keys and a key file are alternatives: the one a later layer gives replaces the other. */
  private static void applyEncryption(JsonObject json, String field, String value, String where) {
    JsonObject encryption = json.getJsonObject("encryption", new JsonObject());
    switch (field) {
      case "keys" -> {
        encryption.remove("keyFile");
        encryption.put("keys", new JsonArray(new java.util.ArrayList<>(EncryptionOptions.splitKeys(value))));
      }
      case "keyFile" -> {
        encryption.remove("keys");
        encryption.put("keyFile", readable(where, value));
      }
      default -> {
        if (!value.equals("true") && !value.equals("false")) {
          throw new IllegalArgumentException(where + ": \"" + value + "\" is neither true nor false");
        }
        encryption.put(field, Boolean.parseBoolean(value));
      }
    }
    json.put("encryption", encryption);
  }

  private static String readable(String where, String path) {
    if (!Files.isReadable(Path.of(path))) {
      throw new IllegalArgumentException(where + ": cannot read \"" + path + "\"");
    }
    return path;
  }

  private static Map<String, String> parseFlags(List<String> args) {
    Map<String, String> flags = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      String name = arg;
      String value = null;
      int equals = arg.indexOf('=');
      if (arg.startsWith("--") && equals > 0) {
        name = arg.substring(0, equals);
        value = arg.substring(equals + 1);
      }
      if (!FLAGS.containsKey(name) && !name.equals("--config")) {
        throw new IllegalArgumentException(arg + ": unknown option (known: --config, "
            + String.join(", ", FLAGS.keySet()) + ")");
      }
      if (value == null) {
        if (i + 1 >= args.size()) {
          throw new IllegalArgumentException(name + ": a value is missing");
        }
        value = args.get(++i);
      }
      if (REPEATABLE.contains(name) && flags.containsKey(name)) {
        value = flags.get(name) + "," + value;
      }
      flags.put(name, value);
    }
    return flags;
  }

  private static JsonObject embedded() {
    try (InputStream in = AppConfig.class.getResourceAsStream("/config/node.json")) {
      if (in == null) {
        throw new IllegalStateException("config/node.json is missing from the class path");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the embedded config/node.json: " + e.getMessage(), e);
    }
  }

  private static JsonObject file(String path) {
    try {
      return new JsonObject(Files.readString(Path.of(path)));
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("--config: no such file \"" + path + "\"", e);
    } catch (IOException e) {
      throw new IllegalArgumentException("--config: cannot read \"" + path + "\": " + e.getMessage(), e);
    } catch (DecodeException e) {
      throw new IllegalArgumentException("--config: \"" + path + "\" is not a JSON object: "
          + e.getMessage().lines().findFirst().orElse(""), e);
    }
  }

  private static String hostName() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isEmpty()) {
      return env;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "ckit-node";
    }
  }
}
