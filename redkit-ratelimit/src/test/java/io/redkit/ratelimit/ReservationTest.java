package io.redkit.ratelimit;

import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;
import io.redkit.core.time.ManualClock;
import io.redkit.ratelimit.internal.RedisRateLimiter;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reserve first, settle after: a release gives back exactly what its reservation took and nothing
 * more, once; a kept or denied reservation never changes again; and concurrent reservations, from
 * many threads and from two limiter instances on one Redis, never get more than the limit.
 */
@WithRedis
class ReservationTest {
    private static final RatePolicy EXACT = RatePolicy.of("exact", 3, Duration.ofMinutes(1));
    private static final RatePolicy COUNTER = RatePolicy.builder("counter").limit(3).window(Duration.ofMinutes(1))
            .algorithm(Algorithm.SLIDING_COUNTER).build();
    /** 3 per minute: one unit every 20 s, burst 3 (60 s of tolerance). */
    private static final RatePolicy GCRA = RatePolicy.builder("gcra").limit(3).window(Duration.ofMinutes(1))
            .algorithm(Algorithm.GCRA).build();
    private static final List<RatePolicy> ALL = List.of(EXACT, COUNTER, GCRA);
    /** A whole number of minutes since the epoch: a counter bucket starts here. */
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static Redkit redkit(RedisServer redis) {
        return Redkit.create(RedkitConfig.fromUrl(redis.url(0)).toBuilder().connectTimeout(Duration.ofSeconds(10)).build());
    }

    private static RedisRateLimiter limiter(Redkit redkit, ManualClock clock) {
        return (RedisRateLimiter) RateLimiter.create(redkit, RateLimiterOptions.builder().clock(clock).deniedCacheSize(0).build());
    }

    /** The state a key holds in Redis, comparable with equals: the log with its scores, or the string. */
    private static Object state(RedisServer redis, RedisRateLimiter limiter, RatePolicy p, String key) {
        String k = limiter.stateKey(p, key);
        return p.algorithm() == Algorithm.SLIDING_WINDOW ? redis.command("ZRANGE", k, "0", "-1", "WITHSCORES") : redis.command("GET", k);
    }

    @Test
    void aReleaseLeavesTheStateExactlyAsBeforeTheReservationAndASecondReleaseDoesNothing(RedisServer redis) {
        try (Redkit redkit = redkit(redis)) {
            RedisRateLimiter limiter = limiter(redkit, new ManualClock(T0.plusSeconds(5)));
            for (RatePolicy p : ALL) {
                for (long cost : new long[]{1, 2}) {
                    String key = "alice-" + cost;
                    assertThat(limiter.check(p, key).allowed()).isTrue();
                    Object before = state(redis, limiter, p, key);
                    Reservation r = limiter.reserve(cost, LimitedKey.of(p, key));
                    assertThat(r.allowed()).isTrue();
                    assertThat(r.settled()).isFalse();
                    assertThat(state(redis, limiter, p, key)).as("%s cost %d: the reservation took its cost", p.name(), cost)
                            .isNotEqualTo(before);
                    assertThat(limiter.inspect(p, key).remaining()).isEqualTo(2 - cost);

                    assertThat(r.release()).isTrue();
                    assertThat(r.settled()).isTrue();
                    assertThat(state(redis, limiter, p, key)).as("%s cost %d: as if never reserved", p.name(), cost).isEqualTo(before);
                    assertThat(r.release()).as("a second release").isFalse();
                    r.keep();
                    assertThat(state(redis, limiter, p, key)).as("%s cost %d: released twice = once", p.name(), cost).isEqualTo(before);
                    assertThat(limiter.inspect(p, key).remaining()).isEqualTo(2);
                }
            }
        }
    }

    @Test
    void aReleaseOnAnUntouchedKeyLeavesNoUsage(RedisServer redis) {
        try (Redkit redkit = redkit(redis)) {
            RedisRateLimiter limiter = limiter(redkit, new ManualClock(T0.plusSeconds(5)));
            for (RatePolicy p : ALL) {
                Reservation r = limiter.reserve(p, "fresh");
                assertThat(r.allowed()).isTrue();
                assertThat(r.release()).isTrue();
                assertThat(limiter.inspect(p, "fresh").remaining()).as(p.name()).isEqualTo(3);
                if (p.algorithm() != Algorithm.SLIDING_COUNTER) {
                    // the counter keeps its bucket's string at zero; the others hold nothing at all
                    assertThat(redis.command("EXISTS", limiter.stateKey(p, "fresh"))).as(p.name()).isEqualTo(0L);
                }
            }
        }
    }

    @Test
    void keepMakesAReservationFinalAndADeniedOneTookNothingAndReleasesNothing(RedisServer redis) {
        try (Redkit redkit = redkit(redis)) {
            RedisRateLimiter limiter = limiter(redkit, new ManualClock(T0.plusSeconds(5)));
            for (RatePolicy p : ALL) {
                List<Reservation> granted = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    Reservation r = limiter.reserve(p, "bob");
                    assertThat(r.allowed()).as(p.name() + " #" + i).isTrue();
                    assertThat(r.decision().remaining()).isEqualTo(2 - i);
                    granted.add(r);
                }
                Object full = state(redis, limiter, p, "bob");
                granted.get(0).keep();
                assertThat(granted.get(0).settled()).isTrue();
                assertThat(granted.get(0).release()).as("release after keep").isFalse();
                assertThat(state(redis, limiter, p, "bob")).as(p.name() + ": kept").isEqualTo(full);

                Reservation denied = limiter.reserve(p, "bob");
                assertThat(denied.allowed()).isFalse();
                assertThat(denied.decision().retryAfter()).isPositive();
                assertThat(denied.settled()).as("nothing to settle").isTrue();
                assertThat(denied.release()).isFalse();
                assertThat(state(redis, limiter, p, "bob")).as(p.name() + ": the denial took nothing").isEqualTo(full);

                // the other two are released: exactly their two units come back
                assertThat(granted.get(1).release()).isTrue();
                assertThat(granted.get(2).release()).isTrue();
                assertThat(limiter.inspect(p, "bob").remaining()).as(p.name()).isEqualTo(2);
            }
        }
    }

    @Test
    void aMultiLimitReservationIsReleasedFromEveryLimit(RedisServer redis) {
        RatePolicy perAccount = RatePolicy.of("login", 5, Duration.ofMinutes(15));
        RatePolicy perIp = RatePolicy.builder("login-ip").limit(20).window(Duration.ofMinutes(15)).algorithm(Algorithm.GCRA).build();
        try (Redkit redkit = redkit(redis)) {
            RedisRateLimiter limiter = limiter(redkit, new ManualClock(T0));
            LimitedKey ip = LimitedKey.of(perIp, "{203.0.113.7}");
            LimitedKey account = LimitedKey.of(perAccount, "{203.0.113.7}:alice");
            Reservation r = limiter.reserve(1, account, ip);
            assertThat(r.allowed()).isTrue();
            assertThat(r.decision().limits()).hasSize(2);
            assertThat(r.release()).isTrue();
            assertThat(limiter.inspect(perAccount, account.key()).remaining()).isEqualTo(5);
            assertThat(limiter.inspect(perIp, ip.key()).remaining()).isEqualTo(20);
        }
    }

    @Test
    void aReleaseAfterTheWindowMovedNeverGivesBackMoreThanWasTaken(RedisServer redis) {
        try (Redkit redkit = redkit(redis)) {
            ManualClock clock = new ManualClock(T0);
            RedisRateLimiter limiter = limiter(redkit, clock);

            // exact: a unit still in the window is given back; one that left it is gone anyway
            Reservation early = limiter.reserve(EXACT, "carol");
            clock.advance(Duration.ofSeconds(10));
            limiter.check(EXACT, "carol");
            limiter.check(EXACT, "carol");
            assertThat(early.release()).isTrue();
            assertThat(limiter.inspect(EXACT, "carol").remaining()).isEqualTo(1);
            Reservation old = limiter.reserve(EXACT, "carol");
            clock.advance(Duration.ofSeconds(61));   // old's unit (at 10 s) and the two checks have left the window
            for (int i = 0; i < 3; i++) {
                assertThat(limiter.check(EXACT, "carol").allowed()).isTrue();
            }
            Object full = state(redis, limiter, EXACT, "carol");
            old.release();
            assertThat(state(redis, limiter, EXACT, "carol")).isEqualTo(full);
            assertThat(limiter.check(EXACT, "carol").allowed()).as("the release gave back nothing that counted").isFalse();

            // counter: units taken in a bucket that is now the previous one come off that one
            clock.set(T0);
            Reservation inBucket0 = limiter.reserve(COUNTER, "dave");
            clock.advance(Duration.ofSeconds(61));   // bucket 1, 1 s in
            assertThat(limiter.check(COUNTER, "dave").allowed()).isTrue();
            long bucket1 = T0.plusSeconds(60).getEpochSecond() * 1_000_000L;
            assertThat(redis.command("GET", limiter.stateKey(COUNTER, "dave"))).isEqualTo(bucket1 + ":1:1");
            assertThat(inBucket0.release()).isTrue();
            assertThat(redis.command("GET", limiter.stateKey(COUNTER, "dave"))).isEqualTo(bucket1 + ":1:0");
            // a reservation two buckets back no longer counts: nothing to give back
            Reservation inBucket1 = limiter.reserve(COUNTER, "dave");
            clock.advance(Duration.ofSeconds(120));   // bucket 3
            assertThat(limiter.check(COUNTER, "dave").allowed()).isTrue();
            Object counted = state(redis, limiter, COUNTER, "dave");
            inBucket1.release();
            assertThat(state(redis, limiter, COUNTER, "dave")).isEqualTo(counted);

            // GCRA: only the part of the reservation's interval that has not elapsed comes back
            clock.set(T0);
            Reservation first = limiter.reserve(GCRA, "erin");        // TAT = T0 + 20 s
            clock.advance(Duration.ofSeconds(15));
            assertThat(first.release()).isTrue();                      // 5 s left of it: TAT back to now
            assertThat(redis.command("EXISTS", limiter.stateKey(GCRA, "erin"))).isEqualTo(0L);
            assertThat(limiter.inspect(GCRA, "erin").remaining()).isEqualTo(3);

            clock.set(T0.plusSeconds(100));
            Reservation second = limiter.reserve(GCRA, "erin");       // TAT = +120 s
            assertThat(limiter.check(GCRA, "erin").allowed()).isTrue(); // TAT = +140 s
            clock.advance(Duration.ofSeconds(30));                     // now +130 s: second's interval has elapsed
            Object after = state(redis, limiter, GCRA, "erin");
            second.release();
            assertThat(state(redis, limiter, GCRA, "erin")).as("nothing of an elapsed interval comes back").isEqualTo(after);
            // 2 left, where without the reservation 3 would be (TAT +120 s < now): less, never more
            assertThat(limiter.inspect(GCRA, "erin").remaining()).isEqualTo(2);
        }
    }

    @Test
    void aReleaseClearsTheDeniedCacheOfItsKeys(RedisServer redis) {
        try (Redkit redkit = redkit(redis)) {
            RateLimiter limiter = RateLimiter.create(redkit, RateLimiterOptions.builder().clock(new ManualClock(T0)).build());
            for (RatePolicy p : ALL) {
                List<Reservation> granted = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    granted.add(limiter.reserve(p, "fay"));
                }
                assertThat(limiter.check(p, "fay").source()).isEqualTo(Decision.Source.REDIS);
                assertThat(limiter.check(p, "fay").source()).as(p.name() + ": now answered locally").isEqualTo(Decision.Source.DENIED_CACHE);
                assertThat(granted.get(0).release()).isTrue();
                Decision d = limiter.check(p, "fay");
                assertThat(d.allowed()).as(p.name() + " after a release").isTrue();
                assertThat(d.source()).isEqualTo(Decision.Source.REDIS);
            }
        }
    }

    /** {@code threads} threads start together and each make one reservation; the granted ones. */
    private static List<Reservation> reserveAtOnce(int threads, Function<Integer, Reservation> reserve) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Reservation>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int n = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    return reserve.apply(n);
                }));
            }
            start.countDown();
            List<Reservation> granted = new ArrayList<>();
            for (Future<Reservation> f : futures) {
                Reservation r = f.get(60, TimeUnit.SECONDS);
                if (r != null && r.allowed()) {
                    assertThat(r.decision().source()).isEqualTo(Decision.Source.REDIS);
                    granted.add(r);
                }
            }
            return granted;
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<RatePolicy> fiveEach() {
        return List.of(RatePolicy.builder("race-exact").limit(5).window(Duration.ofHours(1)).failureMode(FailureMode.CLOSED).build(),
                RatePolicy.builder("race-counter").limit(5).window(Duration.ofHours(1)).algorithm(Algorithm.SLIDING_COUNTER)
                        .failureMode(FailureMode.CLOSED).build(),
                RatePolicy.builder("race-gcra").limit(5).window(Duration.ofHours(1)).algorithm(Algorithm.GCRA)
                        .failureMode(FailureMode.CLOSED).build());
    }

    @Test
    void fortyThreadsReservingOneKeyGetExactlyTheLimitWhileNoneIsReleased(RedisServer redis) throws Exception {
        try (Redkit redkit = redkit(redis)) {
            // a clock that stands still: no unit may come back by time, only by release
            RateLimiter limiter = RateLimiter.create(redkit, RateLimiterOptions.builder().clock(new ManualClock(T0)).build());
            for (RatePolicy p : fiveEach()) {
                List<Reservation> granted = reserveAtOnce(40, t -> limiter.reserve(p, "{hot}"));
                assertThat(granted).as(p.name()).hasSize(5);
                // released together, exactly those five units come back: five more, no more
                reserveAtOnce(5, t -> {
                    assertThat(granted.get(t).release()).isTrue();
                    return granted.get(t);
                });
                List<Reservation> again = reserveAtOnce(40, t -> limiter.reserve(p, "{hot}"));
                assertThat(again).as(p.name() + " after releasing all").hasSize(5);
                again.forEach(Reservation::keep);
                assertThat(reserveAtOnce(40, t -> limiter.reserve(p, "{hot}"))).as(p.name() + " after keeping all").isEmpty();
            }
        }
    }

    @Test
    void attemptsThatSettleAsTheyFinishNeverHoldMoreThanTheLimit(RedisServer redis) throws Exception {
        // the login pattern: reserve, attempt, keep a failure, release a success; 40 threads, 50 attempts each
        try (Redkit redkit = redkit(redis)) {
            RateLimiter limiter = RateLimiter.create(redkit, RateLimiterOptions.builder().clock(new ManualClock(T0)).build());
            for (RatePolicy p : fiveEach()) {
                // reservations held (granted, not released; kept ones forever), counted after Redis
                // granted them and uncounted before Redis gets them back: never more than Redis holds
                AtomicInteger held = new AtomicInteger();
                AtomicInteger kept = new AtomicInteger();
                ConcurrentLinkedQueue<Integer> violations = new ConcurrentLinkedQueue<>();
                reserveAtOnce(40, t -> {
                    for (int i = 0; i < 50; i++) {
                        Reservation r = limiter.reserve(p, "{login}");
                        if (!r.allowed()) continue;
                        int now = held.incrementAndGet();
                        if (now > 5) violations.add(now);
                        if (ThreadLocalRandom.current().nextInt(10) == 0) {
                            kept.incrementAndGet();
                            r.keep();
                        } else {
                            held.decrementAndGet();
                            assertThat(r.release()).isTrue();
                        }
                    }
                    return null;
                });
                assertThat(violations).as(p.name() + ": reservations held at once beyond the limit").isEmpty();
                assertThat(kept.get()).as(p.name() + ": failures counted").isEqualTo(5);
                assertThat(limiter.reserve(p, "{login}").allowed()).as(p.name() + ": the limit is spent by failures").isFalse();
            }
        }
    }

    @Test
    void twoLimiterInstancesOnOneRedisShareTheLimitAndEachOthersReleases(RedisServer redis) throws Exception {
        ManualClock clock = new ManualClock(T0);
        try (Redkit one = redkit(redis); Redkit two = redkit(redis)) {
            // no denied cache: a release clears only its own process's (see Reservation#release)
            RateLimiterOptions options = RateLimiterOptions.builder().clock(clock).deniedCacheSize(0).build();
            List<RateLimiter> limiters = List.of(RateLimiter.create(one, options), RateLimiter.create(two, options));
            for (RatePolicy p : fiveEach()) {
                List<Reservation> granted = reserveAtOnce(40, t -> limiters.get(t % 2).reserve(p, "{shared}"));
                assertThat(granted).as(p.name()).hasSize(5);
                // whichever instance made it, its release frees the unit for both
                assertThat(granted.get(0).release()).isTrue();
                boolean first = limiters.get(0).reserve(p, "{shared}").allowed();
                boolean second = limiters.get(1).reserve(p, "{shared}").allowed();
                assertThat(first).as(p.name() + ": the released unit").isTrue();
                assertThat(second).as(p.name() + ": and no more").isFalse();
            }
            // the exact window on Redis's own clock, two instances
            RatePolicy exact = fiveEach().get(0);
            List<RateLimiter> serverTime = List.of(RateLimiter.create(one), RateLimiter.create(two));
            assertThat(reserveAtOnce(40, t -> serverTime.get(t % 2).reserve(exact, "{time}"))).hasSize(5);
        }
    }
}
