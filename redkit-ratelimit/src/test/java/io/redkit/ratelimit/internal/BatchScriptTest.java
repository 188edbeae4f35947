package io.redkit.ratelimit.internal;

import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.redkit.core.RedisNamespace;
import io.redkit.core.RedisScript;
import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;
import io.redkit.ratelimit.Algorithm;
import io.redkit.ratelimit.RateLimiterOptions;
import io.redkit.ratelimit.RatePolicy;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code check.lua}'s batch mode against the same checks sent one call each: the same replies, and
 * the same state left in Redis (value, expiry, exact-window log), over bucket starts, refills,
 * denials and weighted checks.
 */
@WithRedis
class BatchScriptTest {
    private static final RedisScript CHECK = RedisScript.load(RedisRateLimiter.class, "check.lua");

    private static Redkit redkit(RedisServer redis) {
        return Redkit.create(RedkitConfig.fromUrl(redis.url(0)).toBuilder()
                .commandTimeout(Duration.ofSeconds(10)).connectTimeout(Duration.ofSeconds(10)).build());
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void aBatchRepliesAndWritesExactlyAsItsChecksOneCallEach(Algorithm algorithm, RedisServer redis) {
        try (Redkit redkit = redkit(redis)) {
            RedisNamespace ns = redkit.namespace(RateLimiterOptions.DEFAULT_NAMESPACE);
            RedisClusterCommands<String, byte[]> sync = ns.sync();
            long windowUs = Duration.ofSeconds(10).toNanos() / 1000;
            RatePolicy policy = RatePolicy.builder("batch").limit(12).window(Duration.ofSeconds(10)).algorithm(algorithm).build();
            // a batch mixes keys (on Cluster they would share a slot; standalone, any keys)
            String[] batched = {"{b}:x", "{b}:y", "{b}:z"};
            String[] single = {"{s}:x", "{s}:y", "{s}:z"};
            Random random = new Random(42 + algorithm.ordinal());
            long now = 1_900_000_000_000_000L;
            for (int round = 0; round < 60; round++) {
                // sometimes within a bucket, sometimes into the next, sometimes past every state
                now += random.nextInt(5) == 0 ? windowUs * (1 + random.nextInt(2)) : random.nextInt((int) (windowUs / 4));
                int m = 1 + random.nextInt(Coalescer.MAX_BATCH);
                long[] costs = new long[m];
                int[] which = new int[m];
                for (int j = 0; j < m; j++) {
                    costs[j] = random.nextInt(4) == 0 ? 1 + random.nextInt(3) : 1;
                    which[j] = random.nextInt(4) == 0 ? random.nextInt(3) : 0; // mostly one hot key
                }
                List<Long> expected = new ArrayList<>();
                for (int j = 0; j < m; j++) {
                    List<Long> r = ns.evalSync(CHECK, ScriptOutputType.MULTI, new String[]{single[which[j]]},
                            now, costs[j], 0, policy.algorithm().scriptCode(), policy.limit(), policy.windowMicros(), policy.burst());
                    expected.addAll(r);
                }
                String[] keys = new String[m];
                Object[] args = new Object[3 + 5 * m];
                args[0] = now;
                args[1] = m;
                args[2] = 2;
                for (int j = 0; j < m; j++) {
                    int b = 3 + 5 * j;
                    keys[j] = batched[which[j]];
                    args[b] = costs[j];
                    args[b + 1] = policy.algorithm().scriptCode();
                    args[b + 2] = policy.limit();
                    args[b + 3] = policy.windowMicros();
                    args[b + 4] = policy.burst();
                }
                List<Long> actual = ns.evalSync(CHECK, ScriptOutputType.MULTI, keys, args);
                assertThat(actual).as("round %d, costs %s, keys %s", round, Arrays.toString(costs), Arrays.toString(which))
                        .isEqualTo(expected);

                for (int k = 0; k < 3; k++) {
                    assertThat(sync.type(batched[k])).isEqualTo(sync.type(single[k]));
                    if (algorithm == Algorithm.SLIDING_WINDOW) {
                        assertThat(members(sync.zrangeWithScores(batched[k], 0, -1)))
                                .as("round %d: the log", round).isEqualTo(members(sync.zrangeWithScores(single[k], 0, -1)));
                    } else {
                        assertThat(sync.get(batched[k])).as("round %d: the state", round).isEqualTo(sync.get(single[k]));
                    }
                    // expiries are set from the script's now, a few ms apart in wall time at most
                    assertThat(sync.pttl(batched[k])).as("round %d: the expiry", round).isCloseTo(sync.pttl(single[k]),
                            org.assertj.core.data.Offset.offset(250L));
                }
            }
        }
    }

    @org.junit.jupiter.api.Test
    void checksFromManyThreadsOnManyKeysLeaveNoLaneBehind(RedisServer redis) throws Exception {
        RatePolicy policy = RatePolicy.of("lanes", 1_000, Duration.ofMinutes(1));
        try (Redkit redkit = redkit(redis)) {
            RedisRateLimiter limiter = new RedisRateLimiter(redkit.namespace(RateLimiterOptions.DEFAULT_NAMESPACE),
                    RateLimiterOptions.defaults());
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
            try {
                List<java.util.concurrent.Future<Long>> done = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int seed = t;
                    done.add(pool.submit(() -> {
                        Random r = new Random(seed);
                        long admitted = 0;
                        for (int i = 0; i < 300; i++) {
                            admitted += limiter.check(policy, "{k" + r.nextInt(5) + "}").allowed() ? 1 : 0;
                        }
                        return admitted;
                    }));
                }
                long admitted = 0;
                for (java.util.concurrent.Future<Long> f : done) {
                    admitted += f.get();
                }
                assertThat(admitted).isEqualTo(8 * 300);
            } finally {
                pool.shutdownNow();
            }
            assertThat(limiter.coalescingKeys()).as("an idle key's lane is removed").isZero();
            long logged = 0;
            for (int k = 0; k < 5; k++) {
                logged += countOf(redis, limiter.stateKey(policy, "{k" + k + "}"));
            }
            assertThat(logged).as("every admitted check logged exactly once").isEqualTo(8 * 300);
        }
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void aCheckThatFailsInABatchFailsAloneAndTheOthersStand(Algorithm algorithm, RedisServer redis) {
        try (Redkit redkit = redkit(redis)) {
            RedisNamespace ns = redkit.namespace(RateLimiterOptions.DEFAULT_NAMESPACE);
            RatePolicy policy = RatePolicy.builder("fails").limit(5).window(Duration.ofSeconds(10)).algorithm(algorithm).build();
            ns.sync().rpush("{f}:list", "not a rate-limit state".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            String[] keys = {"{f}:a", "{f}:list", "{f}:a"};
            Object[] args = new Object[3 + 5 * keys.length];
            args[0] = 1_900_000_000_000_000L;
            args[1] = keys.length;
            args[2] = 2;
            for (int j = 0; j < keys.length; j++) {
                int b = 3 + 5 * j;
                args[b] = 1L;
                args[b + 1] = policy.algorithm().scriptCode();
                args[b + 2] = policy.limit();
                args[b + 3] = policy.windowMicros();
                args[b + 4] = policy.burst();
            }
            List<Object> reply = ns.evalSync(CHECK, ScriptOutputType.MULTI, keys, args);
            assertThat(reply).hasSize(18);
            assertThat(reply.subList(0, 3)).containsExactly(1L, 1_900_000_000_000_000L, 1L);
            assertThat(reply.get(3)).as("remaining after the first").isEqualTo(4L);
            assertThat(reply.get(6)).isEqualTo(-1L);
            assertThat(new String((byte[]) reply.get(7), java.nio.charset.StandardCharsets.UTF_8)).contains("WRONGTYPE");
            assertThat(reply.subList(12, 16)).containsExactly(1L, 1_900_000_000_000_000L, 1L, 3L);
            assertThat(ns.sync().lrange("{f}:list", 0, -1)).hasSize(1);
        }
    }

    private static long countOf(RedisServer redis, String key) {
        return (Long) redis.command("ZCARD", key);
    }

    private static List<String> members(List<ScoredValue<byte[]>> values) {
        List<String> out = new ArrayList<>();
        for (ScoredValue<byte[]> v : values) {
            out.add(new String(v.getValue(), java.nio.charset.StandardCharsets.UTF_8) + "@" + (long) v.getScore());
        }
        return out;
    }
}
