package io.redkit.ratelimit;

import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;
import io.redkit.core.time.ManualClock;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link RateLimiterOptions#coalesceChecks()}: concurrent checks of one key share a round trip, each with its own decision. */
@WithRedis
class CoalescingTest {
    private static final int LIMIT = 10;
    private static final int CALLERS = 16;

    private static long evalshaCalls(RedisServer redis) {
        String stats = String.valueOf(redis.command("INFO", "commandstats"));
        for (String line : stats.split("\r?\n")) {
            if (line.startsWith("cmdstat_evalsha:calls=")) {
                return Long.parseLong(line.substring("cmdstat_evalsha:calls=".length(), line.indexOf(',')));
            }
        }
        return 0;
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void checksQueuedBehindOneInFlightLeaveTogetherAndEachGetsTheDecisionItsOwnCallWouldHave(Algorithm algorithm,
            RedisServer redis) throws Exception {
        RatePolicy policy = RatePolicy.builder("co-" + algorithm.id()).limit(LIMIT).window(Duration.ofMinutes(1))
                .algorithm(algorithm).build();
        ManualClock clock = new ManualClock(Instant.parse("2030-01-01T10:00:00Z")); // stands still: nothing refills
        ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
        try (Redkit redkit = Redkit.create(RedkitConfig.fromUrl(redis.url(0)).toBuilder()
                .commandTimeout(Duration.ofSeconds(10)).connectTimeout(Duration.ofSeconds(10)).build())) {
            RateLimiter limiter = RateLimiter.create(redkit, RateLimiterOptions.builder().clock(clock).build());
            limiter.inspect(policy, "warm-up"); // connected, script loaded
            redis.command("CONFIG", "RESETSTAT");

            // Redis stopped: the first check goes out and hangs, the other 15 queue behind it
            redis.suspend();
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Decision>> calls = new ArrayList<>();
            try {
                for (int i = 0; i < CALLERS; i++) {
                    calls.add(pool.submit(() -> {
                        start.await();
                        return limiter.check(policy, "{hot}");
                    }));
                }
                start.countDown();
                Thread.sleep(500);
            } finally {
                redis.resume();
            }
            List<Decision> decisions = new ArrayList<>();
            for (Future<Decision> f : calls) {
                decisions.add(f.get());
            }

            assertThat(evalshaCalls(redis)).as("the first check alone, then the 15 queued behind it in one call").isEqualTo(2);
            List<Long> remaining = new ArrayList<>();
            for (Decision d : decisions) {
                assertThat(d.source()).isEqualTo(Decision.Source.REDIS);
                if (d.allowed()) {
                    remaining.add(d.remaining());
                } else {
                    assertThat(d.remaining()).isZero();
                    assertThat(d.retryAfter()).as("a denial says when to retry").isPositive();
                }
            }
            assertThat(remaining).as("exactly the limit admitted, each seeing the ones before it")
                    .containsExactlyInAnyOrderElementsOf(LongStream.range(0, LIMIT).boxed().toList());
            assertThat(limiter.check(policy, "{hot}").allowed()).as("the state Redis kept is full").isFalse();
        } finally {
            pool.shutdownNow();
        }
    }

    @org.junit.jupiter.api.Test
    void checksOfDifferentKeysShareACallAndOneFailingInRedisFailsAlone(RedisServer redis) throws Exception {
        RatePolicy policy = RatePolicy.of("mixed", LIMIT, Duration.ofMinutes(1));
        ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
        try (Redkit redkit = Redkit.create(RedkitConfig.fromUrl(redis.url(0)).toBuilder()
                .commandTimeout(Duration.ofSeconds(10)).connectTimeout(Duration.ofSeconds(10)).build())) {
            io.redkit.ratelimit.internal.RedisRateLimiter limiter =
                    (io.redkit.ratelimit.internal.RedisRateLimiter) RateLimiter.create(redkit);
            limiter.inspect(policy, "warm-up");
            // keys on one lane (standalone: the lanes are a few stripes chosen by key)
            int lane = Math.floorMod(limiter.stateKey(policy, "{lead}").hashCode(), 4);
            List<String> keys = new ArrayList<>();
            for (int i = 0; keys.size() < 6; i++) {
                if (Math.floorMod(limiter.stateKey(policy, "{k" + i + "}").hashCode(), 4) == lane) {
                    keys.add("{k" + i + "}");
                }
            }
            String bad = keys.get(5);
            redis.command("RPUSH", limiter.stateKey(policy, bad), "not a rate-limit state");
            redis.command("CONFIG", "RESETSTAT");
            redis.suspend();
            Future<Decision> lead;
            List<Future<Decision>> queued = new ArrayList<>();
            try {
                lead = pool.submit(() -> limiter.check(policy, "{lead}"));
                Thread.sleep(200);
                for (String k : keys) {
                    queued.add(pool.submit(() -> limiter.check(policy, k)));
                }
                Thread.sleep(300);
            } finally {
                redis.resume();
            }
            assertThat(lead.get().allowed()).isTrue();
            for (int i = 0; i < 5; i++) {
                assertThat(queued.get(i).get().remaining()).as(keys.get(i)).isEqualTo(LIMIT - 1);
            }
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> queued.get(5).get())
                    .hasCauseInstanceOf(io.redkit.core.RedisCommandException.class).hasMessageContaining("WRONGTYPE");
            assertThat(evalshaCalls(redis)).as("the lead alone, then the six queued behind it in one call").isEqualTo(2);
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void turnedOffEveryCheckIsItsOwnCall(Algorithm algorithm, RedisServer redis) throws Exception {
        RatePolicy policy = RatePolicy.builder("alone-" + algorithm.id()).limit(LIMIT).window(Duration.ofMinutes(1))
                .algorithm(algorithm).build();
        ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
        try (Redkit redkit = Redkit.create(RedkitConfig.fromUrl(redis.url(0)).toBuilder()
                .commandTimeout(Duration.ofSeconds(10)).connectTimeout(Duration.ofSeconds(10)).build())) {
            RateLimiter limiter = RateLimiter.create(redkit, RateLimiterOptions.builder().coalesceChecks(false).build());
            limiter.inspect(policy, "warm-up");
            redis.command("CONFIG", "RESETSTAT");
            redis.suspend();
            List<Future<Decision>> calls = new ArrayList<>();
            try {
                for (int i = 0; i < CALLERS; i++) {
                    calls.add(pool.submit(() -> limiter.check(policy, "{hot}")));
                }
                Thread.sleep(500);
            } finally {
                redis.resume();
            }
            long admitted = 0;
            for (Future<Decision> f : calls) {
                admitted += f.get().allowed() ? 1 : 0;
            }
            assertThat(admitted).isEqualTo(LIMIT);
            assertThat(evalshaCalls(redis)).isEqualTo(CALLERS);
        } finally {
            pool.shutdownNow();
        }
    }

    @org.junit.jupiter.api.Test
    void aBatchNeverCarriesMoreExactUnitsThanOneCheckMayWrite(RedisServer redis) throws Exception {
        // 9 checks of 400 exact units queued behind one in flight: 3,600 entries, so at least four
        // calls (two checks each, the last one alone), never one call of 3,600 ZADDs
        RatePolicy policy = RatePolicy.of("bulk-batch", 10_000, Duration.ofMinutes(1));
        try (Redkit redkit = Redkit.create(RedkitConfig.fromUrl(redis.url(0)).toBuilder()
                .commandTimeout(Duration.ofSeconds(10)).connectTimeout(Duration.ofSeconds(10)).build())) {
            io.redkit.ratelimit.internal.RedisRateLimiter limiter =
                    (io.redkit.ratelimit.internal.RedisRateLimiter) RateLimiter.create(redkit);
            limiter.inspect(policy, "warm-up");
            redis.command("CONFIG", "RESETSTAT");
            List<Thread> threads = new ArrayList<>();
            List<Decision> decisions = java.util.Collections.synchronizedList(new ArrayList<>());
            redis.suspend();
            try {
                Thread lead = new Thread(() -> decisions.add(limiter.check(policy, "{bulk}")));
                lead.start();
                threads.add(lead);
                awaitParked(threads);
                for (int i = 0; i < 9; i++) {
                    Thread t = new Thread(() -> decisions.add(limiter.check(400, LimitedKey.of(policy, "{bulk}"))));
                    t.start();
                    threads.add(t);
                }
                awaitParked(threads); // all queued behind the lead
            } finally {
                redis.resume();
            }
            for (Thread t : threads) {
                t.join(30_000);
            }
            assertThat(decisions).hasSize(10).allMatch(Decision::allowed);
            assertThat((Long) redis.command("ZCARD", limiter.stateKey(policy, "{bulk}"))).isEqualTo(3_601);
            assertThat(evalshaCalls(redis)).as("the lead alone, then batches of at most 1,000 exact units: 2+2+2+2+1").isEqualTo(6);
        }
    }

    /** Waits until every thread is parked (in a check waiting for Redis), at most 10 s. */
    private static void awaitParked(List<Thread> threads) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> threads.stream()
                .allMatch(t -> t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING));
    }
}
