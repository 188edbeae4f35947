package io.redkit.cache;

import io.redkit.cache.internal.TypedCache;
import io.redkit.core.RedkitConfig;
import io.redkit.core.Redkit;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two instances (two clients, two managers) sharing one Redis, each with a near cache. */
@WithRedis
class NearCacheTest {
    private static final Duration COHERENCE = Duration.ofMillis(100);
    private static final CacheOptions NEAR = CacheOptions.builder().nearCache(true).build();

    private RedisServer redis;
    private Redkit redkitA;
    private Redkit redkitB;
    private RedisCacheManager a;
    private RedisCacheManager b;

    @BeforeEach
    void setUp(RedisServer redis) {
        this.redis = redis;
        redkitA = Connected.redkit(redis.url());
        redkitB = Connected.redkit(redis.url());
        a = RedisCacheManager.create(redkitA);
        b = RedisCacheManager.create(redkitB);
        a.cache("warm", String.class, NEAR).get("x");
        b.cache("warm", String.class, NEAR).get("x");
        await().atMost(Duration.ofSeconds(10)).until(() -> a.isTrackingActive() && b.isTrackingActive());
    }

    @AfterEach
    void tearDown() {
        a.close();
        b.close();
        redkitA.close();
        redkitB.close();
    }

    private static long nearSize(RedisCache<?> cache) {
        return ((TypedCache<?>) cache).engine().nearSize();
    }

    /** Reads until the value is held in the near cache (tracking may have flushed an earlier fill). */
    private static void warm(RedisCache<String> cache, String key, String expected) {
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(cache.get(key)).contains(expected);
            long nearHits = cache.stats().nearHits();
            assertThat(cache.get(key)).contains(expected);
            assertThat(cache.stats().nearHits()).isEqualTo(nearHits + 1);
        });
    }

    @Test
    void hitsAreServedInProcessWithoutRedis() {
        RedisCache<String> cacheB = b.cache("n", String.class, NEAR);
        cacheB.put("k", "v1");
        warm(cacheB, "k", "v1");
        long before = Commands.executedExceptPings(redis);
        for (int i = 0; i < 100; i++) {
            assertThat(cacheB.get("k")).contains("v1");
        }
        long after = Commands.executedExceptPings(redis);
        assertThat(after - before).as("near hits send nothing to Redis (INFO and heartbeat PINGs excluded)").isEqualTo(1);
        assertThat(nearSize(cacheB)).isEqualTo(1);
    }

    @Test
    void aWriteByInstanceAStopsInstanceBServingTheOldValueWithin100ms() {
        RedisCache<String> cacheA = a.cache("n", String.class, NEAR);
        RedisCache<String> cacheB = b.cache("n", String.class, NEAR);
        for (int round = 0; round < 20; round++) {
            cacheA.put("k", "v" + round);
            warm(cacheB, "k", "v" + round);
            cacheA.put("k", "v" + round + "-new");
            String expected = "v" + round + "-new";
            Coherence.within(COHERENCE, () -> cacheB.get("k").equals(java.util.Optional.of(expected)));
        }
        cacheA.delete("k");
        Coherence.within(COHERENCE, () -> cacheB.get("k").isEmpty());
    }

    @Test
    void aChangeMadeWithRawRedisCommandsReachesTheNearCacheWithin100ms() {
        RedisCache<String> cacheB = b.cache("n", String.class, NEAR);
        cacheB.put("k", "v1");
        warm(cacheB, "k", "v1");
        redis.command("DEL", ((TypedCache<?>) cacheB).engine().redisKey("k"));
        Coherence.within(COHERENCE, () -> cacheB.get("k").isEmpty());

        cacheB.put("k", "v2");
        warm(cacheB, "k", "v2");
        redis.command("FLUSHALL");
        Coherence.within(COHERENCE, () -> cacheB.get("k").isEmpty());
    }

    @Test
    void tagInvalidationAndClearByAnotherInstanceReachTheNearCacheWithin100ms() {
        RedisCache<String> cacheA = a.cache("n", String.class, NEAR);
        RedisCache<String> cacheB = b.cache("n", String.class, NEAR);
        cacheA.put("k", "v", Set.of("table:products"));
        warm(cacheB, "k", "v");
        a.invalidateTag("table:products");
        Coherence.within(COHERENCE, () -> cacheB.get("k").isEmpty());

        cacheA.put("k2", "v2");
        warm(cacheB, "k2", "v2");
        cacheA.clear();
        Coherence.within(COHERENCE, () -> cacheB.get("k2").isEmpty());
        assertThat(cacheB.getAll(List.of("k", "k2"))).isEmpty();
    }

    @Test
    void theNearCacheIsFlushedWhenTheTrackingConnectionDropsAndTrackingComesBack() {
        RedisCache<String> cacheB = b.cache("n", String.class, NEAR);
        cacheB.put("k", "v1");
        warm(cacheB, "k", "v1");
        assertThat(nearSize(cacheB)).isEqualTo(1);

        // kill every tracking connection (A's and B's); writes made while they reconnect must not be missed
        redis.command("CLIENT", "KILL", "TYPE", "pubsub");
        String list = (String) redis.command("CLIENT", "LIST");
        for (String line : list.split("\n")) {
            if (line.contains("name=redkit-cache-tracking")) {
                String id = line.split(" ")[0].substring(3);
                redis.command("CLIENT", "KILL", "ID", id);
            }
        }
        await().atMost(Duration.ofSeconds(2)).until(() -> nearSize(cacheB) == 0);
        redis.command("DEL", ((TypedCache<?>) cacheB).engine().redisKey("k"));
        assertThat(cacheB.get("k")).isEmpty();

        await().atMost(Duration.ofSeconds(10)).until(b::isTrackingActive);
        cacheB.put("k", "v2");
        warm(cacheB, "k", "v2");
    }

    @Test
    void withoutTrackingTheNearCacheIsNeverUsed() {
        try (RedisCacheManager plain = RedisCacheManager.builder(redkitB).tracking(false).build()) {
            RedisCache<String> cache = plain.cache("n", String.class, NEAR);
            cache.put("k", "v");
            assertThat(cache.get("k")).contains("v");
            assertThat(cache.get("k")).contains("v");
            assertThat(cache.stats().nearHits()).isZero();
            assertThat(nearSize(cache)).isZero();
            redis.command("DEL", ((TypedCache<?>) cache).engine().redisKey("k"));
            assertThat(cache.get("k")).isEmpty();
        }
    }
}
