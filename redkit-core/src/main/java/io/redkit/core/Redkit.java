package io.redkit.core;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.metrics.MicrometerCommandLatencyRecorder;
import io.lettuce.core.metrics.MicrometerOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.DefaultClientResources;
import io.micrometer.core.instrument.MeterRegistry;
import io.redkit.core.health.HealthChecker;
import io.redkit.core.health.NamespaceHealth;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Redkit's connection layer: one set of client resources (I/O threads, timers) for the process and
 * one shared connection per namespace. Create one per process and share it; close it on shutdown.
 *
 * <pre>{@code
 * try (Redkit redkit = Redkit.create(RedkitConfig.fromEnv())) {
 *     RedisNamespace queue = redkit.namespace(Namespace.QUEUE);
 *     ...
 * }
 * }</pre>
 *
 * <p>Creating a {@code Redkit} does not connect: each namespace connects on first use, so a service
 * starts even while Redis is down. Thread-safe.
 */
public final class Redkit implements AutoCloseable {
    /** Keys as UTF-8 strings, values as bytes. */
    static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    /**
     * Commands a connection buffers while it waits to be written; past this they are rejected
     * rather than buffered without bound.
     */
    public static final int DEFAULT_REQUEST_QUEUE_SIZE = 100_000;

    private final RedkitConfig config;
    private final ClientResources resources;
    private final List<AbstractRedisClient> clients = new ArrayList<>();
    private final Map<Namespace, RedisNamespace> namespaces = new EnumMap<>(Namespace.class);
    private volatile boolean closed;

    private Redkit(RedkitConfig config, MeterRegistry registry) {
        this.config = config;
        DefaultClientResources.Builder rb = DefaultClientResources.builder()
                // reconnect fast: a restarted Redis is back in use within ~1 s, not Lettuce's default 30 s cap
                .reconnectDelay(Delay.equalJitter(Duration.ofMillis(20), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS));
        if (registry != null) {
            rb.commandLatencyRecorder(new MicrometerCommandLatencyRecorder(registry, MicrometerOptions.create()));
        }
        this.resources = rb.build();
        try {
            RedisClient standalone = null;
            RedisClusterClient cluster = null;
            for (Namespace ns : Namespace.values()) {
                RedisTarget target = config.target(ns);
                AbstractRedisClient client;
                RedisURI uri = toUri(target, config);
                if (target.mode() == RedisTarget.Mode.CLUSTER) {
                    if (cluster == null) {
                        List<RedisURI> seeds = new ArrayList<>();
                        for (HostAndPort node : target.nodes()) {
                            seeds.add(nodeUri(target, node, config));
                        }
                        cluster = RedisClusterClient.create(resources, seeds);
                        cluster.setOptions(clusterOptions(config));
                        clients.add(cluster);
                    }
                    client = cluster;
                } else {
                    if (standalone == null) {
                        standalone = RedisClient.create(resources);
                        standalone.setOptions(clientOptions(config));
                        clients.add(standalone);
                    }
                    client = standalone;
                }
                namespaces.put(ns, new RedisNamespace(ns, config, client, uri));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** A Redkit for {@code config}; nothing connects until a namespace is used. */
    public static Redkit create(RedkitConfig config) {
        return new Redkit(config, null);
    }

    /** Like {@link #create(RedkitConfig)}, also recording Redis command latency in {@code registry}. */
    public static Redkit create(RedkitConfig config, MeterRegistry registry) {
        return new Redkit(config, registry);
    }

    public RedkitConfig config() {
        return config;
    }

    /** The namespace's connection and key prefix. */
    public RedisNamespace namespace(Namespace namespace) {
        if (closed) {
            throw new RedkitException("Redkit is closed");
        }
        return namespaces.get(namespace);
    }

    /**
     * Checks every namespace and returns one entry each, within about the connect timeout even
     * when Redis is gone.
     */
    public List<NamespaceHealth> health() {
        return HealthChecker.checkAll(List.copyOf(namespaces.values()), config.connectTimeout());
    }

    /** Closes every connection and releases every thread Redkit started. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (RedisNamespace ns : namespaces.values()) {
            ns.close();
        }
        for (AbstractRedisClient c : clients) {
            c.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    private static SocketOptions socketOptions(RedkitConfig config) {
        return SocketOptions.builder().connectTimeout(config.connectTimeout()).keepAlive(true).build();
    }

    private static ClientOptions clientOptions(RedkitConfig config) {
        return ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(DEFAULT_REQUEST_QUEUE_SIZE)
                .socketOptions(socketOptions(config))
                .timeoutOptions(TimeoutOptions.enabled())
                .build();
    }

    private static ClusterClientOptions clusterOptions(RedkitConfig config) {
        return ClusterClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(DEFAULT_REQUEST_QUEUE_SIZE)
                .socketOptions(socketOptions(config))
                .timeoutOptions(TimeoutOptions.enabled())
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(Duration.ofSeconds(30))
                        .enableAllAdaptiveRefreshTriggers()
                        .build())
                .build();
    }

    private static RedisURI toUri(RedisTarget target, RedkitConfig config) {
        if (target.mode() == RedisTarget.Mode.SENTINEL) {
            HostAndPort first = target.nodes().get(0);
            RedisURI.Builder b = RedisURI.Builder.sentinel(first.host(), first.port(), target.sentinelMaster().orElseThrow());
            for (int i = 1; i < target.nodes().size(); i++) {
                b.withSentinel(target.nodes().get(i).host(), target.nodes().get(i).port());
            }
            return finish(b, target, config);
        }
        return nodeUri(target, target.nodes().get(0), config);
    }

    private static RedisURI nodeUri(RedisTarget target, HostAndPort node, RedkitConfig config) {
        return finish(RedisURI.builder().withHost(node.host()).withPort(node.port()), target, config);
    }

    private static RedisURI finish(RedisURI.Builder b, RedisTarget target, RedkitConfig config) {
        b.withSsl(target.tls()).withDatabase(target.database()).withTimeout(config.commandTimeout());
        if (target.password().isPresent()) {
            if (target.username().isPresent()) {
                b.withAuthentication(target.username().get(), target.password().get());
            } else {
                b.withPassword(target.password().get().toCharArray());
            }
        }
        return b.build();
    }
}
