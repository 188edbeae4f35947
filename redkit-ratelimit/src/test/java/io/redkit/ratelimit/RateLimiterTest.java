package io.redkit.ratelimit;

import io.redkit.core.Namespace;
import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;
import io.redkit.core.RedisCommandException;
import io.redkit.core.time.ManualClock;
import io.redkit.core.time.ManualTicker;
import io.redkit.ratelimit.internal.RedisRateLimiter;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@WithRedis
class RateLimiterTest {
    private static final RatePolicy EXACT = RatePolicy.of("exact", 3, Duration.ofMinutes(1));
    private static final RatePolicy COUNTER = RatePolicy.builder("counter").limit(3).window(Duration.ofMinutes(1))
            .algorithm(Algorithm.SLIDING_COUNTER).build();
    private static final RatePolicy GCRA = RatePolicy.builder("gcra").limit(3).window(Duration.ofMinutes(1))
            .algorithm(Algorithm.GCRA).build();
    private static final List<RatePolicy> ALL = List.of(EXACT, COUNTER, GCRA);

    private static Redkit redkit(RedisServer redis) {
        return Redkit.create(RedkitConfig.fromUrl(redis.url(0)).toBuilder().connectTimeout(Duration.ofSeconds(10)).build());
    }

    private static long dbsize(RedisServer redis) {
        return (Long) redis.command("DBSIZE");
    }

    @Test
    void serverTimeChecksAdmitTheLimitThenDenyWithRetryAfterAndExpireWhenIdle(RedisServer redis) {
        // runs on whichever Redis the testkit found (the embedded 6.2, the oldest we support, or the
        // redis-server on PATH, e.g. Debian's 7.0): TIME read before writing must work on both
        int[] v = java.util.Arrays.stream(redis.version().split("\\.")).limit(2).mapToInt(Integer::parseInt).toArray();
        assertThat(v[0] * 100 + v[1]).as("Redis %s is at least 6.2, the oldest we support", redis.version())
                .isGreaterThanOrEqualTo(602);
        try (Redkit redkit = redkit(redis)) {
            RedisRateLimiter limiter = (RedisRateLimiter) RateLimiter.create(redkit);
            for (RatePolicy p : ALL) {
                for (int i = 0; i < 3; i++) {
                    Decision d = limiter.check(p, "alice");
                    assertThat(d.allowed()).as(p + " #" + i).isTrue();
                    assertThat(d.remaining()).as(p + " #" + i).isEqualTo(2 - i);
                    assertThat(d.reason()).isEqualTo(Decision.Reason.WITHIN_LIMIT);
                    assertThat(d.source()).isEqualTo(Decision.Source.REDIS);
                }
                Decision denied = limiter.check(p, "alice");
                assertThat(denied.allowed()).as(p.name()).isFalse();
                assertThat(denied.reason()).isEqualTo(Decision.Reason.OVER_LIMIT);
                assertThat(denied.retryAfter()).as(p.name()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(2));
                assertThat(denied.resetAfter()).as(p.name()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(2));
                String key = limiter.stateKey(p, "alice");
                assertThat(key).isEqualTo("redkit:session:rl:" + p.name() + ":" + p.algorithm().keyCode() + ":{alice}");
                long pttl = (Long) redis.command("PTTL", key);
                assertThat(pttl).as("%s expires when idle", key).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(2).toMillis());
            }
        }
    }

    @Test
    void scriptWithServerTimeReplicatesToAReplicaOnRedis62(RedisServer redis) {
        // Redis 6.2 replicates scripts by their effects, so reading TIME before writing is allowed
        // and the replica gets the same state as the master.
        try (RedisServer replica = RedisServer.builder().arg("--replicaof", redis.host(), String.valueOf(redis.port())).start();
             Redkit redkit = redkit(redis)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> "up".equals(replica.info("master_link_status")));
            RedisRateLimiter limiter = (RedisRateLimiter) RateLimiter.create(redkit);
            for (RatePolicy p : ALL) {
                assertThat(limiter.check(p, "bob").allowed()).isTrue();
            }
            for (RatePolicy p : ALL) {
                String key = limiter.stateKey(p, "bob");
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(replica.command("DUMP", key)).as(key).isNotNull());
                assertThat(replica.command("TYPE", key)).isEqualTo(redis.command("TYPE", key));
            }
            String exactKey = limiter.stateKey(EXACT, "bob");
            assertThat(replica.command("ZRANGE", exactKey, "0", "-1", "WITHSCORES"))
                    .isEqualTo(redis.command("ZRANGE", exactKey, "0", "-1", "WITHSCORES"));
        }
    }

    @Test
    void counterKeepsOneStringWhoseExpiryIsSetWhenABucketStartsAndKeptWithinIt(RedisServer redis) {
        // 2026-01-01T00:00:00Z is a whole number of minutes since the epoch: a bucket starts there
        ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        long bucketStart = clock.instant().getEpochSecond() * 1_000_000L;
        try (Redkit redkit = redkit(redis)) {
            RedisRateLimiter limiter = (RedisRateLimiter) RateLimiter.create(redkit,
                    RateLimiterOptions.builder().clock(clock).deniedCacheSize(0).build());
            String key = limiter.stateKey(COUNTER, "erin");
            assertThat(key).contains(":sc2:");
            assertThat(limiter.check(COUNTER, "erin").allowed()).isTrue();
            assertThat(redis.command("TYPE", key)).isEqualTo("string");
            assertThat(redis.command("GET", key)).isEqualTo(bucketStart + ":1:0");
            long first = (Long) redis.command("PTTL", key);
            // until the bucket after this one ends: two windows from the bucket's start
            assertThat(first).isBetween(Duration.ofMinutes(2).toMillis() - 1_000, Duration.ofMinutes(2).toMillis());

            redis.command("PEXPIRE", key, "50000");  // an admission in the same bucket must not touch the expiry
            clock.advance(Duration.ofSeconds(30));
            assertThat(limiter.check(COUNTER, "erin").allowed()).isTrue();
            assertThat(redis.command("GET", key)).isEqualTo(bucketStart + ":2:0");
            assertThat((Long) redis.command("PTTL", key)).isBetween(40_000L, 50_000L);

            // the next bucket: this one's count becomes the previous count, and the expiry is set anew
            clock.advance(Duration.ofSeconds(40));
            assertThat(limiter.check(COUNTER, "erin").allowed()).isTrue();
            assertThat(redis.command("GET", key)).isEqualTo((bucketStart + 60_000_000L) + ":1:2");
            assertThat((Long) redis.command("PTTL", key)).isBetween(Duration.ofSeconds(110).toMillis() - 1_000, Duration.ofSeconds(110).toMillis());

            // a value this script never writes counts as no state (and is replaced)
            redis.command("SET", key, "not-a-counter");
            assertThat(limiter.inspect(COUNTER, "erin").remaining()).isEqualTo(3);
            assertThat(limiter.check(COUNTER, "erin").allowed()).isTrue();
            assertThat(redis.command("GET", key)).isEqualTo((bucketStart + 60_000_000L) + ":1:0");
        }
    }

    @Test
    void deniedRequestsConsumeNothing(RedisServer redis) {
        ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        try (Redkit redkit = redkit(redis)) {
            RateLimiter limiter = RateLimiter.create(redkit, RateLimiterOptions.builder().clock(clock).deniedCacheSize(0).build());
            for (RatePolicy p : ALL) {
                for (int i = 0; i < 3; i++) {
                    assertThat(limiter.check(p, "carol").allowed()).isTrue();
                }
                Decision first = limiter.check(p, "carol");
                for (int i = 0; i < 50; i++) {
                    assertThat(limiter.check(p, "carol").allowed()).isFalse();
                }
                // a blocked client's retries do not push its unlock time back
                assertThat(limiter.check(p, "carol").retryAfter()).as(p.name()).isEqualTo(first.retryAfter());
                clock.advance(first.retryAfter());
                assertThat(limiter.check(p, "carol").allowed()).as(p.name() + " after retry-after").isTrue();
            }
        }
    }

    @Test
    void multiLimitCheckIsAllOrNothing(RedisServer redis) {
        RatePolicy perAccount = RatePolicy.of("login", 5, Duration.ofMinutes(15));
        RatePolicy perIp = RatePolicy.of("login-ip", 7, Duration.ofMinutes(15));
        try (Redkit redkit = redkit(redis)) {
            RateLimiter limiter = RateLimiter.create(redkit, RateLimiterOptions.builder().deniedCacheSize(0).build());
            String ip = "{203.0.113.7}";
            // alice uses up her 5 attempts; the IP has 2 left
            for (int i = 0; i < 5; i++) {
                assertThat(limiter.check(1, LimitedKey.of(perAccount, ip + ":alice"), LimitedKey.of(perIp, ip)).allowed()).isTrue();
            }
            Decision denied = limiter.check(1, LimitedKey.of(perAccount, ip + ":alice"), LimitedKey.of(perIp, ip));
            assertThat(denied.allowed()).isFalse();
            assertThat(denied.policy()).isEqualTo(perAccount);
            assertThat(denied.limits()).hasSize(2);
            assertThat(denied.limits().get(0).allowed()).isFalse();
            assertThat(denied.limits().get(1).allowed()).isTrue();
            assertThat(denied.limits().get(1).remaining()).isEqualTo(2);
            // the denial took nothing from the IP limit
            assertThat(limiter.inspect(perIp, ip).remaining()).isEqualTo(2);
            // bob on the same IP: the IP limit now decides, and the most restrictive limit is reported
            Decision bob = limiter.check(1, LimitedKey.of(perAccount, ip + ":bob"), LimitedKey.of(perIp, ip));
            assertThat(bob.allowed()).isTrue();
            assertThat(bob.policy()).isEqualTo(perIp);
            assertThat(bob.remaining()).isEqualTo(1);
            // cost 2 fits bob (3 left) but not the IP (1 left): denied, and bob keeps his 4
            Decision heavy = limiter.check(2, LimitedKey.of(perAccount, ip + ":bob"), LimitedKey.of(perIp, ip));
            assertThat(heavy.allowed()).isFalse();
            assertThat(heavy.policy()).isEqualTo(perIp);
            assertThat(limiter.inspect(perAccount, ip + ":bob").remaining()).isEqualTo(4);
        }
    }

    @Test
    void weightedRequestsTakeTheirCost(RedisServer redis) {
        try (Redkit redkit = redkit(redis)) {
            RedisRateLimiter limiter = (RedisRateLimiter) RateLimiter.create(redkit);
            RatePolicy p = RatePolicy.of("export", 10, Duration.ofMinutes(1));
            assertThat(limiter.check(4, LimitedKey.of(p, "dave")).remaining()).isEqualTo(6);
            assertThat(limiter.check(6, LimitedKey.of(p, "dave")).remaining()).isZero();
            assertThat(limiter.check(1, LimitedKey.of(p, "dave")).allowed()).isFalse();
            assertThat((Long) redis.command("ZCARD", limiter.stateKey(p, "dave"))).isEqualTo(10);
            RatePolicy big = RatePolicy.of("bulk", 2000, Duration.ofMinutes(1));
            assertThat(limiter.check(1000, LimitedKey.of(big, "erin")).remaining()).isEqualTo(1000);
            assertThat((Long) redis.command("ZCARD", limiter.stateKey(big, "erin"))).isEqualTo(1000);
            // GCRA: the burst, not the rate, bounds one request's cost
            RatePolicy smooth = RatePolicy.builder("smooth").limit(10).window(Duration.ofMinutes(1)).algorithm(Algorithm.GCRA)
                    .burst(20).build();
            Decision d = limiter.check(15, LimitedKey.of(smooth, "fay"));
            assertThat(d.allowed()).isTrue();
            assertThat(d.remaining()).isEqualTo(5);
            assertThatThrownBy(() -> limiter.check(21, LimitedKey.of(smooth, "fay")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(20)");
        }
    }

    @Test
    void anExactCheckWritingMoreThanTheBoundIsRejectedBeforeAnythingIsSent(RedisServer redis) {
        // one check of cost 100,000 wrote 100,000 ZSET members and held Redis for seconds
        RatePolicy big = RatePolicy.of("huge", RatePolicy.MAX_EXACT_LIMIT, Duration.ofMinutes(1));
        RatePolicy alsoExact = RatePolicy.of("huge-ip", RatePolicy.MAX_EXACT_LIMIT, Duration.ofMinutes(1));
        RatePolicy counter = RatePolicy.builder("huge-counter").limit(RatePolicy.MAX_EXACT_LIMIT).window(Duration.ofMinutes(1))
                .algorithm(Algorithm.SLIDING_COUNTER).build();
        try (Redkit redkit = redkit(redis)) {
            RateLimiter limiter = RateLimiter.create(redkit);
            assertThatThrownBy(() -> limiter.check(100_000, LimitedKey.of(big, "{g}")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cost 100000 x 1 exact sliding-window limit(s) = 100000 log entries")
                    .hasMessageContaining("above 1000 (RateLimiter.MAX_EXACT_UNITS_PER_CHECK)")
                    .hasMessageContaining("sliding-counter or gcra");
            assertThatThrownBy(() -> limiter.check(1_001, LimitedKey.of(big, "{g}"))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> limiter.reserve(1_001, LimitedKey.of(big, "{g}"))).isInstanceOf(IllegalArgumentException.class);
            // the bound is on entries written: cost times the exact limits of the check
            assertThatThrownBy(() -> limiter.check(501, LimitedKey.of(big, "{g}"), LimitedKey.of(alsoExact, "{g}")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("= 1002 log entries");
            assertThat(dbsize(redis)).as("nothing was written").isZero();
            assertThat(limiter.check(500, LimitedKey.of(big, "{g}"), LimitedKey.of(alsoExact, "{g}")).allowed()).isTrue();
            assertThat(limiter.check(1_000, LimitedKey.of(big, "{g}"), LimitedKey.of(counter, "{g}")).allowed()).isTrue();
            // the O(1) algorithms take any cost up to their limit
            assertThat(limiter.check(100_000, LimitedKey.of(counter, "{h}")).allowed()).isTrue();
        }
    }

    @Test
    void anAdmissionTrimsAtMostAThousandExpiredEntriesAndCountsStayExact(RedisServer redis) {
        // a log of 3,000 units that has wholly expired: one admission used to remove all of it
        ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        RatePolicy big = RatePolicy.of("long-log", 5_000, Duration.ofMinutes(1));
        try (Redkit redkit = redkit(redis)) {
            RedisRateLimiter limiter = (RedisRateLimiter) RateLimiter.create(redkit,
                    RateLimiterOptions.builder().clock(clock).deniedCacheSize(0).build());
            String key = limiter.stateKey(big, "{ivy}");
            for (int i = 0; i < 3; i++) {
                assertThat(limiter.check(1_000, LimitedKey.of(big, "{ivy}")).allowed()).isTrue();
            }
            clock.advance(Duration.ofMinutes(2));
            long[] expected = {2_001, 1_002, 3, 4};
            for (int i = 0; i < expected.length; i++) {
                Decision d = limiter.check(big, "{ivy}");
                assertThat(d.allowed()).isTrue();
                assertThat(d.remaining()).as("only live units count").isEqualTo(5_000 - (i + 1));
                assertThat((Long) redis.command("ZCARD", key)).as("after admission %d", i + 1).isEqualTo(expected[i]);
            }
        }
    }

    @Test
    void sameMicrosecondChecksAreCountedSeparately(RedisServer redis) {
        ManualClock frozen = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
        try (Redkit redkit = redkit(redis)) {
            RateLimiter limiter = RateLimiter.create(redkit, RateLimiterOptions.builder().clock(frozen).build());
            RatePolicy p = RatePolicy.of("burst", 50, Duration.ofMinutes(1));
            for (int i = 0; i < 50; i++) {
                assertThat(limiter.check(p, "frank").allowed()).isTrue();
            }
            assertThat(limiter.check(p, "frank").allowed()).isFalse();
        }
    }

    @Test
    void anExactLogWrittenBeforeAnUpgradeKeepsCounting(RedisServer redis) {
        // Earlier versions named every unit "<score>:<unit>"; one-unit requests are now named by
        // their score alone. A log of the old form must count, trim and time retries the same.
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        ManualClock clock = new ManualClock(t);
        long us = t.getEpochSecond() * 1_000_000L;
        try (Redkit redkit = redkit(redis)) {
            RedisRateLimiter limiter = (RedisRateLimiter) RateLimiter.create(redkit,
                    RateLimiterOptions.builder().clock(clock).deniedCacheSize(0).build());
            for (RatePolicy p : List.of(RatePolicy.of("upgrade", 3, Duration.ofMinutes(1)),
                    RatePolicy.of("upgrade-long", 30, Duration.ofMinutes(1)))) {
                clock.set(t);
                String key = limiter.stateKey(p, "olga");
                long a = us - 30_000_000L;   // one unit 30 s ago
                long b = us - 20_000_000L;   // then limit - 1 units 20 s ago, one request
                redis.command("ZADD", key, String.valueOf(a), a + ":1");
                for (long u = 1; u < p.limit(); u++) {
                    redis.command("ZADD", key, String.valueOf(b), b + ":" + u);
                }
                redis.command("PEXPIRE", key, "60000");
                Decision denied = limiter.check(p, "olga");
                assertThat(denied.allowed()).as(p.name()).isFalse();
                assertThat(denied.retryAfter()).as(p.name()).isEqualTo(Duration.ofSeconds(30));
                assertThat(denied.resetAfter()).as(p.name()).isEqualTo(Duration.ofSeconds(40));
                assertThat(limiter.inspect(p, "olga").remaining()).isZero();
                clock.advance(Duration.ofSeconds(30));
                Decision d = limiter.check(p, "olga");
                assertThat(d.allowed()).as(p.name()).isTrue();
                assertThat(d.remaining()).isZero();
                assertThat((Long) redis.command("ZCARD", key)).as("the expired unit trimmed").isEqualTo(p.limit());
                assertThat(limiter.check(p, "olga").allowed()).isFalse();
            }
        }
    }

    @Test
    void inspectConsumesNothingAndResetForgets(RedisServer redis) {
        try (Redkit redkit = redkit(redis)) {
            RateLimiter limiter = RateLimiter.create(redkit);
            for (RatePolicy p : ALL) {
                assertThat(limiter.inspect(p, "gina").remaining()).isEqualTo(3);
                assertThat(limiter.inspect(p, "gina").allowed()).isTrue();
                limiter.check(p, "gina");
                limiter.check(p, "gina");
                limiter.check(p, "gina");
                Decision usage = limiter.inspect(p, "gina");
                assertThat(usage.allowed()).isFalse();
                assertThat(usage.remaining()).isZero();
                assertThat(limiter.check(p, "gina").allowed()).isFalse();
                limiter.reset(p, "gina");
                assertThat(limiter.inspect(p, "gina").remaining()).isEqualTo(3);
                assertThat(limiter.check(p, "gina").allowed()).as("denied cache cleared by reset").isTrue();
            }
        }
    }

    @Test
    void acquireThrowsTheDenial(RedisServer redis) {
        try (Redkit redkit = redkit(redis)) {
            RateLimiter limiter = RateLimiter.create(redkit);
            RatePolicy p = RatePolicy.of("one", 1, Duration.ofMinutes(1));
            assertThat(limiter.acquire(p, "hal").allowed()).isTrue();
            assertThatThrownBy(() -> limiter.acquire(p, "hal"))
                    .isInstanceOfSatisfying(RateLimitException.class, e -> {
                        assertThat(e.decision().allowed()).isFalse();
                        assertThat(e.getMessage()).contains("one").contains("retry after");
                    });
        }
    }

    @Test
    void deniedCacheAnswersWithoutRedisUntilRetryAfter(RedisServer redis) {
        ManualTicker ticker = new ManualTicker();
        try (Redkit redkit = redkit(redis)) {
            RateLimiter limiter = RateLimiter.create(redkit, RateLimiterOptions.builder().ticker(ticker).build());
            RatePolicy p = RatePolicy.builder("cached").limit(1).window(Duration.ofSeconds(30))
                    .failureMode(FailureMode.OPEN).build();
            assertThat(limiter.check(p, "ivan").allowed()).isTrue();
            Decision denied = limiter.check(p, "ivan");
            assertThat(denied.source()).isEqualTo(Decision.Source.REDIS);
            redis.stop();   // from here on, only the cache can deny
            Decision cached = limiter.check(p, "ivan");
            assertThat(cached.allowed()).isFalse();
            assertThat(cached.source()).isEqualTo(Decision.Source.DENIED_CACHE);
            assertThat(cached.retryAfter()).isPositive().isLessThanOrEqualTo(denied.retryAfter());
            ticker.advance(denied.retryAfter());
            Decision after = limiter.check(p, "ivan");
            assertThat(after.source()).as("the cached denial has expired; Redis is down, so the policy fails open")
                    .isEqualTo(Decision.Source.FAILURE_MODE);
            assertThat(after.reason()).isEqualTo(Decision.Reason.FAIL_OPEN);
        }
    }

    @Test
    void badArgumentsAreRejectedBeforeAnythingIsWritten(RedisServer redis) {
        try (Redkit redkit = redkit(redis)) {
            RateLimiter limiter = RateLimiter.create(redkit);
            RatePolicy p = RatePolicy.of("small", 3, Duration.ofMinutes(1));
            RatePolicy q = RatePolicy.of("other", 3, Duration.ofMinutes(1));
            assertThatThrownBy(() -> limiter.check(0, LimitedKey.of(p, "x")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cost must be positive: 0");
            assertThatThrownBy(() -> limiter.check(4, LimitedKey.of(p, "x")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cost 4").hasMessageContaining("small");
            assertThatThrownBy(() -> limiter.check(1, LimitedKey.of(p, "{a}:x"), LimitedKey.of(q, "{b}")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("hash tag");
            assertThatThrownBy(() -> limiter.check(1, LimitedKey.of(p, "x"), LimitedKey.of(p, "x")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
            assertThatThrownBy(() -> limiter.check(1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 16");
            assertThatThrownBy(() -> limiter.check(p, ""))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
            assertThatThrownBy(() -> limiter.check(p, "k".repeat(1025)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1024");
            assertThat(dbsize(redis)).isZero();
        }
    }

    @Test
    void aForeignValueUnderALimiterKeyIsACommandErrorNotADecision(RedisServer redis) {
        try (Redkit redkit = redkit(redis)) {
            RedisRateLimiter limiter = (RedisRateLimiter) RateLimiter.create(redkit);
            redis.command("SET", limiter.stateKey(EXACT, "mallory"), "not a zset");
            assertThatThrownBy(() -> limiter.check(EXACT, "mallory")).isInstanceOf(RedisCommandException.class);
        }
    }

    @Test
    void keysLiveInTheConfiguredNamespace(RedisServer redis) {
        // the default standalone layout: session namespace in database 2, queue in database 1
        try (Redkit redkit = Redkit.create(RedkitConfig.fromUrl(redis.url()).toBuilder().connectTimeout(Duration.ofSeconds(10)).build())) {
            RateLimiter.create(redkit).check(EXACT, "oscar");
            RateLimiter.create(redkit, RateLimiterOptions.builder().namespace(Namespace.QUEUE).build()).check(EXACT, "oscar");
        }
        assertThat(existsInDb(redis, 2, "redkit:session:rl:exact:sw:{oscar}")).isTrue();
        assertThat(existsInDb(redis, 1, "redkit:queue:rl:exact:sw:{oscar}")).isTrue();
        assertThat(dbsize(redis)).as("nothing in database 0").isZero();
    }

    private static boolean existsInDb(RedisServer redis, int db, String key) {
        try (Redkit r = Redkit.create(RedkitConfig.fromUrl(redis.url(db)).toBuilder().connectTimeout(Duration.ofSeconds(10)).build())) {
            return r.namespace(Namespace.CACHE).sync().exists(key) == 1L;
        }
    }
}
