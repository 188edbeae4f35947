package io.redkit.ratelimit.internal;

import io.lettuce.core.ScriptOutputType;
import io.redkit.core.RedisNamespace;
import io.redkit.core.RedisScript;
import io.redkit.ratelimit.RatePolicy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Coalesces concurrent single-limit checks of one state key into one {@code check.lua} call (its
 * batch mode), so a hot key costs Redis and the client one command per batch instead of one per
 * check. Per key at most one batch is in flight; checks that arrive meanwhile queue and leave
 * together, up to {@link #MAX_BATCH}, as soon as it answers. Redis runs a batch's checks one after
 * the other in arrival order, each seeing what the one before wrote, so every decision is the one
 * a call of its own would have got at that moment: exactness is untouched. A lone check (the
 * usual case on a key that is not hot) leaves at once, as before. Thread-safe.
 *
 * <p>A key's lane lives only while checks are queued or in flight on it: a lane found idle is
 * removed. Two lanes of one key may briefly coexist (a check arriving while the old one is being
 * removed); that costs one extra concurrent call, which the script's atomicity makes harmless.
 */
final class Coalescer {
    /** Most checks sent in one call: bounds the script's run time and the reply's size. */
    static final int MAX_BATCH = 64;
    /** Numbers of one check's reply (see {@code check.lua}). */
    static final int REPLY_SIZE = 6;

    private final RedisNamespace namespace;
    private final RedisScript script;
    /** The {@code now} argument of a call: microseconds, or -1 for the Redis server's clock. */
    private final LongSupplier now;
    private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();

    Coalescer(RedisNamespace namespace, RedisScript script, LongSupplier now) {
        this.namespace = namespace;
        this.script = script;
        this.now = now;
    }

    /**
     * Checks {@code cost} units against {@code policy} on {@code stateKey}, alone or in a batch.
     *
     * @return the check's reply: allowed, now, allowed, remaining, reset-after us, retry-after us
     * @throws io.redkit.core.RedisUnavailableException when Redis failed or did not answer in time
     *         (the check is then withdrawn if it has not been sent yet)
     */
    List<Long> check(String stateKey, long cost, RatePolicy policy) {
        Pending mine = new Pending(cost, policy);
        lanes.computeIfAbsent(stateKey, Lane::new).submit(mine);
        try {
            return namespace.await("rate-limit check", mine);
        } catch (RuntimeException e) {
            mine.cancel(false);
            throw e;
        }
    }

    /** Keys with checks queued or in flight; for tests. */
    int activeLanes() {
        return lanes.size();
    }

    private static final class Pending extends CompletableFuture<List<Long>> {
        final long cost;
        final RatePolicy policy;

        Pending(long cost, RatePolicy policy) {
            this.cost = cost;
            this.policy = policy;
        }
    }

    private final class Lane {
        private final String key;
        private final String[] keys;
        private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean busy = new AtomicBoolean();

        Lane(String key) {
            this.key = key;
            this.keys = new String[]{key};
        }

        void submit(Pending p) {
            queue.add(p);
            drain();
        }

        /** Sends the next batch unless one is in flight; removes the lane once it is idle. */
        private void drain() {
            while (busy.compareAndSet(false, true)) {
                List<Pending> batch = new ArrayList<>(Math.min(MAX_BATCH, 8));
                Pending p;
                while (batch.size() < MAX_BATCH && (p = queue.poll()) != null) {
                    if (!p.isDone()) { // a check whose caller gave up is never sent
                        batch.add(p);
                    }
                }
                if (!batch.isEmpty()) {
                    send(batch);
                    return;
                }
                busy.set(false);
                if (queue.isEmpty()) {
                    lanes.remove(key, this);
                    // a check queued after the poll is sent by its own submit (busy is clear)
                    return;
                }
            }
        }

        private void send(List<Pending> batch) {
            int m = batch.size();
            Object[] args = new Object[3 + 5 * m];
            args[0] = now.getAsLong();
            args[1] = m;
            args[2] = 2;
            for (int j = 0; j < m; j++) {
                Pending p = batch.get(j);
                int b = 3 + 5 * j;
                args[b] = p.cost;
                args[b + 1] = p.policy.algorithm().scriptCode();
                args[b + 2] = p.policy.limit();
                args[b + 3] = p.policy.windowMicros();
                args[b + 4] = p.policy.burst();
            }
            CompletableFuture<List<Long>> call;
            try {
                call = namespace.eval(script, ScriptOutputType.MULTI, keys, args);
            } catch (RuntimeException e) {
                call = CompletableFuture.failedFuture(e);
            }
            call.whenComplete((reply, err) -> {
                busy.set(false);
                drain(); // the next batch leaves before this one's callers wake up
                for (int j = 0; j < m; j++) {
                    if (err != null) {
                        batch.get(j).completeExceptionally(err);
                    } else {
                        batch.get(j).complete(reply.subList(REPLY_SIZE * j, REPLY_SIZE * (j + 1)));
                    }
                }
            });
        }
    }
}
