package io.redkit.core;

import io.redkit.core.internal.Durations;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Redkit's one configuration: where each namespace's Redis is, timeouts and the key prefix.
 * Immutable and thread-safe. Built from the environment ({@link #fromEnv()}), from a URL
 * ({@link #fromUrl(String)}) or in code ({@link #builder()}).
 *
 * <table>
 *   <caption>Environment variables</caption>
 *   <tr><th>Variable</th><th>Default</th><th>Meaning</th></tr>
 *   <tr><td>REDIS_URL</td><td>unset: the embedded Redis</td><td>{@code redis://[user:pass@]host[:port][/db]} or {@code rediss://} (TLS)</td></tr>
 *   <tr><td>REDIS_USERNAME</td><td>unset</td><td>ACL user, for connections whose URL names none</td></tr>
 *   <tr><td>REDIS_PASSWORD</td><td>unset</td><td>password, for connections whose URL has none</td></tr>
 *   <tr><td>REDIS_TLS</td><td>false</td><td>TLS for host:port lists (Cluster, Sentinel) and plain redis:// URLs</td></tr>
 *   <tr><td>REDIS_CACHE_DB / REDIS_QUEUE_DB / REDIS_SESSION_DB</td><td>0 / 1 / 2</td><td>database per namespace on a shared standalone Redis</td></tr>
 *   <tr><td>REDKIT_CACHE_URL / REDKIT_QUEUE_URL / REDKIT_SESSION_URL</td><td>unset</td><td>a Redis of its own for that namespace</td></tr>
 *   <tr><td>REDIS_CLUSTER_NODES</td><td>unset</td><td>comma-separated seed nodes: Cluster mode</td></tr>
 *   <tr><td>REDIS_SENTINEL_NODES, REDIS_SENTINEL_MASTER</td><td>unset</td><td>Sentinel mode</td></tr>
 *   <tr><td>REDIS_CONNECT_TIMEOUT</td><td>2s</td><td>connect timeout</td></tr>
 *   <tr><td>REDIS_COMMAND_TIMEOUT</td><td>1s</td><td>command timeout</td></tr>
 *   <tr><td>REDKIT_KEY_PREFIX</td><td>redkit</td><td>first segment of every key</td></tr>
 * </table>
 *
 * <p>Database selection on a standalone Redis: a namespace with its own {@code REDKIT_*_URL} uses
 * that URL's database (0 when the URL has none); otherwise {@code REDIS_*_DB} when set, else the
 * database in {@code REDIS_URL}'s path when it has one (all namespaces then share it; their key
 * prefixes keep them apart), else 0, 1 and 2. On Cluster every namespace uses database 0 and a
 * database other than 0 is an error.
 */
public final class RedkitConfig {
    /** Default of {@code REDIS_CONNECT_TIMEOUT}: 2 seconds. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** Default of {@code REDIS_COMMAND_TIMEOUT}: 1 second. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(1);
    /** Default of {@code REDKIT_KEY_PREFIX}: {@code redkit}. */
    public static final String DEFAULT_KEY_PREFIX = "redkit";
    /** The port used when a URL or node list names none. */
    public static final int DEFAULT_PORT = 6379;
    /** The port used for sentinels when a node names none. */
    public static final int DEFAULT_SENTINEL_PORT = 26379;

    /** Every environment variable Redkit's core reads, in documentation order. */
    public static final List<String> VARIABLES = List.of("REDIS_URL", "REDIS_USERNAME", "REDIS_PASSWORD", "REDIS_TLS",
            "REDIS_CACHE_DB", "REDIS_QUEUE_DB", "REDIS_SESSION_DB", "REDKIT_CACHE_URL", "REDKIT_QUEUE_URL",
            "REDKIT_SESSION_URL", "REDIS_CLUSTER_NODES", "REDIS_SENTINEL_NODES", "REDIS_SENTINEL_MASTER",
            "REDIS_CONNECT_TIMEOUT", "REDIS_COMMAND_TIMEOUT", "REDKIT_KEY_PREFIX");

    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

    private final Map<Namespace, RedisTarget> targets;
    private final Duration connectTimeout;
    private final Duration commandTimeout;
    private final String keyPrefix;
    private final Builder source;

    private RedkitConfig(Map<Namespace, RedisTarget> targets, Duration connectTimeout, Duration commandTimeout,
                         String keyPrefix, Builder source) {
        Map<Namespace, RedisTarget> copy = new EnumMap<>(Namespace.class);
        copy.putAll(targets);
        this.targets = Collections.unmodifiableMap(copy);
        this.connectTimeout = connectTimeout;
        this.commandTimeout = commandTimeout;
        this.keyPrefix = keyPrefix;
        this.source = source;
    }

    /** Reads the process environment. */
    public static RedkitConfig fromEnv() {
        return fromEnv(System.getenv());
    }

    /**
     * Reads the given variables (for tests and for maps assembled from other sources). Unknown
     * variables are ignored; a bad value raises {@link RedkitConfigException} naming the variable.
     */
    public static RedkitConfig fromEnv(Map<String, String> env) {
        Builder b = new Builder();
        String url = value(env, "REDIS_URL");
        if (url != null) b.redisUrl(url, "REDIS_URL");
        String user = value(env, "REDIS_USERNAME");
        if (user != null) b.username = user;
        String password = value(env, "REDIS_PASSWORD");
        if (password != null) b.password = password;
        String tls = value(env, "REDIS_TLS");
        if (tls != null) b.tls = parseBoolean("REDIS_TLS", tls);
        for (Namespace ns : Namespace.values()) {
            String db = value(env, ns.databaseVariable());
            if (db != null) b.database(ns, parseDatabase(ns.databaseVariable(), db), ns.databaseVariable());
            String nsUrl = value(env, ns.urlVariable());
            if (nsUrl != null) b.namespaceUrl(ns, nsUrl, ns.urlVariable());
        }
        String cluster = value(env, "REDIS_CLUSTER_NODES");
        if (cluster != null) b.clusterNodes(parseNodes("REDIS_CLUSTER_NODES", cluster, DEFAULT_PORT));
        String sentinels = value(env, "REDIS_SENTINEL_NODES");
        if (sentinels != null) b.sentinelNodes = parseNodes("REDIS_SENTINEL_NODES", sentinels, DEFAULT_SENTINEL_PORT);
        String master = value(env, "REDIS_SENTINEL_MASTER");
        if (master != null) b.sentinelMaster = master;
        String ct = value(env, "REDIS_CONNECT_TIMEOUT");
        if (ct != null) b.connectTimeout = parseTimeout("REDIS_CONNECT_TIMEOUT", ct);
        String cmd = value(env, "REDIS_COMMAND_TIMEOUT");
        if (cmd != null) b.commandTimeout = parseTimeout("REDIS_COMMAND_TIMEOUT", cmd);
        String prefix = value(env, "REDKIT_KEY_PREFIX");
        if (prefix != null) b.keyPrefix(prefix, "REDKIT_KEY_PREFIX");
        return b.build();
    }

    /** All three namespaces on the Redis at {@code url}, with the default databases and timeouts. */
    public static RedkitConfig fromUrl(String url) {
        return builder().redisUrl(url).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's inputs, to change some of them. */
    public Builder toBuilder() {
        return source.copy();
    }

    /**
     * True when some namespace has no Redis configured (no {@code REDIS_URL}, no Cluster, no
     * Sentinel and no {@code REDKIT_*_URL} for it): the server and the tests then start the
     * embedded Redis and call {@link #withDefaultRedis(String)}.
     */
    public boolean needsEmbeddedRedis() {
        return targets.size() < Namespace.values().length;
    }

    /**
     * A copy in which every namespace that has no Redis configured uses {@code url} (typically the
     * embedded Redis the caller just started).
     */
    public RedkitConfig withDefaultRedis(String url) {
        Builder b = toBuilder();
        if (b.redisUrl == null) {
            b.redisUrl(url, "defaultRedis");
        }
        return b.build();
    }

    /**
     * Where {@code namespace} lives.
     *
     * @throws RedkitConfigException when nothing is configured for it and no embedded Redis was set
     */
    public RedisTarget target(Namespace namespace) {
        RedisTarget t = targets.get(namespace);
        if (t == null) {
            throw new RedkitConfigException("REDIS_URL", null,
                    "no Redis is configured for namespace '" + namespace.id() + "': set REDIS_URL (or "
                            + namespace.urlVariable() + "), or start the embedded Redis (redkit-testkit) and use withDefaultRedis(url)");
        }
        return t;
    }

    /** True when the namespaces run on Redis Cluster. */
    public boolean isCluster() {
        return targets.values().stream().anyMatch(t -> t.mode() == RedisTarget.Mode.CLUSTER);
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration commandTimeout() {
        return commandTimeout;
    }

    /** The first segment of every key, {@code redkit} by default. */
    public String keyPrefix() {
        return keyPrefix;
    }

    /** The prefix of every key of {@code namespace}: {@code <keyPrefix>:<namespace id>}. */
    public String keyPrefix(Namespace namespace) {
        return keyPrefix + ":" + namespace.id();
    }

    /** A description with passwords masked; safe to log. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("RedkitConfig{");
        for (Namespace ns : Namespace.values()) {
            sb.append(ns.id()).append('=').append(targets.containsKey(ns) ? targets.get(ns).toString() : "<embedded>").append(", ");
        }
        return sb.append("connectTimeout=").append(Durations.format(connectTimeout))
                .append(", commandTimeout=").append(Durations.format(commandTimeout))
                .append(", keyPrefix=").append(keyPrefix).append('}').toString();
    }

    /** Builds a {@link RedkitConfig}; every option may be set once. */
    public static final class Builder {
        private ParsedUrl redisUrl;
        private final Map<Namespace, ParsedUrl> namespaceUrls = new EnumMap<>(Namespace.class);
        private final Map<Namespace, Integer> databases = new EnumMap<>(Namespace.class);
        private final Map<Namespace, String> databaseSources = new EnumMap<>(Namespace.class);
        private String username;
        private String password;
        private Boolean tls;
        private List<HostAndPort> clusterNodes;
        private List<HostAndPort> sentinelNodes;
        private String sentinelMaster;
        private Duration connectTimeout;
        private Duration commandTimeout;
        private String keyPrefix;

        private Builder() {}

        private Builder copy() {
            Builder b = new Builder();
            b.redisUrl = redisUrl;
            b.namespaceUrls.putAll(namespaceUrls);
            b.databases.putAll(databases);
            b.databaseSources.putAll(databaseSources);
            b.username = username;
            b.password = password;
            b.tls = tls;
            b.clusterNodes = clusterNodes;
            b.sentinelNodes = sentinelNodes;
            b.sentinelMaster = sentinelMaster;
            b.connectTimeout = connectTimeout;
            b.commandTimeout = commandTimeout;
            b.keyPrefix = keyPrefix;
            return b;
        }

        /** The Redis shared by every namespace without a URL of its own: {@code redis://} or {@code rediss://}. */
        public Builder redisUrl(String url) {
            return redisUrl(url, "redisUrl");
        }

        private Builder redisUrl(String url, String source) {
            this.redisUrl = ParsedUrl.parse(source, url);
            return this;
        }

        /** A Redis of its own for {@code namespace} (the variables {@code REDKIT_*_URL}). */
        public Builder namespaceUrl(Namespace namespace, String url) {
            return namespaceUrl(namespace, url, "namespaceUrl(" + namespace.id() + ")");
        }

        private Builder namespaceUrl(Namespace namespace, String url, String source) {
            namespaceUrls.put(namespace, ParsedUrl.parse(source, url));
            return this;
        }

        /** The database of {@code namespace} on a shared standalone Redis. */
        public Builder database(Namespace namespace, int database) {
            return database(namespace, database, "database(" + namespace.id() + ")");
        }

        private Builder database(Namespace namespace, int database, String source) {
            if (database < 0) {
                throw new RedkitConfigException(source, String.valueOf(database), "a database index of 0 or more");
            }
            databases.put(namespace, database);
            databaseSources.put(namespace, source);
            return this;
        }

        /** The ACL user for every connection whose URL names none. */
        public Builder username(String username) {
            this.username = username;
            return this;
        }

        /** The password for every connection whose URL has none. */
        public Builder password(String password) {
            this.password = password;
            return this;
        }

        /** TLS for node lists and {@code redis://} URLs ({@code rediss://} always uses TLS). */
        public Builder tls(boolean tls) {
            this.tls = tls;
            return this;
        }

        /** Cluster mode with these seed nodes ({@code host:port}). */
        public Builder clusterNodes(List<HostAndPort> nodes) {
            if (nodes == null || nodes.isEmpty()) {
                throw new RedkitConfigException("clusterNodes", String.valueOf(nodes), "at least one host:port");
            }
            this.clusterNodes = List.copyOf(nodes);
            return this;
        }

        /** Sentinel mode: the master's name and the sentinels. */
        public Builder sentinel(String master, List<HostAndPort> sentinels) {
            if (master == null || master.isBlank()) {
                throw new RedkitConfigException("sentinelMaster", master, "the name of the master the sentinels watch");
            }
            if (sentinels == null || sentinels.isEmpty()) {
                throw new RedkitConfigException("sentinelNodes", String.valueOf(sentinels), "at least one host:port");
            }
            this.sentinelMaster = master;
            this.sentinelNodes = List.copyOf(sentinels);
            return this;
        }

        /** Connect timeout; default {@link #DEFAULT_CONNECT_TIMEOUT}. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = checkTimeout("connectTimeout", timeout);
            return this;
        }

        /** Command timeout; default {@link #DEFAULT_COMMAND_TIMEOUT}. */
        public Builder commandTimeout(Duration timeout) {
            this.commandTimeout = checkTimeout("commandTimeout", timeout);
            return this;
        }

        /** First segment of every key; default {@link #DEFAULT_KEY_PREFIX}. */
        public Builder keyPrefix(String prefix) {
            return keyPrefix(prefix, "keyPrefix");
        }

        private Builder keyPrefix(String prefix, String source) {
            if (prefix == null || !PREFIX.matcher(prefix).matches()) {
                throw new RedkitConfigException(source, prefix,
                        "1 to 64 characters from A-Z a-z 0-9 _ . - (no ':' or braces: Redkit adds its own separators and hash tags)");
            }
            this.keyPrefix = prefix;
            return this;
        }

        /** Validates the combination and builds the configuration. */
        public RedkitConfig build() {
            boolean cluster = clusterNodes != null;
            boolean sentinel = sentinelNodes != null || sentinelMaster != null;
            if (cluster && sentinel) {
                throw new RedkitConfigException("REDIS_SENTINEL_NODES", join(sentinelNodes),
                        "Sentinel and Cluster (REDIS_CLUSTER_NODES) cannot be combined; set one of them");
            }
            if (sentinel && (sentinelNodes == null || sentinelMaster == null)) {
                throw sentinelNodes == null
                        ? new RedkitConfigException("REDIS_SENTINEL_NODES", null, "required with REDIS_SENTINEL_MASTER: comma-separated host:port of the sentinels")
                        : new RedkitConfigException("REDIS_SENTINEL_MASTER", null, "required with REDIS_SENTINEL_NODES: the master name the sentinels watch");
            }
            if ((cluster || sentinel) && redisUrl != null) {
                throw new RedkitConfigException(redisUrl.source, redisUrl.masked(),
                        "cannot be combined with " + (cluster ? "REDIS_CLUSTER_NODES" : "REDIS_SENTINEL_NODES")
                                + "; set one way to reach Redis");
            }
            if (cluster && !namespaceUrls.isEmpty()) {
                ParsedUrl u = namespaceUrls.values().iterator().next();
                throw new RedkitConfigException(u.source, u.masked(),
                        "per-namespace URLs cannot be combined with REDIS_CLUSTER_NODES; on Cluster namespaces are key prefixes");
            }
            Map<Namespace, RedisTarget> targets = new LinkedHashMap<>();
            for (Namespace ns : Namespace.values()) {
                Integer explicitDb = databases.get(ns);
                if (cluster) {
                    if (explicitDb != null && explicitDb != 0) {
                        throw new RedkitConfigException(databaseSources.get(ns), String.valueOf(explicitDb),
                                "Redis Cluster has only database 0; leave it unset or 0 (namespaces become key prefixes)");
                    }
                    targets.put(ns, new RedisTarget(RedisTarget.Mode.CLUSTER, clusterNodes, Boolean.TRUE.equals(tls),
                            username, password, 0, null));
                } else if (sentinel) {
                    int db = explicitDb != null ? explicitDb : ns.defaultDatabase();
                    targets.put(ns, new RedisTarget(RedisTarget.Mode.SENTINEL, sentinelNodes, Boolean.TRUE.equals(tls),
                            username, password, db, sentinelMaster));
                } else if (namespaceUrls.containsKey(ns)) {
                    ParsedUrl u = namespaceUrls.get(ns);
                    targets.put(ns, u.target(username, password, tls, u.database != null ? u.database : 0));
                } else if (redisUrl != null) {
                    int db = explicitDb != null ? explicitDb
                            : redisUrl.database != null ? redisUrl.database : ns.defaultDatabase();
                    targets.put(ns, redisUrl.target(username, password, tls, db));
                }
            }
            Duration ct = connectTimeout != null ? connectTimeout : DEFAULT_CONNECT_TIMEOUT;
            Duration cmd = commandTimeout != null ? commandTimeout : DEFAULT_COMMAND_TIMEOUT;
            return new RedkitConfig(targets, ct, cmd, keyPrefix != null ? keyPrefix : DEFAULT_KEY_PREFIX, copy());
        }
    }

    private static final class ParsedUrl {
        final String source;
        final boolean tls;
        final HostAndPort node;
        final String user;
        final String password;
        final Integer database;

        ParsedUrl(String source, boolean tls, HostAndPort node, String user, String password, Integer database) {
            this.source = source;
            this.tls = tls;
            this.node = node;
            this.user = user;
            this.password = password;
            this.database = database;
        }

        static ParsedUrl parse(String source, String url) {
            String allowed = "redis://[user:password@]host[:port][/db] or rediss://... for TLS";
            if (url == null || url.isBlank()) {
                throw new RedkitConfigException(source, url, "empty; expected " + allowed);
            }
            String shown = mask(url);
            URI uri;
            try {
                uri = new URI(url.trim());
            } catch (URISyntaxException e) {
                throw new RedkitConfigException(source, shown, "not a URL (" + e.getReason() + "); expected " + allowed);
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("redis") && !scheme.equals("rediss")) {
                throw new RedkitConfigException(source, shown, "unsupported scheme '" + scheme + "'; expected " + allowed);
            }
            if (uri.getHost() == null || uri.getHost().isEmpty()) {
                throw new RedkitConfigException(source, shown, "no host; expected " + allowed);
            }
            int port = uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort();
            if (port < 1 || port > 65535) {
                throw new RedkitConfigException(source, shown, "port " + port + " is out of range 1-65535");
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw new RedkitConfigException(source, shown,
                        "query parameters and fragments are not supported; use REDIS_CONNECT_TIMEOUT, REDIS_COMMAND_TIMEOUT and REDIS_TLS");
            }
            String user = null;
            String password = null;
            String rawInfo = uri.getRawUserInfo();
            if (rawInfo != null && !rawInfo.isEmpty()) {
                int colon = rawInfo.indexOf(':');
                String u = colon < 0 ? rawInfo : rawInfo.substring(0, colon);
                String p = colon < 0 ? null : rawInfo.substring(colon + 1);
                if (colon < 0) {
                    // redis://secret@host is the old form: a password without user
                    p = u;
                    u = "";
                }
                user = u.isEmpty() ? null : decode(u);
                password = p == null || p.isEmpty() ? null : decode(p);
            }
            Integer db = null;
            String path = uri.getPath();
            if (path != null && !path.isEmpty() && !path.equals("/")) {
                String d = path.substring(1);
                try {
                    db = Integer.parseInt(d);
                } catch (NumberFormatException e) {
                    db = -1;
                }
                if (db < 0) {
                    throw new RedkitConfigException(source, shown, "database '" + d + "' is not a number of 0 or more");
                }
            }
            String host = uri.getHost();
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return new ParsedUrl(source, scheme.equals("rediss"), HostAndPort.of(host, port), user, password, db);
        }

        RedisTarget target(String defaultUser, String defaultPassword, Boolean tlsOption, int db) {
            String u = user != null ? user : defaultUser;
            String p = password != null ? password : defaultPassword;
            return new RedisTarget(RedisTarget.Mode.STANDALONE, List.of(node), tls || Boolean.TRUE.equals(tlsOption),
                    u, p, db, null);
        }

        String masked() {
            return (tls ? "rediss://" : "redis://") + (user != null || password != null
                    ? (user == null ? "" : user) + (password == null ? "" : ":****") + "@" : "")
                    + node + (database == null ? "" : "/" + database);
        }

        private static String decode(String s) {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        }
    }

    /** Masks the password part of a URL-ish string, even a malformed one. */
    static String mask(String url) {
        int scheme = url.indexOf("://");
        int at = url.lastIndexOf('@');
        if (scheme < 0 || at < scheme) {
            return url;
        }
        String info = url.substring(scheme + 3, at);
        int colon = info.indexOf(':');
        String user = colon < 0 ? "" : info.substring(0, colon);
        return url.substring(0, scheme + 3) + user + ":****" + url.substring(at);
    }

    private static String value(Map<String, String> env, String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v.trim();
    }

    private static boolean parseBoolean(String variable, String value) {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "true": case "1": case "yes": case "on": return true;
            case "false": case "0": case "no": case "off": return false;
            default: throw new RedkitConfigException(variable, value, "true or false (also 1/0, yes/no, on/off)");
        }
    }

    private static int parseDatabase(String variable, String value) {
        try {
            int db = Integer.parseInt(value);
            if (db >= 0) return db;
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new RedkitConfigException(variable, value, "a database index of 0 or more (Redis has 0-15 unless 'databases' is raised)");
    }

    private static List<HostAndPort> parseNodes(String variable, String value, int defaultPort) {
        List<HostAndPort> nodes = new ArrayList<>();
        for (String part : value.split(",")) {
            if (part.isBlank()) continue;
            try {
                nodes.add(HostAndPort.parse(part, defaultPort));
            } catch (IllegalArgumentException e) {
                throw new RedkitConfigException(variable, value, "comma-separated host:port list (" + e.getMessage() + ")");
            }
        }
        if (nodes.isEmpty()) {
            throw new RedkitConfigException(variable, value, "at least one host:port");
        }
        return nodes;
    }

    private static Duration parseTimeout(String variable, String value) {
        Duration d;
        try {
            d = Durations.parse(value, variable);
        } catch (IllegalArgumentException e) {
            throw new RedkitConfigException(variable, value, Durations.ALLOWED);
        }
        return checkTimeout(variable, d);
    }

    private static Duration checkTimeout(String name, Duration d) {
        if (d == null || d.isZero() || d.isNegative() || d.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new RedkitConfigException(name, d == null ? null : Durations.format(d.abs()).replaceFirst("^", d.isNegative() ? "-" : ""),
                    "a positive duration of at most 10m, e.g. 500ms or 2s");
        }
        return d;
    }

    private static String join(List<HostAndPort> nodes) {
        return nodes == null ? null : nodes.toString();
    }
}
