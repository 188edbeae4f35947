package io.redkit.cache.internal;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.push.PushMessage;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.redkit.core.RedisNamespace;
import io.redkit.core.time.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Keeps in-process copies (tag versions, cache generations, near-cache values) coherent with Redis
 * through server-assisted client tracking: one dedicated RESP3 connection per Redis master with
 * {@code CLIENT TRACKING ON BCAST PREFIX <tag keys> PREFIX <generation keys> PREFIX <near values>}.
 * BCAST is used rather than default tracking because the reads happen on the shared pipelined
 * connection, not on the tracking connection: with BCAST the server reports every write to a key
 * under those prefixes, by any client, without having to see the read.
 *
 * <p>Local copies may be used only while {@link #isActive()}: every tracking connection is connected,
 * tracking, and confirmed recently. Whenever one drops, or a connection (re)starts tracking,
 * everything local is flushed, because invalidations sent while it was away are lost.
 *
 * <p>A connection that a NAT or load balancer dropped silently looks connected for as long as the OS
 * keepalive takes (hours). So {@link #heartbeat()} sends a {@code PING} on every tracking connection
 * (one at a time); replies and invalidation messages share the connection and arrive in order, so a
 * {@code PONG} proves that every invalidation Redis sent before it read the {@code PING} has been
 * applied here. A connection is confirmed while the last {@code PING} answered was sent at most
 * {@code pingInterval + pingTimeout} ago ({@code CLIENT TRACKING}'s reply counts as one); past that,
 * local copies are not used. A {@code PING} unanswered after {@code pingTimeout}, or answered with an
 * error, flushes everything local and replaces the connection.
 *
 * <p>Fills race with invalidations (the read reply and the invalidation travel on different
 * connections); {@link #stamp(String)} taken before a read and checked by {@link #stillValid} before
 * storing its result rejects a fill that an invalidation (or flush) overtook.
 */
public final class Tracker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Tracker.class);
    private static final int STRIPES = 1024;
    private static final long RETRY_NANOS = 1_000_000_000L;
    private static final long NONE = Long.MIN_VALUE;

    /** Receives invalidations of one near cache; called on a client I/O thread, must be quick. */
    public interface NearListener {
        void invalidate(String userKey);

        void invalidateAll();
    }

    private final RedisNamespace ns;
    private final KeySpace keys;
    private final boolean enabled;
    private final AtomicLongArray stripes = new AtomicLongArray(STRIPES);
    private final Map<String, Long> versions = new ConcurrentHashMap<>();
    private final Map<String, List<NearListener>> near = new ConcurrentHashMap<>();
    private final List<NodeTracker> nodes = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private RedisClient client;
    private volatile Set<String> trackedNodes = Set.of();
    private final Ticker ticker;
    private final Executor background;
    private final AtomicBoolean starting = new AtomicBoolean();
    private volatile boolean started;
    private volatile boolean closed;
    private volatile long nextAttempt;
    private volatile boolean attempted;
    private final java.time.Duration pingTimeout;
    private final long pingTimeoutNanos;
    /** Longest time since the sending of the last answered PING during which local copies may be used. */
    private final long maxSilenceNanos;

    /**
     * @param pingInterval time between two PINGs on a tracking connection ({@link #heartbeat()} is called that often)
     * @param pingTimeout longest wait for a PONG before the connection is replaced
     */
    public Tracker(RedisNamespace ns, KeySpace keys, boolean enabled, Ticker ticker, Executor background,
                   java.time.Duration pingInterval, java.time.Duration pingTimeout) {
        this.pingTimeout = pingTimeout;
        this.pingTimeoutNanos = pingTimeout.toNanos();
        this.maxSilenceNanos = pingInterval.toNanos() + pingTimeout.toNanos();
        this.background = background;
        this.ns = ns;
        this.keys = keys;
        this.enabled = enabled;
        this.ticker = ticker;
    }

    /**
     * Whether local copies may be used: tracking is on and every node's tracking connection is
     * tracking and was confirmed (a PONG to a PING sent) within the last {@code pingInterval + pingTimeout}.
     */
    public boolean isActive() {
        if (!enabled || closed) {
            return false;
        }
        if (!started) {
            requestStart();
            return false;
        }
        List<NodeTracker> n = nodes;
        if (n.isEmpty()) {
            return false;
        }
        long now = ticker.read();
        for (NodeTracker t : n) {
            if (!t.tracking || now - t.confirmedAt > maxSilenceNanos) {
                return false;
            }
        }
        return true;
    }

    /**
     * Checks every tracking connection: sends a PING where none is outstanding; replaces the
     * connection (flushing every local copy) where one went unanswered for longer than the ping
     * timeout; reopens connections that could not be opened. Called every ping interval; never blocks.
     */
    public void heartbeat() {
        if (!enabled || !started || closed) {
            return;
        }
        long now = ticker.read();
        for (NodeTracker t : nodes) {
            t.heartbeat(now);
        }
    }

    /** Starts the tracking connections in the background (never on the caller's thread). */
    private void requestStart() {
        if (!enabled || started || closed || starting.get() || (attempted && ticker.read() - nextAttempt < 0)) {
            return;
        }
        if (starting.compareAndSet(false, true)) {
            try {
                background.execute(() -> {
                    try {
                        ensureStarted();
                    } finally {
                        starting.set(false);
                    }
                });
            } catch (RejectedExecutionException e) {
                starting.set(false);
            }
        }
    }

    /** Opens the tracking connections if not done yet; failures are logged and retried on later calls. */
    public void ensureStarted() {
        if (!enabled || started || closed) {
            return;
        }
        if (attempted && ticker.read() - nextAttempt < 0) {
            return; // a failed attempt is retried at most once per second
        }
        synchronized (lock) {
            if (started || closed) {
                return;
            }
            attempted = true;
            nextAttempt = ticker.read() + RETRY_NANOS;
            try {
                ns.connection(); // fails fast while Redis is down; on Cluster it loads the topology
                client = RedisClient.create(ns.lettuceClient().getResources());
                client.setOptions(ClientOptions.builder()
                        .autoReconnect(true)
                        .protocolVersion(ProtocolVersion.RESP3)
                        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                        .socketOptions(SocketOptions.builder().connectTimeout(ns.connectTimeout()).keepAlive(true).build())
                        .timeoutOptions(TimeoutOptions.enabled(ns.commandTimeout().compareTo(pingTimeout) > 0
                                ? ns.commandTimeout() : pingTimeout))
                        .build());
                List<RedisURI> uris = nodeUris();
                for (RedisURI uri : uris) {
                    NodeTracker t = new NodeTracker(uri, client);
                    nodes.add(t);
                    t.open();
                }
                trackedNodes = nodeIds(uris);
                started = true;
                if (closed) {
                    closeNodes();
                }
            } catch (RuntimeException e) {
                LOG.debug("cannot start cache tracking yet: {}", e.toString());
                closeNodes();
            }
        }
    }

    /**
     * On Cluster, re-opens the tracking connections when the set of masters changed (failover,
     * resharding), flushing local copies. Cheap when nothing changed.
     */
    public void checkTopology() {
        if (!started || closed || !(ns.lettuceClient() instanceof RedisClusterClient)) {
            return;
        }
        Set<String> now;
        try {
            now = nodeIds(nodeUris());
        } catch (RuntimeException e) {
            return;
        }
        if (!now.equals(trackedNodes)) {
            LOG.info("cache tracking: Redis masters changed from {} to {}; reconnecting tracking and flushing local copies",
                    trackedNodes, now);
            synchronized (lock) {
                closeNodes();
                started = false;
                attempted = false;
            }
            flushAll();
            ensureStarted();
        }
    }

    /** A stamp of {@code redisKey}'s invalidation state, to take before reading it. */
    public long stamp(String redisKey) {
        return stripes.get(stripe(redisKey));
    }

    /** Whether no invalidation of {@code redisKey} (and no flush) happened since {@code stamp} and tracking is live. */
    public boolean stillValid(String redisKey, long stamp) {
        return stripes.get(stripe(redisKey)) == stamp && isActive();
    }

    /** The locally known version of a version key, or {@code null}. Only meaningful while {@link #isActive()}. */
    public Long localVersion(String versionKey) {
        return versions.get(versionKey);
    }

    /** Remembers a version read from Redis, unless an invalidation overtook the read. */
    public void rememberVersion(String versionKey, long version, long stamp) {
        if (stillValid(versionKey, stamp)) {
            versions.put(versionKey, version);
            if (stripes.get(stripe(versionKey)) != stamp) {
                versions.remove(versionKey); // an invalidation arrived while storing
            }
        }
    }

    /** Forgets a key locally (after this process changed it), ahead of the server's invalidation. */
    public void invalidateLocally(String redisKey) {
        stripes.incrementAndGet(stripe(redisKey));
        versions.remove(redisKey);
    }

    /** Registers a near cache to receive invalidations of its keys. */
    public void register(String cacheName, NearListener listener) {
        near.computeIfAbsent(cacheName, k -> new CopyOnWriteArrayList<>()).add(listener);
    }

    public void unregister(String cacheName, NearListener listener) {
        List<NearListener> l = near.get(cacheName);
        if (l != null) {
            l.remove(listener);
        }
    }

    /** Drops every local copy: versions and every near cache. */
    public void flushAll() {
        for (int i = 0; i < STRIPES; i++) {
            stripes.incrementAndGet(i);
        }
        versions.clear();
        for (List<NearListener> l : near.values()) {
            for (NearListener n : l) {
                n.invalidateAll();
            }
        }
    }

    void onInvalidate(String redisKey) {
        stripes.incrementAndGet(stripe(redisKey));
        if (keys.isVersionKey(redisKey)) {
            versions.remove(redisKey);
        } else if (keys.isNearValueKey(redisKey)) {
            String rest = redisKey.substring(keys.prefix().length() + 3);
            int colon = rest.indexOf(':');
            if (colon > 0) {
                List<NearListener> l = near.get(rest.substring(0, colon));
                if (l != null) {
                    String userKey = rest.substring(colon + 1);
                    for (NearListener n : l) {
                        n.invalidate(userKey);
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (lock) {
            closeNodes();
        }
        flushAll();
    }

    private void closeNodes() {
        for (NodeTracker t : nodes) {
            t.close();
        }
        nodes.clear();
        if (client != null) {
            client.shutdown(java.time.Duration.ZERO, java.time.Duration.ofSeconds(2));
            client = null;
        }
    }

    private List<RedisURI> nodeUris() {
        if (ns.lettuceClient() instanceof RedisClusterClient) {
            RedisClusterClient cc = (RedisClusterClient) ns.lettuceClient();
            List<RedisURI> out = new ArrayList<>();
            for (RedisClusterNode node : cc.getPartitions()) {
                if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.getSlots().isEmpty()) {
                    out.add(RedisURI.builder(node.getUri()).withClientName("redkit-cache-tracking").build());
                }
            }
            if (out.isEmpty()) {
                throw new IllegalStateException("no Redis Cluster master known yet");
            }
            return out;
        }
        return List.of(RedisURI.builder(ns.lettuceUri()).withClientName("redkit-cache-tracking").build());
    }

    private static Set<String> nodeIds(List<RedisURI> uris) {
        Set<String> s = new TreeSet<>();
        for (RedisURI u : uris) {
            s.add(u.getHost() + ":" + u.getPort());
        }
        return s;
    }

    private static int stripe(String key) {
        int h = key.hashCode();
        return (h ^ (h >>> 16)) & (STRIPES - 1);
    }

    /** One tracking connection to one node, replaced when it stops answering. */
    private final class NodeTracker implements RedisConnectionStateListener {
        private final RedisURI uri;
        private final RedisClient nodeClient;
        private volatile StatefulRedisConnection<String, String> connection;
        private volatile boolean tracking;
        private volatile boolean stopped;
        /** Ticker time at which the last PING that was answered (or the CLIENT TRACKING that succeeded) was sent. */
        private volatile long confirmedAt;
        /** Ticker time at which the outstanding PING was sent, or {@link #NONE}. */
        private volatile long pingSentAt = NONE;
        /** A replacement connection being opened (its attempt number), or 0. */
        private volatile long connecting;
        private volatile long connectStartedAt;
        private long attempts;

        NodeTracker(RedisURI uri, RedisClient nodeClient) {
            this.uri = uri;
            this.nodeClient = nodeClient;
        }

        void open() {
            attach(nodeClient.connect(StringCodec.UTF8, uri));
        }

        private void attach(StatefulRedisConnection<String, String> c) {
            connection = c;
            c.addListener(this::onPush);
            c.addListener(this);
            enable(c);
        }

        private String address() {
            return uri.getHost() + ":" + uri.getPort();
        }

        private void enable(StatefulRedisConnection<String, String> c) {
            if (c == null || stopped || connection != c) {
                return;
            }
            List<String> prefixes = keys.trackedPrefixes();
            long sent = ticker.read();
            c.async().clientTracking(TrackingArgs.Builder.enabled().bcast().prefixes(prefixes.toArray(new String[0])))
                    .whenComplete((ok, err) -> {
                        if (err != null) {
                            LOG.warn("cache tracking: cannot enable tracking on {}: {}", address(), err.toString());
                            return;
                        }
                        if (connection != c) {
                            return; // replaced meanwhile
                        }
                        flushAll(); // anything read before tracking was on may be stale
                        confirmedAt = sent;
                        tracking = true;
                    });
        }

        void heartbeat(long now) {
            if (stopped) {
                return;
            }
            StatefulRedisConnection<String, String> c = connection;
            if (c == null) {
                long attempt = connecting;
                if (attempt == 0 || now - connectStartedAt > 2 * pingTimeoutNanos + ns.connectTimeout().toNanos()) {
                    connect(now); // no replacement yet, or the last attempt hangs: try (again)
                }
                return;
            }
            long sent = pingSentAt;
            if (sent != NONE) {
                if (now - sent > pingTimeoutNanos) {
                    replace("no reply to PING within " + pingTimeout.toMillis() + " ms");
                }
                return;
            }
            if (!c.isOpen()) {
                return; // disconnected: Lettuce reconnects, and tracking is enabled again then
            }
            pingSentAt = now;
            c.async().ping().whenComplete((pong, err) -> {
                if (connection != c || pingSentAt != now) {
                    return; // replaced meanwhile
                }
                if (err == null && "PONG".equals(pong)) {
                    pingSentAt = NONE;
                    if (now - confirmedAt > 0) {
                        confirmedAt = now;
                    }
                } else {
                    replace("PING failed: " + (err != null ? err.toString() : pong));
                }
            });
        }

        /** Drops the connection in doubt (flushing every local copy) and opens a new one. */
        private synchronized void replace(String why) {
            if (stopped) {
                return;
            }
            LOG.warn("cache tracking: {} on {}; local copies flushed, tracking reconnects", why, address());
            StatefulRedisConnection<String, String> old = connection;
            connection = null;
            tracking = false;
            pingSentAt = NONE;
            flushAll();
            if (old != null) {
                old.removeListener(this);
                old.closeAsync();
            }
            connect(ticker.read());
        }

        private synchronized void connect(long now) {
            if (stopped || connection != null) {
                return;
            }
            long attempt = ++attempts;
            connecting = attempt;
            connectStartedAt = now;
            try {
                nodeClient.connectAsync(StringCodec.UTF8, uri).whenComplete((c, err) -> {
                    synchronized (this) {
                        if (connecting == attempt) {
                            connecting = 0;
                        }
                        if (err != null) {
                            LOG.debug("cache tracking: cannot reconnect to {} yet: {}", address(), err.toString());
                            return; // the next heartbeat tries again
                        }
                        if (stopped || connection != null || attempt != attempts) {
                            c.closeAsync(); // closed, or superseded by a later attempt
                            return;
                        }
                        attach(c);
                    }
                });
            } catch (RuntimeException e) {
                connecting = 0;
                LOG.debug("cache tracking: cannot reconnect to {} yet: {}", address(), e.toString());
            }
        }

        private void onPush(PushMessage message) {
            if (!"invalidate".equals(message.getType())) {
                return;
            }
            List<Object> content = message.getContent(StringCodec.UTF8::decodeKey);
            Object keysPart = content.size() > 1 ? content.get(1) : null;
            if (keysPart instanceof List) {
                for (Object k : (List<?>) keysPart) {
                    if (k instanceof String) {
                        onInvalidate((String) k);
                    } else if (k instanceof ByteBuffer) {
                        onInvalidate(StandardCharsets.UTF_8.decode((ByteBuffer) k).toString());
                    }
                }
            } else {
                flushAll(); // a null key list: the server flushed its database
            }
        }

        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> c, SocketAddress address) {
            StatefulRedisConnection<String, String> mine = connection;
            if (mine != null && mine == c && !stopped) {
                enable(mine); // a reconnected connection has lost its tracking state
            }
        }

        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> c) {
            if (connection != c) {
                return; // a replaced connection closing
            }
            tracking = false;
            pingSentAt = NONE;
            flushAll();
        }

        void close() {
            StatefulRedisConnection<String, String> c;
            synchronized (this) { // not held while closing: connect callbacks take it on the event loop
                stopped = true;
                tracking = false;
                c = connection;
            }
            if (c != null) {
                c.close();
            }
        }
    }
}
