package io.redkit.ratelimit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;
import io.redkit.core.RedisUnavailableException;
import io.redkit.core.time.ManualTicker;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** What each failure mode decides while the testkit has stopped or frozen Redis. */
@WithRedis
class FailureModeTest {
    private static final Duration COMMAND_TIMEOUT = Duration.ofMillis(300);
    private static final RatePolicy OPEN = RatePolicy.builder("open").limit(2).window(Duration.ofMinutes(1))
            .failureMode(FailureMode.OPEN).build();
    private static final RatePolicy CLOSED = RatePolicy.builder("closed").limit(2).window(Duration.ofMinutes(1))
            .failureMode(FailureMode.CLOSED).build();
    private static final RatePolicy LOCAL = RatePolicy.builder("local").limit(2).window(Duration.ofMinutes(1))
            .failureMode(FailureMode.LOCAL).build();

    private static Redkit redkit(RedisServer redis) {
        return Redkit.create(RedkitConfig.fromEnv(Map.of("REDIS_URL", redis.url(0),
                "REDIS_COMMAND_TIMEOUT", COMMAND_TIMEOUT.toMillis() + "ms", "REDIS_CONNECT_TIMEOUT", "10s")));
    }

    private static RateLimiterOptions.Builder options(ManualTicker ticker) {
        // a zero backoff makes every check try Redis, so each one exercises the timeout path
        return RateLimiterOptions.builder().ticker(ticker).unavailableBackoff(Duration.ZERO).deniedCacheSize(0);
    }

    @Test
    void eachModeDecidesAsDocumentedWhileRedisIsStopped(RedisServer redis) {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        List<String> events = new CopyOnWriteArrayList<>();
        RateLimitListener listener = new RateLimitListener() {
            @Override
            public void onRedisUnavailable(RatePolicy policy, RuntimeException cause) {
                events.add(policy.name());
            }
        };
        try (Redkit redkit = redkit(redis)) {
            RateLimiter limiter = RateLimiter.create(redkit, options(new ManualTicker()).meterRegistry(meters).listener(listener).build());
            assertThat(limiter.check(OPEN, "k").source()).isEqualTo(Decision.Source.REDIS);   // connected
            redis.stop();

            for (int i = 0; i < 5; i++) {
                Decision open = limiter.check(OPEN, "k");
                assertThat(open.allowed()).isTrue();
                assertThat(open.reason()).isEqualTo(Decision.Reason.FAIL_OPEN);
                assertThat(open.source()).isEqualTo(Decision.Source.FAILURE_MODE);
            }
            Decision closed = limiter.check(CLOSED, "k");
            assertThat(closed.allowed()).isFalse();
            assertThat(closed.reason()).isEqualTo(Decision.Reason.FAIL_CLOSED);
            assertThat(closed.retryAfter()).isEqualTo(RateLimiterOptions.DEFAULT_FAIL_CLOSED_RETRY_AFTER);

            // local: the same policy, enforced in process
            assertThat(limiter.check(LOCAL, "k").allowed()).isTrue();
            Decision second = limiter.check(LOCAL, "k");
            assertThat(second.allowed()).isTrue();
            assertThat(second.source()).isEqualTo(Decision.Source.LOCAL_FALLBACK);
            assertThat(second.remaining()).isZero();
            Decision third = limiter.check(LOCAL, "k");
            assertThat(third.allowed()).isFalse();
            assertThat(third.reason()).isEqualTo(Decision.Reason.OVER_LIMIT);
            assertThat(third.retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(1));

            assertThat(meters.get("redkit.ratelimit.redis.unavailable").tag("policy", "open").tag("mode", "open")
                    .counter().count()).isEqualTo(5.0);
            assertThat(meters.get("redkit.ratelimit.redis.unavailable").tag("policy", "local").counter().count()).isEqualTo(3.0);
            assertThat(events).hasSize(5 + 1 + 3);

            // inspect and reset have no failure mode: they say Redis is unavailable
            assertThatThrownBy(() -> limiter.inspect(OPEN, "k")).isInstanceOf(RedisUnavailableException.class);
            assertThatThrownBy(() -> limiter.reset(OPEN, "k")).isInstanceOf(RedisUnavailableException.class);
        }
    }

    @Test
    void multiLimitChecksCombineModesAllOrNothing(RedisServer redis) {
        try (Redkit redkit = redkit(redis)) {
            RateLimiter limiter = RateLimiter.create(redkit, options(new ManualTicker()).build());
            limiter.inspect(OPEN, "{t}");
            redis.stop();
            // one closed limit denies the whole check, and the local limit is not charged
            Decision d = limiter.check(1, LimitedKey.of(LOCAL, "{t}:a"), LimitedKey.of(CLOSED, "{t}"));
            assertThat(d.allowed()).isFalse();
            assertThat(d.reason()).isEqualTo(Decision.Reason.FAIL_CLOSED);
            // open + local: the local limit decides
            assertThat(limiter.check(2, LimitedKey.of(LOCAL, "{t}:a"), LimitedKey.of(OPEN, "{t}")).allowed()).isTrue();
            Decision over = limiter.check(1, LimitedKey.of(LOCAL, "{t}:a"), LimitedKey.of(OPEN, "{t}"));
            assertThat(over.allowed()).isFalse();
            assertThat(over.policy()).isEqualTo(LOCAL);
        }
    }

    @Test
    void aFrozenRedisNeverHoldsACheckPastTheCommandTimeout(RedisServer redis) {
        ManualTicker ticker = new ManualTicker();
        try (Redkit redkit = redkit(redis)) {
            RateLimiter limiter = RateLimiter.create(redkit, RateLimiterOptions.builder().ticker(ticker).build());
            limiter.check(OPEN, "k");
            redis.suspend();
            try {
                long start = System.nanoTime();
                Decision d = limiter.check(OPEN, "k");
                long tookMs = (System.nanoTime() - start) / 1_000_000;
                assertThat(d.reason()).isEqualTo(Decision.Reason.FAIL_OPEN);
                assertThat(tookMs).as("bounded by the command timeout (plus scheduling slack)")
                        .isLessThan(COMMAND_TIMEOUT.toMillis() + 700);
                // within the backoff the next checks do not wait for Redis at all
                long start2 = System.nanoTime();
                for (int i = 0; i < 100; i++) {
                    assertThat(limiter.check(CLOSED, "k").reason()).isEqualTo(Decision.Reason.FAIL_CLOSED);
                }
                assertThat((System.nanoTime() - start2) / 1_000_000).isLessThan(COMMAND_TIMEOUT.toMillis());
            } finally {
                redis.resume();
            }
            // after the backoff, Redis decides again
            ticker.advance(RateLimiterOptions.DEFAULT_UNAVAILABLE_BACKOFF);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(limiter.check(OPEN, "k2").source()).isEqualTo(Decision.Source.REDIS));
        }
    }

    @Test
    void checksReturnToRedisAfterARestart(RedisServer redis) {
        ManualTicker ticker = new ManualTicker();
        try (Redkit redkit = redkit(redis)) {
            RateLimiter limiter = RateLimiter.create(redkit, options(ticker).build());
            assertThat(limiter.check(LOCAL, "k").source()).isEqualTo(Decision.Source.REDIS);
            redis.stop();
            assertThat(limiter.check(LOCAL, "k").source()).isEqualTo(Decision.Source.LOCAL_FALLBACK);
            redis.start();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(limiter.check(LOCAL, "other").source()).isEqualTo(Decision.Source.REDIS));
        }
    }
}
