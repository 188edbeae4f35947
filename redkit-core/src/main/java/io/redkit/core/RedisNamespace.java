package io.redkit.core;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.RedisCodec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One namespace (cache, queue or session): its shared connection, its key prefix and the script
 * runner. Obtained from {@link Redkit#namespace(Namespace)}; thread-safe.
 *
 * <p>The connection is opened on first use and reopened after a failed attempt, so a service can
 * start while Redis is down. Once open, the client reconnects by itself; while it is disconnected,
 * commands fail at once with {@link RedisUnavailableException} instead of queueing. Every command
 * has the configured command timeout, so no call hangs.
 *
 * <p>Values are {@code byte[]}; keys are UTF-8 strings. Keys come from {@link #key(String...)}.
 */
public final class RedisNamespace {
    private final Namespace namespace;
    private final RedisTarget target;
    private final RedkitConfig config;
    private final AbstractRedisClient client;
    private final RedisURI uri;
    private final String keyPrefix;
    private final Object lock = new Object();
    private volatile CompletableFuture<StatefulConnection<String, byte[]>> connecting;
    private volatile StatefulConnection<String, byte[]> connection;
    private volatile boolean closed;
    private final ScriptGate scripts;

    RedisNamespace(Namespace namespace, RedkitConfig config, AbstractRedisClient client, RedisURI uri) {
        this.namespace = namespace;
        this.config = config;
        this.target = config.target(namespace);
        this.client = client;
        this.uri = uri;
        this.keyPrefix = config.keyPrefix(namespace);
        this.scripts = new ScriptGate(this::async, client instanceof RedisClusterClient);
    }

    /** Which namespace this is. */
    public Namespace namespace() {
        return namespace;
    }

    /** Where it lives. */
    public RedisTarget target() {
        return target;
    }

    /** True on Redis Cluster: multi-key commands must stay within one hash slot. */
    public boolean isCluster() {
        return target.mode() == RedisTarget.Mode.CLUSTER;
    }

    /** The configured command timeout. */
    public Duration commandTimeout() {
        return config.commandTimeout();
    }

    /** The configured connect timeout. */
    public Duration connectTimeout() {
        return config.connectTimeout();
    }

    /** {@code <REDKIT_KEY_PREFIX>:<namespace>}, e.g. {@code redkit:queue}. */
    public String keyPrefix() {
        return keyPrefix;
    }

    /** The key {@code <prefix>:part1:part2...}; parts are used as given (hash tags included). */
    public String key(String... parts) {
        StringBuilder sb = new StringBuilder(keyPrefix.length() + 32).append(keyPrefix);
        for (String p : parts) {
            sb.append(':').append(p);
        }
        return sb.toString();
    }

    /**
     * The shared connection's async commands. Commands sent through it are pipelined with every
     * other user's. Failures arrive as the client's exceptions; pass futures through
     * {@link #await(String, CompletionStage)} or {@link #translate(String, Throwable)}.
     *
     * @throws RedisUnavailableException when no connection can be opened within the connect timeout
     */
    public RedisClusterAsyncCommands<String, byte[]> async() {
        StatefulConnection<String, byte[]> c = connection();
        if (c instanceof StatefulRedisClusterConnection) {
            return ((StatefulRedisClusterConnection<String, byte[]>) c).async();
        }
        return ((StatefulRedisConnection<String, byte[]>) c).async();
    }

    /** The shared connection's blocking commands; same failure rules as {@link #async()}. */
    public RedisClusterCommands<String, byte[]> sync() {
        StatefulConnection<String, byte[]> c = connection();
        if (c instanceof StatefulRedisClusterConnection) {
            return ((StatefulRedisClusterConnection<String, byte[]>) c).sync();
        }
        return ((StatefulRedisConnection<String, byte[]>) c).sync();
    }

    /** Whether the shared connection is currently open (false before first use and while reconnecting). */
    public boolean isConnected() {
        StatefulConnection<String, byte[]> c = connection;
        return c != null && c.isOpen();
    }

    /**
     * The shared connection, opening it if needed.
     *
     * @throws RedisUnavailableException when it cannot be opened within the connect timeout
     */
    public StatefulConnection<String, byte[]> connection() {
        StatefulConnection<String, byte[]> c = connection;
        if (c != null) {
            return c;
        }
        if (closed) {
            throw new RedkitException("Redkit is closed; namespace '" + namespace.id() + "' has no connection");
        }
        CompletableFuture<StatefulConnection<String, byte[]>> f;
        synchronized (lock) {
            if (connection != null) {
                return connection;
            }
            f = connecting;
            if (f == null) {
                f = openAsync(Redkit.CODEC).toCompletableFuture();
                connecting = f;
            }
        }
        try {
            c = f.get(config.connectTimeout().toMillis() + 250, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedisUnavailableException(namespace, "connect", e);
        } catch (ExecutionException | TimeoutException e) {
            synchronized (lock) {
                if (connecting == f) {
                    connecting = null;
                }
            }
            f.thenAccept(StatefulConnection::closeAsync);
            throw new RedisUnavailableException(namespace, "connect to " + target, e instanceof ExecutionException ? e.getCause() : e);
        }
        synchronized (lock) {
            if (connection == null) {
                connection = c;
            }
            connecting = null;
            if (closed) {
                c.close();
                throw new RedkitException("Redkit is closed");
            }
            return connection;
        }
    }

    /**
     * Opens a new connection of this namespace with its own codec, for work that must not share
     * the pipelined connection: blocking commands, Pub/Sub, client-side caching. The caller closes
     * it. Its command timeout is {@code commandTimeout}: give blocking commands enough.
     */
    public <K, V> StatefulConnection<K, V> openDedicated(RedisCodec<K, V> codec, Duration commandTimeout) {
        if (closed) {
            throw new RedkitException("Redkit is closed");
        }
        try {
            if (client instanceof RedisClusterClient) {
                RedisClusterClient cc = (RedisClusterClient) client;
                StatefulRedisClusterConnection<K, V> c = cc.connect(codec);
                c.setTimeout(commandTimeout);
                return c;
            }
            StatefulRedisConnection<K, V> c = ((RedisClient) client).connect(codec, uri);
            c.setTimeout(commandTimeout);
            return c;
        } catch (RuntimeException e) {
            throw translate("open dedicated connection", e);
        }
    }

    /** The Lettuce client behind this namespace, for advanced use (e.g. per-node connections on Cluster). */
    public AbstractRedisClient lettuceClient() {
        return client;
    }

    /** The Lettuce URI of this namespace (standalone and Sentinel); {@code null} on Cluster. */
    public RedisURI lettuceUri() {
        return client instanceof RedisClusterClient ? null : uri;
    }

    /**
     * Runs {@code script} with {@code EVALSHA}. Arguments may be {@code String} (UTF-8),
     * {@code byte[]}, numbers or booleans. The returned future completes on a client I/O thread:
     * do not run blocking or user code on it.
     *
     * <p>Script calls that one thread sends in order run in that order, also when Redis does not
     * have the script: its first use loads it ({@code SCRIPT LOAD}) before anything sent after it,
     * and on {@code NOSCRIPT} (after a restart, a failover or {@code SCRIPT FLUSH}) new calls wait
     * until the calls in flight have answered, every script is loaded again and the missed calls are
     * re-sent in the order they were first sent. Not covered: a plain command overtaking a re-sent
     * script call.
     *
     * @return a future failing with {@link RedisUnavailableException} or {@link RedisCommandException}
     */
    public <T> CompletableFuture<T> eval(RedisScript script, ScriptOutputType type, String[] keys, Object... args) {
        byte[][] values = encodeArgs(args);
        RedisClusterAsyncCommands<String, byte[]> cmd;
        try {
            cmd = async();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        long seq = scripts.enter(script);
        if (seq < 0) {
            scripts.submit(new ScriptGate.Call(script, type, keys, values)).whenComplete((v, err) -> complete(result, script, v, err));
            return result;
        }
        cmd.<T>evalsha(script.sha1(), type, keys, values).whenComplete((v, err) -> {
            if (err != null && ScriptGate.isNoScript(err)) {
                ScriptGate.Call again = new ScriptGate.Call(script, type, keys, values);
                scripts.missed(again, seq);
                again.result.whenComplete((v2, err2) -> complete(result, script, v2, err2));
            } else {
                complete(result, script, v, err);
            }
            scripts.leave();
        });
        return result;
    }

    @SuppressWarnings("unchecked")
    private <T> void complete(CompletableFuture<T> result, RedisScript script, Object value, Throwable err) {
        if (err == null) {
            result.complete((T) value);
        } else {
            result.completeExceptionally(translate("script " + script.name(), err));
        }
    }

    /**
     * {@link #eval} and wait for the answer (at most about the command timeout), with the same
     * ordering. Waits on the client's own future, with no completion stage chained to it: this is
     * the path every rate-limit check and session load takes, so it allocates and hands over as
     * little as it can.
     */
    @SuppressWarnings("unchecked")
    public <T> T evalSync(RedisScript script, ScriptOutputType type, String[] keys, Object... args) {
        byte[][] values = encodeArgs(args);
        RedisClusterAsyncCommands<String, byte[]> cmd;
        try {
            cmd = async();
        } catch (RuntimeException e) {
            throw translate("script " + script.name(), e);
        }
        long seq = scripts.enter(script);
        if (seq < 0) {
            return (T) waitForGate(script, scripts.submit(new ScriptGate.Call(script, type, keys, values)));
        }
        ScriptGate.Call again;
        try {
            T value = waitFor(cmd.<T>evalsha(script.sha1(), type, keys, values));
            scripts.leave();
            return value;
        } catch (ExecutionException e) {
            if (!ScriptGate.isNoScript(e.getCause())) {
                scripts.leave();
                throw translate("script " + script.name(), e.getCause());
            }
            again = new ScriptGate.Call(script, type, keys, values);
            scripts.missed(again, seq);
            scripts.leave();
        } catch (TimeoutException | CancellationException e) {
            scripts.leave();
            // cancelled: the client dropped the command with its connection (closed or reset)
            throw new RedisUnavailableException(namespace, "script " + script.name(), e);
        } catch (RuntimeException e) {
            scripts.leave();
            throw e;
        }
        return (T) waitForGate(script, again.result);
    }

    /** Waits for a call the gate sends in turn: the round it waits for, then the call itself. */
    private Object waitForGate(RedisScript script, CompletableFuture<Object> result) {
        try {
            return result.get(config.commandTimeout().toMillis() * 4 + 200, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedkitException("interrupted while waiting for a script on namespace '" + namespace.id() + "'", e);
        } catch (ExecutionException e) {
            throw translate("script " + script.name(), e.getCause());
        } catch (TimeoutException | CancellationException e) {
            throw new RedisUnavailableException(namespace, "script " + script.name(), e);
        }
    }

    private <T> T waitFor(Future<T> future) throws ExecutionException, TimeoutException {
        try {
            return future.get(config.commandTimeout().toMillis() * 2 + 100, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedkitException("interrupted while waiting for a script on namespace '" + namespace.id() + "'", e);
        }
    }

    /**
     * Waits for {@code future} at most a little more than the command timeout and returns its value,
     * translating failures into Redkit exceptions that name {@code operation}.
     */
    public <T> T await(String operation, CompletionStage<T> future) {
        try {
            return future.toCompletableFuture().get(config.commandTimeout().toMillis() * 2 + 100, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedkitException("interrupted while waiting for " + operation + " on namespace '" + namespace.id() + "'", e);
        } catch (ExecutionException e) {
            throw translate(operation, e.getCause());
        } catch (TimeoutException | CancellationException e) {
            throw new RedisUnavailableException(namespace, operation, e);
        }
    }

    /**
     * Maps a client failure to a Redkit exception: {@link RedisUnavailableException} when Redis
     * could not be reached or did not answer in time, {@link RedisCommandException} when it
     * answered with an error.
     */
    public RedkitException translate(String operation, Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof RedkitException) {
            return (RedkitException) t;
        }
        if (t instanceof RedisCommandExecutionException) {
            String msg = String.valueOf(t.getMessage());
            if (msg.startsWith("LOADING") || msg.startsWith("MASTERDOWN") || msg.startsWith("CLUSTERDOWN")
                    || msg.startsWith("TRYAGAIN") || msg.startsWith("READONLY") || msg.startsWith("BUSY")) {
                return new RedisUnavailableException(namespace, operation, t);
            }
            return new RedisCommandException(namespace, operation, t);
        }
        if (t instanceof RedisCommandTimeoutException || t instanceof RedisConnectionException
                || t instanceof RedisCommandInterruptedException || t instanceof TimeoutException
                || t instanceof IOException || t instanceof RedisException) {
            return new RedisUnavailableException(namespace, operation, t);
        }
        return new RedkitException("unexpected failure during " + operation + " on namespace '" + namespace.id() + "'", t);
    }

    /** Encodes script arguments: String as UTF-8, byte[] as is, numbers and booleans as text. */
    public static byte[][] encodeArgs(Object... args) {
        byte[][] out = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof byte[]) {
                out[i] = (byte[]) a;
            } else if (a instanceof String) {
                out[i] = ((String) a).getBytes(StandardCharsets.UTF_8);
            } else if (a instanceof Number || a instanceof Boolean || a instanceof Character) {
                out[i] = a.toString().getBytes(StandardCharsets.UTF_8);
            } else if (a == null) {
                throw new IllegalArgumentException("script argument " + i + " is null");
            } else {
                throw new IllegalArgumentException("script argument " + i + " has unsupported type " + a.getClass().getName()
                        + "; pass String, byte[], a number or a boolean");
            }
        }
        return out;
    }

    /** Decodes a UTF-8 reply value; {@code null} stays {@code null}. */
    public static String string(Object value) {
        if (value == null) return null;
        if (value instanceof byte[]) return new String((byte[]) value, StandardCharsets.UTF_8);
        return value.toString();
    }

    private CompletionStage<StatefulConnection<String, byte[]>> openAsync(RedisCodec<String, byte[]> codec) {
        if (client instanceof RedisClusterClient) {
            RedisClusterClient cc = (RedisClusterClient) client;
            // connectAsync needs the topology first; refreshing is idempotent and cheap
            return cc.refreshPartitionsAsync().thenCompose(v -> cc.connectAsync(codec)).thenApply(c -> c);
        }
        return ((RedisClient) client).connectAsync(codec, uri).thenApply(c -> c);
    }

    void close() {
        closed = true;
        CompletableFuture<StatefulConnection<String, byte[]>> f;
        synchronized (lock) {
            f = connecting;
        }
        if (f != null) {
            f.thenAccept(StatefulConnection::close);
        }
        StatefulConnection<String, byte[]> c = connection;
        if (c != null) {
            c.close();
        }
    }
}
