package io.ckit.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.spi.cluster.RegistrationInfo;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * What one cluster-manager node owns and every other holds a copy of: its {@link NodeInfo} and its event-bus
 * registrations, with the run (a random id per cluster-manager instance) and a version that the owner raises
 * with every change. The JSON form is what the cluster manager's routes carry.
 *
 * <p>Concurrency: owned by the cluster manager's context; not thread-safe.
 */
final class NodeEntries {

  final String name;
  final String run;
  long version;
  NodeInfo info;
  final Map<String, Set<RegistrationInfo>> registrations = new HashMap<>();

  NodeEntries(String name, String run) {
    this.name = name;
    this.run = run;
  }

  int registrationCount() {
    int count = 0;
    for (Set<RegistrationInfo> set : registrations.values()) {
      count += set.size();
    }
    return count;
  }

  /** Applies one change; returns the address it touched, or null for a NodeInfo change. */
  String apply(JsonObject op) {
    String kind = op.getString("op");
    switch (kind) {
      case "add": {
        String address = op.getString("address");
        registrations.computeIfAbsent(address, a -> new LinkedHashSet<>()).add(registration(op));
        return address;
      }
      case "remove": {
        String address = op.getString("address");
        Set<RegistrationInfo> set = registrations.get(address);
        if (set != null) {
          set.remove(registration(op));
          if (set.isEmpty()) {
            registrations.remove(address);
          }
        }
        return address;
      }
      case "info":
        info = info(op.getJsonObject("info"));
        return null;
      default:
        throw new IllegalArgumentException("ops: unknown op \"" + kind + "\"");
    }
  }

  private RegistrationInfo registration(JsonObject op) {
    return new RegistrationInfo(name, op.getLong("seq"), op.getBoolean("localOnly"));
  }

  JsonObject toJson() {
    JsonArray regs = new JsonArray();
    registrations.forEach((address, set) -> set.forEach(reg -> regs.add(new JsonObject().put("address", address)
        .put("seq", reg.seq()).put("localOnly", reg.localOnly()))));
    return new JsonObject().put("name", name).put("run", run).put("version", version)
        .put("info", info == null ? null : infoJson(info)).put("registrations", regs);
  }

  static JsonObject addOp(String address, RegistrationInfo reg) {
    return new JsonObject().put("op", "add").put("address", address).put("seq", reg.seq())
        .put("localOnly", reg.localOnly());
  }

  static JsonObject removeOp(String address, RegistrationInfo reg) {
    return addOp(address, reg).put("op", "remove");
  }

  static JsonObject infoOp(NodeInfo info) {
    return new JsonObject().put("op", "info").put("info", infoJson(info));
  }

  static JsonObject infoJson(NodeInfo info) {
    return new JsonObject().put("host", info.host()).put("port", info.port()).put("metadata", info.metadata());
  }

  static NodeInfo info(JsonObject json) {
    return json == null ? null : new NodeInfo(json.getString("host"), json.getInteger("port"),
        json.getJsonObject("metadata"));
  }

  /**
   * Reads a node's entries, checking every field.
   *
   * @throws IllegalArgumentException naming the field that is missing or wrong
   */
  static NodeEntries fromJson(JsonObject json, int maxRegistrations) {
    String name = Checks.text(json, "name");
    String run = Checks.text(json, "run");
    NodeEntries entries = new NodeEntries(name, run);
    entries.version = Checks.nonNegative(json, "version");
    Object info = json.getValue("info");
    if (info != null) {
      entries.info = Checks.info(info, "info");
    }
    JsonArray regs = Checks.array(json, "registrations");
    if (regs.size() > maxRegistrations) {
      throw new IllegalArgumentException("registrations: " + regs.size() + " entries, more than " + maxRegistrations);
    }
    for (int i = 0; i < regs.size(); i++) {
      Object item = regs.getValue(i);
      if (!(item instanceof JsonObject)) {
        throw new IllegalArgumentException("registrations[" + i + "]: not an object");
      }
      JsonObject op = Checks.op(((JsonObject) item).copy().put("op", "add"), "registrations[" + i + "]");
      entries.apply(op);
    }
    return entries;
  }
}
