package io.redkit.ratelimit.internal;

import io.lettuce.core.ScriptOutputType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.redkit.core.RedisCommandException;
import io.redkit.core.RedisNamespace;
import io.redkit.core.RedisScript;
import io.redkit.core.RedisUnavailableException;
import io.redkit.core.internal.Checks;
import io.redkit.ratelimit.Algorithm;
import io.redkit.ratelimit.Decision;
import io.redkit.ratelimit.DeniedKey;
import io.redkit.ratelimit.FailureMode;
import io.redkit.ratelimit.LimitedKey;
import io.redkit.ratelimit.RateLimitListener;
import io.redkit.ratelimit.RateLimiter;
import io.redkit.ratelimit.RateLimiterOptions;
import io.redkit.ratelimit.RatePolicy;
import io.redkit.ratelimit.Reservation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@link RateLimiter} on Redis: one {@code check.lua} round trip per check (concurrent checks
 * share theirs, see {@link Coalescer}), a denied cache in front, failure modes behind. See {@link RateLimiter} for the contract.
 */
public final class RedisRateLimiter implements RateLimiter {
    private static final Logger LOG = LoggerFactory.getLogger(RateLimiter.class);
    private static final RedisScript CHECK = RedisScript.load(RedisRateLimiter.class, "check.lua");
    private static final RedisScript RELEASE = RedisScript.load(RedisRateLimiter.class, "release.lua");
    /** {@code check.lua}'s modes (ARGV[3]). */
    private static final int CONSUME = 0;
    private static final int INSPECT = 1;
    private static final int RESERVE = 3;

    private final RedisNamespace namespace;
    private final RateLimiterOptions options;
    private final KeySpace keys;
    private final DeniedCache denied;
    private final LocalLimiter local;
    private final Clock fallbackClock;
    private final RateLimitListener listener;
    private final DenialLog denials;
    /** Null when {@link RateLimiterOptions#coalesceChecks()} is off. */
    private final Coalescer coalescer;
    private final Map<String, Long> lastLogged = new ConcurrentHashMap<>();
    private final Map<String, Counter> unavailableCounters = new ConcurrentHashMap<>();
    /** Ticker time until which Redis is skipped; only meaningful while {@link #skipping} is set. */
    private volatile long skipUntil;
    private volatile boolean skipping;

    public RedisRateLimiter(RedisNamespace namespace, RateLimiterOptions options) {
        this.namespace = Checks.notNull(namespace, "namespace");
        this.options = Checks.notNull(options, "options");
        this.keys = new KeySpace(namespace);
        this.denied = options.deniedCacheSize() > 0 ? new DeniedCache(options.deniedCacheSize()) : null;
        this.local = new LocalLimiter(options.localFallbackMaxKeys());
        this.fallbackClock = options.localClock();
        this.listener = options.listener();
        this.denials = new DenialLog(namespace, keys, fallbackClock, options.denialFlushInterval(), options.meterRegistry());
        this.coalescer = options.coalesceChecks() ? new Coalescer(namespace, CHECK, this::nowArg) : null;
    }

    @Override
    public Decision check(long cost, LimitedKey... limits) {
        return decide(cost, limits, validate(cost, limits), false).decision();
    }

    @Override
    public Reservation reserve(long cost, LimitedKey... limits) {
        return decide(cost, limits, validate(cost, limits), true);
    }

    /**
     * One check (or reservation): the denied cache, then Redis, else the failure mode. The
     * reservation returned can give the cost back only when Redis granted it.
     */
    private RedisReservation decide(long cost, LimitedKey[] limits, String[] stateKeys, boolean reserve) {
        long tick = options.ticker().read();
        if (denied != null) {
            for (int i = 0; i < limits.length; i++) {
                long until = denied.deniedUntil(stateKeys[i], cost, tick);
                if (until != -1) {
                    Duration wait = Duration.ofNanos(until - tick);
                    return settled(publish(Decision.of(false, Decision.Reason.OVER_LIMIT, Decision.Source.DENIED_CACHE,
                            limits[i].policy(), limits[i].key(), 0, wait, wait)));
                }
            }
        }
        if (skipping && skipUntil - tick > 0) {
            return settled(publish(fallback(cost, limits, stateKeys, null)));
        }
        long releases = denied == null ? 0 : denied.releases();
        List<Long> reply;
        try {
            if (reserve) {
                reply = namespace.evalSync(CHECK, ScriptOutputType.MULTI, stateKeys, scriptArgs(cost, RESERVE, limits));
            } else if (coalescer != null && limits.length == 1) {
                reply = coalescer.check(stateKeys[0], cost, limits[0].policy());
            } else {
                reply = namespace.evalSync(CHECK, ScriptOutputType.MULTI, stateKeys, scriptArgs(cost, CONSUME, limits));
            }
        } catch (RedisUnavailableException | RedisCommandException e) {
            if (e instanceof RedisCommandException && !ServerErrors.serverWide((RedisCommandException) e)) {
                throw e; // the call is wrong (a key holding another type, a script bug): no failure mode hides it
            }
            skipUntil = options.ticker().read() + options.unavailableBackoff().toNanos();
            skipping = !options.unavailableBackoff().isZero();
            return settled(publish(fallback(cost, limits, stateKeys, e)));
        }
        skipping = false;
        Decision d = decode(reply, limits);
        if (!d.allowed() && denied != null) {
            for (int i = 0; i < limits.length; i++) {
                Decision part = d.limits().get(i);
                if (!part.allowed() && !part.retryAfter().isZero()) {
                    denied.deny(stateKeys[i], cost, tick + part.retryAfter().toNanos(), tick, releases);
                }
            }
        }
        publish(d);
        if (!reserve || !d.allowed()) {
            return settled(d);
        }
        int tokens = 2 + 4 * limits.length;
        Object[] args = new Object[2 + 4 * limits.length];
        args[1] = cost;
        for (int i = 0; i < limits.length; i++) {
            args[2 + 4 * i] = limits[i].policy().algorithm().scriptCode();
            args[3 + 4 * i] = limits[i].policy().windowMicros();
            args[4 + 4 * i] = reply.get(tokens + 2 * i);
            args[5 + 4 * i] = reply.get(tokens + 2 * i + 1);
        }
        return new RedisReservation(d, stateKeys, args);
    }

    private RedisReservation settled(Decision d) {
        return new RedisReservation(d, null, null);
    }

    /** {@link Reservation} of this limiter; {@code releaseArgs} is null when there is nothing to give back. */
    private final class RedisReservation implements Reservation {
        private final Decision decision;
        private final String[] stateKeys;
        /** {@code release.lua}'s arguments, {@code now} (ARGV[1]) left to fill in. */
        private final Object[] releaseArgs;
        private final AtomicBoolean settled;

        RedisReservation(Decision decision, String[] stateKeys, Object[] releaseArgs) {
            this.decision = decision;
            this.stateKeys = stateKeys;
            this.releaseArgs = releaseArgs;
            this.settled = new AtomicBoolean(releaseArgs == null);
        }

        @Override
        public Decision decision() {
            return decision;
        }

        @Override
        public boolean release() {
            return settled.compareAndSet(false, true) && refund(stateKeys, releaseArgs);
        }

        @Override
        public void keep() {
            settled.set(true);
        }

        @Override
        public boolean settled() {
            return settled.get();
        }

        @Override
        public String toString() {
            return "Reservation[" + decision + (settled.get() ? ", settled]" : ", unsettled]");
        }
    }

    /**
     * Runs {@code release.lua}, then forgets the keys in the denied cache, where no denial decided
     * before the release is kept (see {@link DeniedCache#deny}); never throws (a failed refund
     * leaves the cost counted).
     */
    private boolean refund(String[] stateKeys, Object[] args) {
        if (skipping && skipUntil - options.ticker().read() > 0) {
            LOG.debug("rate-limit reservation not released: Redis is being skipped after a recent failure");
            return false;
        }
        Object[] withNow = args.clone();
        withNow[0] = nowArg();
        try {
            namespace.evalSync(RELEASE, ScriptOutputType.INTEGER, stateKeys, withNow);
        } catch (RuntimeException e) {
            LOG.warn("rate-limit reservation not released, its cost stays counted: {}", e.toString());
            return false;
        }
        if (denied != null) {
            for (String k : stateKeys) {
                denied.released(k);
            }
        }
        return true;
    }

    @Override
    public Decision inspect(RatePolicy policy, String key) {
        LimitedKey lk = LimitedKey.of(policy, key);
        String[] stateKeys = {keys.stateKey(policy, key)};
        List<Long> reply = namespace.evalSync(CHECK, ScriptOutputType.MULTI, stateKeys, scriptArgs(1, INSPECT, lk));
        return decode(reply, lk);
    }

    @Override
    public void reset(RatePolicy policy, String key) {
        LimitedKey.of(policy, key);
        String stateKey = keys.stateKey(policy, key);
        if (denied != null) {
            denied.remove(stateKey);
        }
        local.remove(stateKey);
        namespace.await("reset rate limit " + policy.name(), namespace.async().del(stateKey));
    }

    @Override
    public void recordDenial(RatePolicy policy, String key) {
        LimitedKey.of(policy, key);
        if (skipping && skipUntil - options.ticker().read() > 0) {
            denials.unrecorded(policy, null);
            return;
        }
        denials.record(policy, key);
    }

    @Override
    public List<DeniedKey> topDenied(String policy, int n) {
        Checks.notBlank(policy, "policy");
        Checks.inRange(n, 1, MAX_TOP_DENIED, "n");
        return denials.top(policy, n);
    }

    @Override
    public void close() {
        denials.close();
    }

    /**
     * Sends the denials counted locally so far to Redis now, instead of at the next scheduled
     * flush, and waits for the answers; for tests and tools.
     *
     * @return the denials Redis took
     */
    public long flushDenials() {
        return denials.flush();
    }

    /** Denials this process could not record so far (Redis failed or was being skipped), for tests and tools. */
    public long unrecordedDenials() {
        return denials.unrecorded();
    }

    /** The denial ranking of the policy named {@code policy} for the clock hour holding {@code at}, for tests and tools. */
    public String deniedKey(String policy, Instant at) {
        return keys.denied(policy, Math.floorDiv(at.toEpochMilli(), DenialLog.HOUR_MS));
    }

    /** The state key of {@code key} under {@code policy}, for tests and tools. */
    public String stateKey(RatePolicy policy, String key) {
        return keys.stateKey(policy, key);
    }

    /** Coalescing lanes with checks queued or in flight (0 when idle or coalescing is off); for tests. */
    int coalescingKeys() {
        return coalescer == null ? 0 : coalescer.activeLanes();
    }

    private String[] validate(long cost, LimitedKey[] limits) {
        Checks.notNull(limits, "limits");
        if (limits.length == 0 || limits.length > MAX_LIMITS_PER_CHECK) {
            throw new IllegalArgumentException("a check needs 1 to " + MAX_LIMITS_PER_CHECK + " limits: " + limits.length);
        }
        if (cost <= 0) {
            throw new IllegalArgumentException("cost must be positive: " + cost);
        }
        String[] stateKeys = new String[limits.length];
        Set<String> seen = limits.length > 1 ? new HashSet<>() : null;
        int slot = -1;
        int exact = 0;
        for (int i = 0; i < limits.length; i++) {
            LimitedKey lk = Checks.notNull(limits[i], "limits[" + i + "]");
            RatePolicy p = lk.policy();
            if (p.algorithm() == Algorithm.SLIDING_WINDOW && cost * ++exact > MAX_EXACT_UNITS_PER_CHECK) {
                throw new IllegalArgumentException("cost " + cost + " x " + exact + " exact sliding-window limit(s) = " + cost * exact
                        + " log entries in one check, above " + MAX_EXACT_UNITS_PER_CHECK
                        + " (RateLimiter.MAX_EXACT_UNITS_PER_CHECK): the exact window writes one entry per unit; use a smaller cost,"
                        + " or algorithm sliding-counter or gcra, whose work does not grow with the cost");
            }
            long max = p.algorithm() == Algorithm.GCRA ? p.burst() : p.limit();
            if (cost > max) {
                throw new IllegalArgumentException("cost " + cost + " exceeds what policy " + p.name() + " can ever admit at once ("
                        + max + "): such a request would always be denied");
            }
            stateKeys[i] = keys.stateKey(p, lk.key());
            if (seen != null && !seen.add(stateKeys[i])) {
                throw new IllegalArgumentException("limit " + lk + " appears twice in one check");
            }
            int s = KeySpace.slot(stateKeys[i]);
            if (slot == -1) {
                slot = s;
            } else if (s != slot) {
                throw new IllegalArgumentException("the keys of one check must share a hash tag, so the check is one atomic"
                        + " script on Redis Cluster: " + limits[0] + " and " + lk + " do not; put the shared subject in"
                        + " braces, e.g. \"{203.0.113.7}:alice\" and \"{203.0.113.7}\"");
            }
        }
        return stateKeys;
    }

    private Object[] scriptArgs(long cost, int mode, LimitedKey... limits) {
        Object[] args = new Object[3 + 4 * limits.length];
        args[0] = nowArg();
        args[1] = cost;
        args[2] = mode;
        for (int i = 0; i < limits.length; i++) {
            RatePolicy p = limits[i].policy();
            args[3 + 4 * i] = p.algorithm().scriptCode();
            args[4 + 4 * i] = p.limit();
            args[5 + 4 * i] = p.windowMicros();
            args[6 + 4 * i] = p.burst();
        }
        return args;
    }

    /** The {@code now} argument of {@code check.lua}: the configured clock's microseconds, or -1 for Redis TIME. */
    private long nowArg() {
        return options.clock().map(RedisRateLimiter::micros).orElse(-1L);
    }

    private static long micros(Clock clock) {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    private static Decision decode(List<Long> reply, LimitedKey... limits) {
        boolean all = reply.get(0) == 1L;
        List<Decision> parts = new ArrayList<>(limits.length);
        for (int i = 0; i < limits.length; i++) {
            int b = 2 + 4 * i;
            boolean ok = reply.get(b) == 1L;
            parts.add(Decision.of(ok, all ? Decision.Reason.WITHIN_LIMIT : Decision.Reason.OVER_LIMIT, Decision.Source.REDIS,
                    limits[i].policy(), limits[i].key(), reply.get(b + 1),
                    Duration.ofNanos(reply.get(b + 2) * 1000), Duration.ofNanos(reply.get(b + 3) * 1000)));
        }
        return Decision.combine(parts);
    }

    private Decision fallback(long cost, LimitedKey[] limits, String[] stateKeys, RuntimeException cause) {
        List<Decision> closed = new ArrayList<>();
        List<LimitedKey> localLimits = new ArrayList<>();
        List<String> localKeys = new ArrayList<>();
        for (int i = 0; i < limits.length; i++) {
            RatePolicy p = limits[i].policy();
            noteUnavailable(p, cause);
            if (p.failureMode() == FailureMode.CLOSED) {
                closed.add(Decision.of(false, Decision.Reason.FAIL_CLOSED, Decision.Source.FAILURE_MODE, p, limits[i].key(), 0,
                        options.failClosedRetryAfter(), options.failClosedRetryAfter()));
            } else if (p.failureMode() == FailureMode.LOCAL) {
                localLimits.add(limits[i]);
                localKeys.add(stateKeys[i]);
            }
        }
        if (!closed.isEmpty()) {
            return Decision.combine(closed);
        }
        List<Decision> localParts = localLimits.isEmpty() ? List.of()
                : local.check(cost, localLimits, localKeys, micros(fallbackClock));
        List<Decision> parts = new ArrayList<>(limits.length);
        int l = 0;
        for (LimitedKey lk : limits) {
            if (lk.policy().failureMode() == FailureMode.LOCAL) {
                parts.add(localParts.get(l++));
            } else {
                parts.add(Decision.of(true, Decision.Reason.FAIL_OPEN, Decision.Source.FAILURE_MODE, lk.policy(), lk.key(),
                        lk.policy().limit(), Duration.ZERO, Duration.ZERO));
            }
        }
        return Decision.combine(parts);
    }

    private void noteUnavailable(RatePolicy p, RuntimeException cause) {
        options.meterRegistry().ifPresent(r -> counter(r, p).increment());
        try {
            listener.onRedisUnavailable(p, cause);
        } catch (RuntimeException e) {
            LOG.warn("rate-limit listener failed in onRedisUnavailable", e);
        }
        long now = options.ticker().read();
        Long last = lastLogged.get(p.name());
        if (last == null || now - last >= options.logInterval().toNanos()) {
            boolean won = last == null ? lastLogged.putIfAbsent(p.name(), now) == null : lastLogged.replace(p.name(), last, now);
            if (won) {
                LOG.warn("Redis is unavailable for rate-limit policy {}: deciding by failure mode '{}' (logged at most once per {}): {}",
                        p.name(), p.failureMode().id(), options.logInterval(),
                        cause == null ? "skipping Redis after a recent failure" : cause.getMessage());
            }
        }
    }

    private Counter counter(MeterRegistry registry, RatePolicy p) {
        return unavailableCounters.computeIfAbsent(p.name() + "/" + p.failureMode().id(), k -> Counter
                .builder("redkit.ratelimit.redis.unavailable")
                .description("Rate-limit checks decided by the policy's failure mode because Redis was unreachable or could not serve")
                .tag("policy", p.name()).tag("mode", p.failureMode().id())
                .register(registry));
    }

    private Decision publish(Decision d) {
        try {
            listener.onDecision(d);
        } catch (RuntimeException e) {
            LOG.warn("rate-limit listener failed in onDecision", e);
        }
        return d;
    }
}
