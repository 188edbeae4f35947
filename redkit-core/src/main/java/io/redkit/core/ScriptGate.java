package io.redkit.core;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Keeps the order of one namespace's script calls when Redis does not have a script.
 *
 * <p>A call normally goes out at once as {@code EVALSHA}. Order can only break when a script is
 * missing from Redis' cache while calls sent after it run: the missing call must be re-sent, and
 * anything sent after it may have run already. So the gate closes (new calls wait in arrival order)
 * on a script's <b>first use</b> by this namespace and on a <b>{@code NOSCRIPT}</b> reply (Redis
 * restarted, failed over or had its cache flushed). Once every call sent by {@code EVALSHA} has
 * answered (those that missed are kept), the missed calls are re-sent in the order they were first
 * sent and then the waiting ones, all by {@code EVAL}, which cannot miss and caches the script.
 * Before it opens again the gate asks {@code SCRIPT EXISTS} for every script it counts as loaded:
 * a flush that landed in between would leave Redis with some scripts and not others, and then a
 * later call could run while an earlier one misses.
 *
 * <p>So, within this process, script calls one thread sends in order run in that order, across
 * restarts, failovers and flushes. Not covered: a plain (non-script) command overtaking a re-sent
 * call; another process loading a script in the instant between two of this process' calls that
 * both found it missing (Redis runs the second and not the first); on Cluster, a flush landing
 * while the gate re-sends (no single {@code SCRIPT EXISTS} covers every node).
 *
 * <p>The open gate costs a call two atomic increments, a set lookup and a volatile read.
 */
final class ScriptGate {
    private final Supplier<RedisClusterAsyncCommands<String, byte[]>> commands;
    private final boolean cluster;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong sequence = new AtomicLong();
    private final Set<String> loaded = ConcurrentHashMap.newKeySet();

    private final Object lock = new Object();
    private volatile boolean closed;
    // guarded by lock
    private boolean verifying;
    private final List<Call> missed = new ArrayList<>();
    private final ArrayDeque<Call> queued = new ArrayDeque<>();

    ScriptGate(Supplier<RedisClusterAsyncCommands<String, byte[]>> commands, boolean cluster) {
        this.commands = commands;
        this.cluster = cluster;
    }

    /** One script call; {@code result} completes with the raw reply or the client's exception. */
    static final class Call {
        final RedisScript script;
        final ScriptOutputType type;
        final String[] keys;
        final byte[][] values;
        final CompletableFuture<Object> result = new CompletableFuture<>();
        long seq;

        Call(RedisScript script, ScriptOutputType type, String[] keys, byte[][] values) {
            this.script = script;
            this.type = type;
            this.keys = keys;
            this.values = values;
        }
    }

    /**
     * Enters the gate for a call about to be sent by the caller itself ({@link #leave} when its
     * reply has been seen). Returns the call's sequence number, or {@code -1} when the gate is
     * closed or the script not yet loaded: then the caller hands the call to {@link #submit}.
     */
    long enter(RedisScript script) {
        if (!loaded.contains(script.sha1())) {
            return -1;
        }
        inFlight.incrementAndGet();
        if (closed) {
            leave();
            return -1;
        }
        return sequence.incrementAndGet();
    }

    /** A call that went out after {@link #enter} has its reply (or gave up waiting). */
    void leave() {
        if (inFlight.decrementAndGet() == 0 && closed) {
            startRound();
        }
    }

    /**
     * A call that went out after {@link #enter} was answered {@code NOSCRIPT}: it will be re-sent in
     * order and its {@code result} completed then. The caller still calls {@link #leave}.
     */
    void missed(Call call, long seq) {
        call.seq = seq;
        synchronized (lock) {
            missed.add(call);
            closed = true;
            loaded.clear();
        }
    }

    /** Sends {@code call} through the gate: now if it is open and the script loaded, else in turn. */
    CompletableFuture<Object> submit(Call call) {
        synchronized (lock) {
            if (closed || !loaded.contains(call.script.sha1())) {
                closed = true;
                queued.add(call);
            } else {
                return sendCounted(call).result;
            }
        }
        startRound();
        return call.result;
    }

    /**
     * Once nothing sent by EVALSHA is in flight: re-sends the missed calls in their first order, then
     * the queued ones, all by EVAL (which cannot miss and caches the script), then asks Redis whether
     * every script counted as loaded is there. Only a yes opens the gate; a flush that landed
     * meanwhile leaves Redis with some scripts and not others, and sends the gate round again.
     */
    private void startRound() {
        List<String> check;
        RedisClusterAsyncCommands<String, byte[]> cmd;
        synchronized (lock) {
            if (!closed || verifying || inFlight.get() != 0) {
                return;
            }
            missed.sort(Comparator.comparingLong(c -> c.seq));
            List<Call> resend = new ArrayList<>(missed);
            missed.clear();
            resend.addAll(queued);
            queued.clear();
            for (Call c : resend) {
                sendByBody(c);
                loaded.add(c.script.sha1());
            }
            try {
                cmd = commands.get();
            } catch (RuntimeException e) {
                closed = false; // Redis is unreachable: calls fail on their own until it is back, and then miss
                return;
            }
            if (cluster) {
                // SCRIPT EXISTS would ask one node of many; each node's EVALs above cached its own scripts
                closed = false;
                return;
            }
            verifying = true;
            check = new ArrayList<>(loaded);
        }
        cmd.scriptExists(check.toArray(new String[0])).whenComplete((exists, err) -> verified(check, exists, err));
    }

    private void verified(List<String> check, List<Boolean> exists, Throwable err) {
        synchronized (lock) {
            verifying = false;
            if (err == null && exists != null && exists.size() == check.size()) {
                for (int i = 0; i < check.size(); i++) {
                    if (!Boolean.TRUE.equals(exists.get(i))) {
                        loaded.remove(check.get(i));
                    }
                }
                if (loaded.size() < check.size()) {
                    // partly flushed while the gate was closed: EVAL whatever waits, and check again
                    if (queued.isEmpty() && missed.isEmpty()) {
                        closed = false;
                        return;
                    }
                } else if (queued.stream().allMatch(c -> loaded.contains(c.script.sha1()))) {
                    while (!queued.isEmpty()) {
                        sendCounted(queued.poll());
                    }
                    if (missed.isEmpty()) {
                        closed = false;
                        return;
                    }
                }
                // else a first use arrived while verifying: EVAL the queue, and check again
            } else {
                // no answer (Redis gone, SCRIPT not allowed): nothing is known about its cache
                loaded.clear();
                if (queued.isEmpty() && missed.isEmpty()) {
                    closed = false;
                    return;
                }
            }
        }
        startRound();
    }

    /** EVALSHA through the gate's own bookkeeping; a NOSCRIPT reply sends it round again. */
    private Call sendCounted(Call call) {
        inFlight.incrementAndGet();
        long seq = sequence.incrementAndGet();
        RedisClusterAsyncCommands<String, byte[]> cmd;
        try {
            cmd = commands.get();
        } catch (RuntimeException e) {
            call.result.completeExceptionally(e);
            leave();
            return call;
        }
        cmd.evalsha(call.script.sha1(), call.type, call.keys, call.values).whenComplete((v, err) -> {
            if (err == null) {
                call.result.complete(v);
            } else if (isNoScript(err)) {
                missed(call, seq);
            } else {
                call.result.completeExceptionally(err);
            }
            leave();
        });
        return call;
    }

    private void sendByBody(Call call) {
        RedisClusterAsyncCommands<String, byte[]> cmd;
        try {
            cmd = commands.get();
        } catch (RuntimeException e) {
            call.result.completeExceptionally(e);
            return;
        }
        cmd.eval(call.script.body(), call.type, call.keys, call.values).whenComplete((v, err) -> {
            if (err == null) {
                call.result.complete(v);
            } else {
                call.result.completeExceptionally(err);
            }
        });
    }

    static boolean isNoScript(Throwable t) {
        while (t != null) {
            if (t instanceof RedisCommandExecutionException && String.valueOf(t.getMessage()).startsWith("NOSCRIPT")) {
                return true;
            }
            t = t.getCause();
        }
        return false;
    }
}
