package io.redkit.ratelimit;

import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.redkit.core.RedisUnavailableException;
import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;
import io.redkit.core.time.ManualClock;
import io.redkit.ratelimit.internal.RedisRateLimiter;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** {@link RateLimiter#recordDenial} and {@link RateLimiter#topDenied} against a real Redis. */
@WithRedis
class TopDeniedTest {
    private static final RatePolicy LOGIN = RatePolicy.of("login", 5, Duration.ofMinutes(15));
    private static final RatePolicy API = RatePolicy.of("api", 100, Duration.ofMinutes(1));
    /** 10:15 UTC: the hour boundaries below are 11:00 and 12:00. */
    private static final Instant T0 = Instant.parse("2030-01-01T10:15:00Z");

    private static Redkit redkit(RedisServer redis) {
        return redkit(redis, "300ms");
    }

    private static Redkit redkit(RedisServer redis, String commandTimeout) {
        Redkit redkit = Redkit.create(RedkitConfig.fromEnv(Map.of("REDIS_URL", redis.url(), "REDIS_COMMAND_TIMEOUT", commandTimeout,
                "REDIS_CONNECT_TIMEOUT", "10s")));
        // connected before the test: on a loaded machine the handshake can outlast a 300 ms command
        // timeout, and a failed attempt is retried by the next use
        // (while Lettuce reconnects after a timed-out handshake, raw commands fail with its own exception)
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> redis(redkit).ping() != null);
        return redkit;
    }

    private static RedisClusterCommands<String, byte[]> redis(Redkit redkit) {
        return redkit.namespace(RateLimiterOptions.DEFAULT_NAMESPACE).sync();
    }

    private static void record(RateLimiter limiter, RatePolicy policy, String key, int times) {
        for (int i = 0; i < times; i++) {
            limiter.recordDenial(policy, key);
        }
    }

    @Test
    void theMostDeniedKeysOfAPolicyOverTheCurrentAndPreviousHour(RedisServer redis) {
        ManualClock clock = new ManualClock(T0);
        try (Redkit redkit = redkit(redis)) {
            RedisRateLimiter limiter = (RedisRateLimiter) RateLimiter.create(redkit, RateLimiterOptions.builder().clock(clock).build());
            assertThat(limiter.topDenied("login", 10)).isEmpty();
            record(limiter, LOGIN, "{203.0.113.7}:alice", 5);
            record(limiter, LOGIN, "{198.51.100.2}", 3);
            record(limiter, LOGIN, "{192.0.2.1}", 1);
            record(limiter, API, "{203.0.113.7}:alice", 2);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(limiter.topDenied("login", 10)).containsExactly(
                    new DeniedKey("{203.0.113.7}:alice", 5), new DeniedKey("{198.51.100.2}", 3), new DeniedKey("{192.0.2.1}", 1)));
            assertThat(limiter.topDenied("login", 2)).containsExactly(
                    new DeniedKey("{203.0.113.7}:alice", 5), new DeniedKey("{198.51.100.2}", 3));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(limiter.topDenied("api", 10)).containsExactly(new DeniedKey("{203.0.113.7}:alice", 2)));
            assertThat(limiter.topDenied("register", 10)).isEmpty();

            String firstHour = limiter.deniedKey("login", T0);
            assertThat(redis(redkit).pttl(firstHour)).as("until the end of the next hour (12:00) plus 5 minutes")
                    .isBetween(Duration.ofMinutes(45 + 60 + 5).minusSeconds(10).toMillis(), Duration.ofMinutes(45 + 60 + 5).toMillis());

            clock.advance(Duration.ofHours(1)); // 11:15: both hours count
            record(limiter, LOGIN, "{198.51.100.2}", 4);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(limiter.topDenied("login", 10)).containsExactly(
                    new DeniedKey("{198.51.100.2}", 7), new DeniedKey("{203.0.113.7}:alice", 5), new DeniedKey("{192.0.2.1}", 1)));

            clock.advance(Duration.ofHours(1)); // 12:15: 10:xx has dropped out
            assertThat(limiter.topDenied("login", 10)).containsExactly(new DeniedKey("{198.51.100.2}", 4));
            assertThat(limiter.unrecordedDenials()).isZero();
        }
    }

    @Test
    void badArgumentsAreRejected(RedisServer redis) {
        try (Redkit redkit = redkit(redis)) {
            RateLimiter limiter = RateLimiter.create(redkit);
            assertThatThrownBy(() -> limiter.topDenied("login", 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
            assertThatThrownBy(() -> limiter.topDenied("login", RateLimiter.MAX_TOP_DENIED + 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1001");
            assertThatThrownBy(() -> limiter.topDenied(" ", 10)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> limiter.recordDenial(LOGIN, "")).isInstanceOf(IllegalArgumentException.class);
            assertThat(limiter.topDenied("login", RateLimiter.MAX_TOP_DENIED)).isEmpty();
        }
    }

    @Test
    void aRankingKeepsTheHeaviestKeysAndStaysBounded(RedisServer redis) {
        ManualClock clock = new ManualClock(T0);
        // 2,500 recordings are queued at once without waiting; on a loaded machine the last ones can wait
        // longer than 300 ms for their turn and would time out (counted as unrecorded, by design)
        try (Redkit redkit = redkit(redis, "10s")) {
            RedisRateLimiter limiter = (RedisRateLimiter) RateLimiter.create(redkit, RateLimiterOptions.builder().clock(clock).build());
            // the script is loaded once; later calls run in order on the one connection
            record(limiter, LOGIN, "{heavy}", 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> !limiter.topDenied("login", 1).isEmpty());
            for (int i = 0; i < 2_500; i++) {
                record(limiter, LOGIN, "{203.0.113." + i + "}", 1);
                if (i % 250 == 0) {
                    record(limiter, LOGIN, "{heavy}", 1);
                }
            }
            record(limiter, LOGIN, "{last}", 3);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(limiter.unrecordedDenials()).as("recordings that failed").isZero();
                assertThat(redis(redkit).zscore(limiter.deniedKey("login", T0), "{last}".getBytes(StandardCharsets.UTF_8)))
                        .isEqualTo(3.0);
            });
            assertThat(redis(redkit).zcard(limiter.deniedKey("login", T0)))
                    .isBetween((long) RateLimiter.MAX_TOP_DENIED, 2L * RateLimiter.MAX_TOP_DENIED + 1);
            assertThat(limiter.topDenied("login", 2)).containsExactly(new DeniedKey("{heavy}", 11), new DeniedKey("{last}", 3));
            assertThat(limiter.topDenied("login", RateLimiter.MAX_TOP_DENIED)).hasSize(RateLimiter.MAX_TOP_DENIED);
        }
    }

    @Test
    void aFailingRecordingIsCountedAndNeverThrown(RedisServer redis) {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ManualClock clock = new ManualClock(T0);
        try (Redkit redkit = redkit(redis)) {
            RedisRateLimiter limiter = (RedisRateLimiter) RateLimiter.create(redkit, RateLimiterOptions.builder().clock(clock)
                    .meterRegistry(meters).unavailableBackoff(Duration.ZERO).build());
            // Redis refuses: the ranking's key holds a string
            redis(redkit).set(limiter.deniedKey("login", T0), "not a ranking".getBytes(StandardCharsets.UTF_8));
            limiter.recordDenial(LOGIN, "{203.0.113.7}");
            await().atMost(Duration.ofSeconds(10)).until(() -> limiter.unrecordedDenials() == 1);
            assertThat(meters.get("redkit.ratelimit.denials.unrecorded").tag("policy", "login").counter().count()).isEqualTo(1.0);
            assertThat(limiter.check(LOGIN, "{203.0.113.7}").allowed()).as("checks are not affected").isTrue();

            // Redis gone: the call still returns at once and nothing is thrown
            redis.stop();
            long start = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                limiter.recordDenial(LOGIN, "{203.0.113.7}");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(300));
            await().atMost(Duration.ofSeconds(10)).until(() -> limiter.unrecordedDenials() == 101);
            assertThatThrownBy(() -> limiter.topDenied("login", 10)).isInstanceOf(RedisUnavailableException.class);
        }
    }

    @Test
    void whileRedisIsSkippedAfterAFailureNothingIsSent(RedisServer redis) {
        try (Redkit redkit = redkit(redis)) {
            RedisRateLimiter limiter = (RedisRateLimiter) RateLimiter.create(redkit, RateLimiterOptions.builder()
                    .unavailableBackoff(Duration.ofMinutes(5)).build());
            limiter.inspect(LOGIN, "warm-up");
            redis.stop();
            assertThat(limiter.check(LOGIN, "{203.0.113.7}").reason()).isEqualTo(Decision.Reason.FAIL_OPEN);
            limiter.recordDenial(LOGIN, "{203.0.113.7}");
            assertThat(limiter.unrecordedDenials()).as("counted at once, without a command").isEqualTo(1);
        }
    }

    /** {@code calls} of EVALSHA and EVAL in {@code INFO commandstats}: every script call Redis ran. */
    static long scriptCalls(RedisServer redis) {
        long calls = 0;
        for (String line : ((String) redis.command("INFO", "commandstats")).split("\r?\n")) {
            if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
                String stats = line.substring(line.indexOf(':') + 1);
                for (String part : stats.split(",")) {
                    if (part.startsWith("calls=")) {
                        calls += Long.parseLong(part.substring("calls=".length()));
                    }
                }
            }
        }
        return calls;
    }

    @Test
    void aHammeredDenialCostsRedisNoCallPerRequest(RedisServer redis) {
        int n = 5_000;
        try (Redkit redkit = redkit(redis)) {
            // no scheduled flush during the test: the counts go out only when flushed
            RedisRateLimiter limiter = (RedisRateLimiter) RateLimiter.create(redkit, RateLimiterOptions.builder()
                    .denialFlushInterval(RateLimiterOptions.MAX_DENIAL_FLUSH_INTERVAL).build());
            for (int i = 0; i < 5; i++) {
                assertThat(limiter.check(LOGIN, "{203.0.113.7}").allowed()).isTrue();
            }
            long before = scriptCalls(redis);
            for (int i = 0; i < n; i++) { // what the filter does for each request: check, and record the 429
                Decision d = limiter.check(LOGIN, "{203.0.113.7}");
                assertThat(d.allowed()).isFalse();
                limiter.recordDenial(d.policy(), d.key());
            }
            assertThat(scriptCalls(redis) - before).as("script calls for %d denied requests: the first denial's check", n)
                    .isEqualTo(1);
            assertThat(limiter.flushDenials()).isEqualTo(n);
            assertThat(scriptCalls(redis) - before).as("and one flush").isEqualTo(2);
            assertThat(limiter.topDenied("login", 10)).containsExactly(new DeniedKey("{203.0.113.7}", n));

            // the same from many threads: every denial is counted exactly once, still without a call per denial
            int threads = 8;
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
            try {
                java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < n; i++) {
                            Decision d = limiter.check(LOGIN, "{203.0.113.7}");
                            limiter.recordDenial(d.policy(), d.key());
                            if (i % 1000 == 0) {
                                limiter.flushDenials();   // flushes racing with recordings lose nothing
                            }
                        }
                        return null;
                    }));
                }
                for (java.util.concurrent.Future<?> f : done) {
                    f.get(60, java.util.concurrent.TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            } finally {
                pool.shutdownNow();
            }
            limiter.flushDenials();
            assertThat(limiter.topDenied("login", 10)).containsExactly(new DeniedKey("{203.0.113.7}", n + (long) threads * n));
            assertThat(scriptCalls(redis) - before).as("one call per flush, %d flushes at most", threads * 5 + 2)
                    .isLessThanOrEqualTo(threads * 5 + 3);
            assertThat(limiter.unrecordedDenials()).isZero();
        }
    }

    @Test
    void theScheduledFlushSendsDenialsAndCloseSendsWhatIsLeft(RedisServer redis) {
        try (Redkit redkit = redkit(redis)) {
            RedisRateLimiter limiter = (RedisRateLimiter) RateLimiter.create(redkit, RateLimiterOptions.builder()
                    .denialFlushInterval(Duration.ofMillis(50)).build());
            record(limiter, LOGIN, "{198.51.100.2}", 3);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(limiter.topDenied("login", 10)).containsExactly(new DeniedKey("{198.51.100.2}", 3)));
        }
        try (Redkit redkit = redkit(redis)) {
            RedisRateLimiter limiter = (RedisRateLimiter) RateLimiter.create(redkit, RateLimiterOptions.builder()
                    .denialFlushInterval(RateLimiterOptions.MAX_DENIAL_FLUSH_INTERVAL).build());
            record(limiter, LOGIN, "{192.0.2.1}", 4);
            assertThat(limiter.topDenied("login", 10)).as("not sent yet").containsExactly(new DeniedKey("{198.51.100.2}", 3));
            limiter.close();
            assertThat(limiter.topDenied("login", 10)).as("close flushed")
                    .containsExactly(new DeniedKey("{192.0.2.1}", 4), new DeniedKey("{198.51.100.2}", 3));
            limiter.recordDenial(LOGIN, "{192.0.2.1}");
            assertThat(limiter.unrecordedDenials()).as("a recording after close is dropped and counted").isEqualTo(1);
            assertThat(limiter.check(LOGIN, "{192.0.2.1}").source()).as("checks still work").isEqualTo(Decision.Source.REDIS);
            limiter.close();  // idempotent
        }
    }

    @Test
    void pendingDenialsAreBoundedAndWhatIsDroppedIsCounted(RedisServer redis) {
        try (Redkit redkit = redkit(redis, "10s")) {
            RedisRateLimiter limiter = (RedisRateLimiter) RateLimiter.create(redkit, RateLimiterOptions.builder()
                    .denialFlushInterval(RateLimiterOptions.MAX_DENIAL_FLUSH_INTERVAL).build());
            int max = 10_000; // DenialLog.MAX_PENDING
            record(limiter, LOGIN, "{heavy}", 7);
            for (int i = 1; i < max + 50; i++) {
                limiter.recordDenial(LOGIN, "{10.0." + (i / 256) + "." + (i % 256) + "}");
            }
            assertThat(limiter.unrecordedDenials()).as("new keys beyond the bound").isEqualTo(50);
            record(limiter, LOGIN, "{heavy}", 3);   // a key already waiting is still counted
            assertThat(limiter.unrecordedDenials()).isEqualTo(50);
            assertThat(limiter.flushDenials()).isEqualTo(max - 1 + 10);
            assertThat(limiter.topDenied("login", 1)).containsExactly(new DeniedKey("{heavy}", 10));
            assertThat(redis(redkit).zcard(limiter.deniedKey("login", Instant.now())))
                    .isBetween((long) RateLimiter.MAX_TOP_DENIED, 2L * RateLimiter.MAX_TOP_DENIED);
            limiter.recordDenial(LOGIN, "{after}");
            assertThat(limiter.unrecordedDenials()).as("room again after the flush").isEqualTo(50);
        }
    }
}
