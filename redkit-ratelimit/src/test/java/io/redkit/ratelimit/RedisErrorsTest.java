package io.redkit.ratelimit;

import io.redkit.core.RedisCommandException;
import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;
import io.redkit.core.time.ManualTicker;
import io.redkit.ratelimit.internal.RedisRateLimiter;
import io.redkit.testkit.Resp;
import io.redkit.testkit.RedisServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Error replies of a Redis that cannot serve a check — out of memory under {@code noeviction}, a
 * read-only replica, writes refused after a failed save, busy with a script — are decided by each
 * policy's failure mode exactly as an unreachable Redis is; an error of the call itself (a key
 * holding another type) still surfaces. Each test runs a Redis of its own, since it changes its
 * configuration. Run on the embedded 6.2 (which wraps an error raised inside a script in
 * {@code ERR Error running script ... -OOM ...}) and on 7.0 (which keeps the error's code).
 */
class RedisErrorsTest {
    private static final Duration WINDOW = Duration.ofMinutes(1);
    private static final AtomicInteger KEYS = new AtomicInteger();

    private static RatePolicy policy(Algorithm algorithm, FailureMode mode) {
        return RatePolicy.builder(mode.id() + "-" + algorithm.name().toLowerCase().replace('_', '-'))
                .limit(2).window(WINDOW).algorithm(algorithm).failureMode(mode).build();
    }

    private static Redkit redkit(RedisServer redis) {
        return Redkit.create(RedkitConfig.fromEnv(Map.of("REDIS_URL", redis.url(0),
                "REDIS_COMMAND_TIMEOUT", "2s", "REDIS_CONNECT_TIMEOUT", "10s")));
    }

    /** Every check tries Redis (no backoff, no denied cache), coalesced or each its own call. */
    private static RedisRateLimiter limiter(Redkit redkit, boolean coalesce) {
        return (RedisRateLimiter) RateLimiter.create(redkit, RateLimiterOptions.builder().ticker(new ManualTicker())
                .unavailableBackoff(Duration.ZERO).deniedCacheSize(0).coalesceChecks(coalesce).build());
    }

    private static String fresh() {
        return "{k" + KEYS.incrementAndGet() + "}";
    }

    /**
     * Checks of fresh keys (so each one would write) under every algorithm and failure mode, alone,
     * several limits at once, and from many threads at once (so coalesced checks share calls).
     */
    private static void everyModeDecides(RateLimiter limiter, String state) throws Exception {
        for (Algorithm algorithm : Algorithm.values()) {
            String as = state + ", " + algorithm;
            Decision open = limiter.check(policy(algorithm, FailureMode.OPEN), fresh());
            assertThat(open.allowed()).as(as).isTrue();
            assertThat(open.reason()).as(as).isEqualTo(Decision.Reason.FAIL_OPEN);
            assertThat(open.source()).as(as).isEqualTo(Decision.Source.FAILURE_MODE);

            Decision closed = limiter.check(policy(algorithm, FailureMode.CLOSED), fresh());
            assertThat(closed.allowed()).as(as).isFalse();
            assertThat(closed.reason()).as(as).isEqualTo(Decision.Reason.FAIL_CLOSED);
            assertThat(closed.retryAfter()).as(as).isEqualTo(RateLimiterOptions.DEFAULT_FAIL_CLOSED_RETRY_AFTER);

            RatePolicy local = policy(algorithm, FailureMode.LOCAL);
            String key = fresh();
            for (int i = 0; i < 2; i++) {
                Decision d = limiter.check(local, key);
                assertThat(d.allowed()).as(as).isTrue();
                assertThat(d.source()).as(as).isEqualTo(Decision.Source.LOCAL_FALLBACK);
            }
            Decision third = limiter.check(local, key);
            assertThat(third.allowed()).as(as + ": the local limiter enforces the limit").isFalse();
            assertThat(third.reason()).isEqualTo(Decision.Reason.OVER_LIMIT);
            assertThat(third.source()).isEqualTo(Decision.Source.LOCAL_FALLBACK);

            String tag = fresh();
            Decision multi = limiter.check(1, LimitedKey.of(local, tag + ":a"), LimitedKey.of(policy(algorithm, FailureMode.CLOSED), tag));
            assertThat(multi.reason()).as(as + ", multi-limit").isEqualTo(Decision.Reason.FAIL_CLOSED);
        }
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<Decision>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    go.await();
                    List<Decision> mine = new ArrayList<>();
                    for (int i = 0; i < 30; i++) {
                        Algorithm algorithm = Algorithm.values()[i % Algorithm.values().length];
                        mine.add(limiter.check(policy(algorithm, FailureMode.OPEN), fresh()));
                    }
                    return mine;
                }));
            }
            go.countDown();
            for (Future<List<Decision>> f : results) {
                for (Decision d : f.get(60, TimeUnit.SECONDS)) {
                    assertThat(d.reason()).as(state + ", concurrent").isEqualTo(Decision.Reason.FAIL_OPEN);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void redisDecides(RateLimiter limiter, String state) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (Algorithm algorithm : Algorithm.values()) {
                Decision d = limiter.check(policy(algorithm, FailureMode.CLOSED), fresh());
                assertThat(d.source()).as(state + ", " + algorithm).isEqualTo(Decision.Source.REDIS);
                assertThat(d.allowed()).isTrue();
            }
        });
    }

    private static void assertRefused(RedisServer redis, String code) {
        assertThatThrownBy(() -> redis.command("SET", "probe", "x")).as("Redis refuses writes")
                .isInstanceOf(Resp.RespError.class).hasMessageStartingWith(code);
    }

    @Test
    void outOfMemoryUnderNoevictionIsDecidedByTheFailureMode() throws Exception {
        try (RedisServer redis = RedisServer.builder().start(); Redkit redkit = redkit(redis)) {
            RedisRateLimiter coalesced = limiter(redkit, true);
            RedisRateLimiter alone = limiter(redkit, false);
            for (int i = 0; i < 50; i++) {   // a little data first
                assertThat(coalesced.check(policy(Algorithm.SLIDING_WINDOW, FailureMode.CLOSED), fresh()).source())
                        .isEqualTo(Decision.Source.REDIS);
            }
            redis.configSet("maxmemory-policy", "noeviction");
            redis.configSet("maxmemory", "1");
            try {
                assertRefused(redis, "OOM");
                everyModeDecides(coalesced, "OOM, coalesced");
                everyModeDecides(alone, "OOM, one call per check");
            } finally {
                redis.configSet("maxmemory", "0");
            }
            redisDecides(coalesced, "memory again");
            redisDecides(alone, "memory again");
        }
    }

    @Test
    void aReadOnlyReplicaIsDecidedByTheFailureMode() throws Exception {
        try (RedisServer primary = RedisServer.builder().start(); RedisServer replica = RedisServer.builder().start();
             Redkit redkit = redkit(replica)) {
            RedisRateLimiter coalesced = limiter(redkit, true);
            RedisRateLimiter alone = limiter(redkit, false);
            redisDecides(coalesced, "a primary");
            // what a failover does to an instance that was primary: it becomes a replica of the new one
            replica.command("REPLICAOF", primary.host(), String.valueOf(primary.port()));
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> "up".equals(replica.info("master_link_status")));
                assertRefused(replica, "READONLY");
                everyModeDecides(coalesced, "READONLY, coalesced");
                everyModeDecides(alone, "READONLY, one call per check");
            } finally {
                replica.command("REPLICAOF", "NO", "ONE");
            }
            redisDecides(coalesced, "a primary again");
        }
    }

    @Test
    void writesRefusedAfterAFailedSaveAreDecidedByTheFailureMode(@TempDir Path tmp) throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        try (RedisServer redis = RedisServer.builder().arg("--dir", data.toString()).start();
             Redkit redkit = redkit(redis)) {
            redis.configSet("save", "3600 1");   // (6.2 reads a "3600 1" argument of --save as no save point)
            RedisRateLimiter coalesced = limiter(redkit, true);
            RedisRateLimiter alone = limiter(redkit, false);
            redisDecides(coalesced, "saving");
            try (Stream<Path> files = Files.walk(data)) {   // the disk goes away: the next save fails
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
            redis.command("BGSAVE");
            await().atMost(Duration.ofSeconds(30)).until(() -> "err".equals(redis.info("rdb_last_bgsave_status"))
                    && "0".equals(redis.info("rdb_bgsave_in_progress")));
            try {
                assertRefused(redis, "MISCONF");
                everyModeDecides(coalesced, "MISCONF, coalesced");
                everyModeDecides(alone, "MISCONF, one call per check");
            } finally {
                redis.configSet("stop-writes-on-bgsave-error", "no");
            }
            redisDecides(coalesced, "writing again");
        }
    }

    @Test
    void aRedisBusyWithAScriptIsDecidedByTheFailureMode() throws Exception {
        try (RedisServer redis = RedisServer.builder().start(); Redkit redkit = redkit(redis)) {
            RedisRateLimiter coalesced = limiter(redkit, true);
            RedisRateLimiter alone = limiter(redkit, false);
            redisDecides(coalesced, "idle");
            redis.configSet("lua-time-limit", "100");
            Thread busy = new Thread(() -> {
                try {
                    Resp.call(redis.host(), redis.port(), null, "EVAL", "local i = 0 while true do i = i + 1 end", "0");
                } catch (IOException | Resp.RespError e) {
                    // killed below
                }
            });
            busy.start();
            try {
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThatThrownBy(() -> redis.command("PING"))
                        .isInstanceOf(Resp.RespError.class).hasMessageStartingWith("BUSY"));
                everyModeDecides(coalesced, "BUSY, coalesced");
                everyModeDecides(alone, "BUSY, one call per check");
            } finally {
                redis.command("SCRIPT", "KILL");
                busy.join(30_000);
            }
            redisDecides(coalesced, "idle again");
        }
    }

    @Test
    void aServerWideErrorBacksOffWhileAnErrorOfTheCallSurfacesAndDoesNot() throws Exception {
        ManualTicker ticker = new ManualTicker();
        try (RedisServer redis = RedisServer.builder().start(); Redkit redkit = redkit(redis)) {
            RatePolicy open = policy(Algorithm.SLIDING_WINDOW, FailureMode.OPEN);
            for (boolean coalesce : new boolean[]{true, false}) {
                RedisRateLimiter limiter = (RedisRateLimiter) RateLimiter.create(redkit, RateLimiterOptions.builder()
                        .ticker(ticker).unavailableBackoff(Duration.ofSeconds(5)).deniedCacheSize(0).coalesceChecks(coalesce).build());
                // the call is wrong: its key holds a list. That surfaces, on 6.2 too (ERR Error running script ... -WRONGTYPE ...)
                String wrong = fresh();
                redis.command("RPUSH", limiter.stateKey(open, wrong), "not a rate limit");
                assertThatThrownBy(() -> limiter.check(open, wrong)).isInstanceOf(RedisCommandException.class)
                        .hasMessageContaining("WRONGTYPE");
                assertThat(limiter.check(open, fresh()).source()).as("no backoff after an error of the call")
                        .isEqualTo(Decision.Source.REDIS);

                redis.configSet("maxmemory-policy", "noeviction");
                redis.configSet("maxmemory", "1");
                try {
                    assertThat(limiter.check(open, fresh()).reason()).isEqualTo(Decision.Reason.FAIL_OPEN);
                    long calls = TopDeniedTest.scriptCalls(redis);
                    for (int i = 0; i < 100; i++) {
                        assertThat(limiter.check(open, fresh()).reason()).isEqualTo(Decision.Reason.FAIL_OPEN);
                    }
                    assertThat(TopDeniedTest.scriptCalls(redis)).as("within the backoff, checks do not ask Redis").isEqualTo(calls);
                } finally {
                    redis.configSet("maxmemory", "0");
                }
                ticker.advance(Duration.ofSeconds(5));
                assertThat(limiter.check(open, fresh()).source()).as("after the backoff").isEqualTo(Decision.Source.REDIS);
            }
        }
    }
}
