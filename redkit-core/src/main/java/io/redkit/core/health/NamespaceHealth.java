package io.redkit.core.health;

import io.redkit.core.Namespace;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The result of one health check: status, PING round trip and what the server says about itself.
 * Server fields are empty when the namespace is down or the server would not tell (ACL).
 */
public final class NamespaceHealth {
    private final Namespace namespace;
    private final HealthStatus status;
    private final String target;
    private final Duration pingTime;
    private final String error;
    private final Map<String, String> info;
    private final String saveConfig;

    NamespaceHealth(Namespace namespace, HealthStatus status, String target, Duration pingTime, String error,
                    Map<String, String> info, String saveConfig) {
        this.namespace = namespace;
        this.status = status;
        this.target = target;
        this.pingTime = pingTime;
        this.error = error;
        this.info = info == null ? Map.of() : Map.copyOf(info);
        this.saveConfig = saveConfig;
    }

    static NamespaceHealth down(Namespace namespace, String target, String error) {
        return new NamespaceHealth(namespace, HealthStatus.DOWN, target, null, error, null, null);
    }

    public Namespace namespace() {
        return namespace;
    }

    public HealthStatus status() {
        return status;
    }

    public boolean isUp() {
        return status == HealthStatus.UP;
    }

    /** Where the namespace lives, password masked. */
    public String target() {
        return target;
    }

    /** PING round trip; empty when down. */
    public Optional<Duration> pingTime() {
        return Optional.ofNullable(pingTime);
    }

    /** Why it is down; empty when up. */
    public Optional<String> error() {
        return Optional.ofNullable(error);
    }

    /** {@code redis_version}, e.g. {@code 7.0.15}. */
    public Optional<String> version() {
        return Optional.ofNullable(info.get("redis_version"));
    }

    /** {@code master} or {@code slave}. */
    public Optional<String> role() {
        return Optional.ofNullable(info.get("role"));
    }

    public Optional<Long> usedMemoryBytes() {
        return longField("used_memory");
    }

    /** {@code maxmemory}; 0 means no limit. */
    public Optional<Long> maxMemoryBytes() {
        return longField("maxmemory");
    }

    /** {@code maxmemory_policy}, e.g. {@code noeviction} or {@code allkeys-lru}. */
    public Optional<String> evictionPolicy() {
        return Optional.ofNullable(info.get("maxmemory_policy"));
    }

    /** Whether AOF is on; empty when unknown. */
    public Optional<Boolean> aofEnabled() {
        return Optional.ofNullable(info.get("aof_enabled")).map("1"::equals);
    }

    /** The {@code save} setting (RDB snapshot points); empty when CONFIG GET is not allowed. */
    public Optional<String> rdbSaveConfig() {
        return Optional.ofNullable(saveConfig);
    }

    /** Any field of {@code INFO}. */
    public Optional<String> info(String field) {
        return Optional.ofNullable(info.get(field));
    }

    private Optional<Long> longField(String name) {
        String v = info.get(name);
        if (v == null) return Optional.empty();
        try {
            return Optional.of(Long.parseLong(v));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** A JSON-friendly view, for health endpoints. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("namespace", namespace.id());
        m.put("status", status.name());
        m.put("target", target);
        pingTime().ifPresent(d -> m.put("pingMillis", d.toNanos() / 1e6));
        error().ifPresent(e -> m.put("error", e));
        version().ifPresent(v -> m.put("version", v));
        role().ifPresent(v -> m.put("role", v));
        usedMemoryBytes().ifPresent(v -> m.put("usedMemoryBytes", v));
        maxMemoryBytes().ifPresent(v -> m.put("maxMemoryBytes", v));
        evictionPolicy().ifPresent(v -> m.put("evictionPolicy", v));
        return m;
    }

    @Override
    public String toString() {
        return toMap().toString();
    }
}
