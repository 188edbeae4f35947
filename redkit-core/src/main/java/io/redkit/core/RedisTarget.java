package io.redkit.core;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where one namespace's Redis is: a standalone server, a Sentinel-managed master or a Cluster, with
 * credentials, TLS and database. Immutable; {@link #toString()} never shows the password.
 */
public final class RedisTarget {
    /** How the target is reached. */
    public enum Mode { STANDALONE, SENTINEL, CLUSTER }

    private final Mode mode;
    private final List<HostAndPort> nodes;
    private final boolean tls;
    private final String username;
    private final String password;
    private final int database;
    private final String sentinelMaster;

    RedisTarget(Mode mode, List<HostAndPort> nodes, boolean tls, String username, String password, int database,
                String sentinelMaster) {
        this.mode = mode;
        this.nodes = List.copyOf(nodes);
        this.tls = tls;
        this.username = username;
        this.password = password;
        this.database = database;
        this.sentinelMaster = sentinelMaster;
    }

    public Mode mode() {
        return mode;
    }

    /** The server (standalone), the sentinels (Sentinel) or the seed nodes (Cluster). */
    public List<HostAndPort> nodes() {
        return nodes;
    }

    public boolean tls() {
        return tls;
    }

    /** The ACL user, if any. */
    public Optional<String> username() {
        return Optional.ofNullable(username);
    }

    /** Whether a password is configured. The password itself is only handed to the client. */
    public boolean hasPassword() {
        return password != null;
    }

    /** The password, for building the client connection. Never log it. */
    public Optional<String> password() {
        return Optional.ofNullable(password);
    }

    /** The database index; always 0 on Cluster. */
    public int database() {
        return database;
    }

    /** The Sentinel master name; present only in {@link Mode#SENTINEL}. */
    public Optional<String> sentinelMaster() {
        return Optional.ofNullable(sentinelMaster);
    }

    /** True when every node is a loopback address. */
    public boolean isLoopback() {
        return nodes.stream().allMatch(HostAndPort::isLoopback);
    }

    /** Same server(s), credentials and TLS, ignoring the database. */
    boolean sameServer(RedisTarget o) {
        return mode == o.mode && nodes.equals(o.nodes) && tls == o.tls && Objects.equals(username, o.username)
                && Objects.equals(password, o.password) && Objects.equals(sentinelMaster, o.sentinelMaster);
    }

    RedisTarget withDatabase(int db) {
        return new RedisTarget(mode, nodes, tls, username, password, db, sentinelMaster);
    }

    /** A URL-like description with the password masked, e.g. {@code rediss://app:****@cache:6379/0}. */
    @Override
    public String toString() {
        String auth = username == null && password == null ? ""
                : (username == null ? "" : username) + (password == null ? "" : ":****") + "@";
        switch (mode) {
            case CLUSTER:
                return "cluster " + (tls ? "rediss://" : "redis://") + auth + join(nodes);
            case SENTINEL:
                return "sentinel " + (tls ? "rediss://" : "redis://") + auth + join(nodes) + "/" + database
                        + " master=" + sentinelMaster;
            default:
                return (tls ? "rediss://" : "redis://") + auth + nodes.get(0) + "/" + database;
        }
    }

    private static String join(List<HostAndPort> nodes) {
        StringBuilder sb = new StringBuilder();
        for (HostAndPort n : nodes) {
            if (sb.length() > 0) sb.append(',');
            sb.append(n);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RedisTarget && sameServer((RedisTarget) o) && ((RedisTarget) o).database == database;
    }

    @Override
    public int hashCode() {
        return Objects.hash(mode, nodes, tls, username, database, sentinelMaster);
    }
}
