package io.redkit.ratelimit.internal;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.redkit.core.RedisNamespace;
import io.redkit.core.RedisScript;
import io.redkit.ratelimit.Algorithm;
import io.redkit.ratelimit.RateLimiter;
import io.redkit.ratelimit.RatePolicy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * Coalesces concurrent single-limit checks into one {@code check.lua} call (its batch mode), so a
 * busy limiter costs Redis and the client one command per batch instead of one per check. Checks
 * go through lanes: on Redis Cluster one per hash slot (a script's keys must share one), otherwise
 * {@link #STRIPES} chosen by key. Per lane at most one call is in flight; checks arriving meanwhile
 * queue and leave together, up to {@link #MAX_BATCH}, as soon as it answers. The first check on an
 * idle lane goes at once, as a call of its own, from its caller's thread, so a limiter that is not
 * busy sees no difference. Redis runs a batch's checks one after the other in arrival order, each
 * seeing what the ones before wrote, so every decision is the one a call of its own would have got
 * at that moment: exactness is untouched. A check that fails in Redis (say its key holds another
 * type) fails alone. Thread-safe.
 *
 * <p>A lane lives only while checks are queued or in flight on it: a lane found idle is removed.
 * Two lanes of one id may briefly coexist (a check arriving while the old one is being removed);
 * that costs one extra concurrent call, which the script's atomicity makes harmless.
 */
final class Coalescer {
    /**
     * Most checks sent in one call: bounds the script's run time and the reply's size. A batch also
     * carries at most {@link RateLimiter#MAX_EXACT_UNITS_PER_CHECK} exact-window units (one check
     * alone may carry that many): the check that would go over leads the next batch.
     */
    static final int MAX_BATCH = 64;
    /**
     * Lanes of a standalone Redis: calls in flight at once, each carrying a batch. More overlap
     * client and Redis work; fewer make larger batches.
     */
    static final int STRIPES = 4;
    /** Numbers of one check's reply (see {@code check.lua}). */
    static final int REPLY_SIZE = 6;

    private final RedisNamespace namespace;
    private final RedisScript script;
    /** The {@code now} argument of a call: microseconds, or -1 for the Redis server's clock. */
    private final LongSupplier now;
    private final boolean cluster;
    private final ConcurrentHashMap<Integer, Lane> lanes = new ConcurrentHashMap<>();
    /** The policy whose script arguments were encoded last, and those arguments (a busy limiter mostly checks one). */
    private volatile EncodedPolicy lastPolicy;

    private static final byte[] ONE = {'1'};
    private static final byte[] BATCH_MODE = {'2'};

    private record EncodedPolicy(RatePolicy policy, byte[][] args) {}

    Coalescer(RedisNamespace namespace, RedisScript script, LongSupplier now) {
        this.namespace = namespace;
        this.script = script;
        this.now = now;
        this.cluster = namespace.isCluster();
    }

    /**
     * Checks {@code cost} units against {@code policy} on {@code stateKey}, alone or in a batch.
     *
     * @return the check's reply: allowed, now, allowed, remaining, reset-after us, retry-after us
     * @throws io.redkit.core.RedisUnavailableException when Redis failed or did not answer in time
     *         (the check is then withdrawn if it has not been sent yet)
     */
    List<Long> check(String stateKey, long cost, RatePolicy policy) {
        Integer id = cluster ? KeySpace.slot(stateKey) : Math.floorMod(stateKey.hashCode(), STRIPES);
        Lane lane = lanes.get(id);
        Lane fresh = null;
        if (lane == null) {
            fresh = new Lane(id);
            lane = lanes.putIfAbsent(id, fresh);
        }
        if (lane == null) {
            // nothing in flight on this lane: this check goes at once, as a call of its own, on this
            // thread; checks arriving on the lane meanwhile queue and leave when it returns
            try {
                return namespace.evalSync(script, ScriptOutputType.MULTI, new String[]{stateKey}, now.getAsLong(), cost, 0,
                        policy.algorithm().scriptCode(), policy.limit(), policy.windowMicros(), policy.burst());
            } finally {
                fresh.release();
            }
        }
        Pending mine = new Pending(stateKey, cost, policy);
        lane.submit(mine);
        try {
            return namespace.await("rate-limit check", mine);
        } catch (RuntimeException e) {
            mine.cancel(false);
            throw e;
        }
    }

    /** A policy's algorithm, limit, window and burst as script arguments, encoded once per policy in a row. */
    private byte[][] encoded(RatePolicy policy) {
        EncodedPolicy last = lastPolicy;
        if (last != null && last.policy() == policy) {
            return last.args();
        }
        byte[][] args = RedisNamespace.encodeArgs(policy.algorithm().scriptCode(), policy.limit(), policy.windowMicros(),
                policy.burst());
        lastPolicy = new EncodedPolicy(policy, args);
        return args;
    }

    /** Lanes with checks queued or in flight; for tests. */
    int activeLanes() {
        return lanes.size();
    }

    private static final class Pending extends CompletableFuture<List<Long>> {
        final String stateKey;
        final long cost;
        final RatePolicy policy;

        Pending(String stateKey, long cost, RatePolicy policy) {
            this.stateKey = stateKey;
            this.cost = cost;
            this.policy = policy;
        }
    }

    /** A lane's queue; created busy, by the check that goes first (see {@link #check}). */
    private final class Lane {
        private final Integer id;
        private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean busy = new AtomicBoolean(true);
        /**
         * A check taken from the queue that did not fit the last batch's exact units; it leads the
         * next batch. Only touched by the thread that set {@link #busy}.
         */
        private Pending held;

        Lane(Integer id) {
            this.id = id;
        }

        void submit(Pending p) {
            queue.add(p);
            drain();
        }

        /** The call in flight has answered: send what queued meanwhile, or retire the lane. */
        void release() {
            busy.set(false);
            drain();
        }

        /** Sends the next batch unless one is in flight; removes the lane once it is idle. */
        private void drain() {
            while (busy.compareAndSet(false, true)) {
                List<Pending> batch = new ArrayList<>(Math.min(MAX_BATCH, 8));
                long units = 0;
                Pending p = held;
                held = null;
                if (p == null) {
                    p = queue.poll();
                }
                for (; p != null; p = batch.size() < MAX_BATCH ? queue.poll() : null) {
                    if (p.isDone()) { // a check whose caller gave up is never sent
                        continue;
                    }
                    long u = p.policy.algorithm() == Algorithm.SLIDING_WINDOW ? p.cost : 0;
                    if (!batch.isEmpty() && units + u > RateLimiter.MAX_EXACT_UNITS_PER_CHECK) {
                        held = p; // a batch's exact entries stay within what one check may write
                        break;
                    }
                    batch.add(p);
                    units += u;
                }
                if (!batch.isEmpty()) {
                    send(batch);
                    return;
                }
                busy.set(false);
                if (queue.isEmpty()) {
                    lanes.remove(id, this);
                    // a check queued after the poll is sent by its own submit (busy is clear)
                    return;
                }
            }
        }

        private void send(List<Pending> batch) {
            int m = batch.size();
            String[] keys = new String[m];
            Object[] args = new Object[3 + 5 * m];
            args[0] = now.getAsLong();
            args[1] = m;
            args[2] = BATCH_MODE;
            for (int j = 0; j < m; j++) {
                Pending p = batch.get(j);
                keys[j] = p.stateKey;
                int b = 3 + 5 * j;
                args[b] = p.cost == 1 ? ONE : p.cost;
                byte[][] policy = encoded(p.policy);
                args[b + 1] = policy[0];
                args[b + 2] = policy[1];
                args[b + 3] = policy[2];
                args[b + 4] = policy[3];
            }
            CompletableFuture<List<Long>> call;
            try {
                call = namespace.eval(script, ScriptOutputType.MULTI, keys, args);
            } catch (RuntimeException e) {
                call = CompletableFuture.failedFuture(e);
            }
            call.whenComplete((reply, err) -> {
                release(); // the next batch leaves before this one's callers wake up
                for (int j = 0; j < m; j++) {
                    if (err != null) {
                        batch.get(j).completeExceptionally(err);
                        continue;
                    }
                    List<Long> own = reply.subList(REPLY_SIZE * j, REPLY_SIZE * (j + 1));
                    if (own.get(0) == -1L) { // this check alone raised an error in Redis
                        Object message = ((List<?>) own).get(1);
                        batch.get(j).completeExceptionally(namespace.translate("rate-limit check",
                                new RedisCommandExecutionException(message instanceof byte[] b
                                        ? new String(b, StandardCharsets.UTF_8) : String.valueOf(message))));
                    } else {
                        batch.get(j).complete(own);
                    }
                }
            });
        }
    }
}
