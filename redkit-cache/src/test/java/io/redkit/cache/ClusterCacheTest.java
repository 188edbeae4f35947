package io.redkit.cache;

import io.redkit.cache.internal.TypedCache;
import io.redkit.core.Namespace;
import io.redkit.core.RedkitConfig;
import io.redkit.core.Redkit;
import io.redkit.testkit.RedisCluster;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedisCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The same guarantees on a three-master Redis Cluster, where values, tags and generations live in different slots. */
@WithRedisCluster
class ClusterCacheTest {
    private RedisCluster cluster;
    private Redkit redkitA;
    private Redkit redkitB;
    private RedisCacheManager a;
    private RedisCacheManager b;

    @BeforeEach
    void setUp(RedisCluster cluster) {
        this.cluster = cluster;
        redkitA = Redkit.create(RedkitConfig.fromEnv(Map.of("REDIS_CLUSTER_NODES", cluster.nodesSpec(), "REDIS_COMMAND_TIMEOUT", "5s")));
        redkitB = Redkit.create(RedkitConfig.fromEnv(Map.of("REDIS_CLUSTER_NODES", cluster.nodesSpec(), "REDIS_COMMAND_TIMEOUT", "5s")));
        a = RedisCacheManager.create(redkitA);
        b = RedisCacheManager.create(redkitB);
        // connect before measuring anything: a first cluster connect on a busy machine can take seconds
        for (Redkit r : List.of(redkitA, redkitB)) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> r.namespace(Namespace.CACHE).connection().isOpen());
        }
    }

    @AfterEach
    void tearDown() {
        a.close();
        b.close();
        redkitA.close();
        redkitB.close();
    }

    private static String redisKey(RedisCache<?> cache, String key) {
        return ((TypedCache<?>) cache).engine().redisKey(key);
    }

    @Test
    void valuesSpreadOverEveryMasterAndBulkGetSplitsPerSlot() {
        RedisCache<String> cache = a.cache("spread", String.class, CacheOptions.defaults());
        List<String> keys = new ArrayList<>();
        Set<Integer> masters = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            cache.put("k" + i, "v" + i, Set.of("tag-" + (i % 7)));
            keys.add("k" + i);
            masters.add(cluster.nodes().indexOf(cluster.nodeFor(redisKey(cache, "k" + i))));
        }
        assertThat(masters).hasSize(RedisCluster.MASTERS);
        keys.add("missing");
        Map<String, String> got = cache.getAll(keys);
        assertThat(got).hasSize(300).containsEntry("k299", "v299");
        assertThat(b.cache("spread", String.class, CacheOptions.defaults()).get("k5")).contains("v5");
    }

    @Test
    void tagInvalidationAndClearWorkAcrossSlots() {
        RedisCache<String> cacheA = a.cache("tags", String.class, CacheOptions.defaults());
        RedisCache<String> cacheB = b.cache("tags", String.class, CacheOptions.defaults());
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            cacheA.put("k" + i, "v", Set.of("table:products", "shard-" + (i % 5)));
            keys.add("k" + i);
        }
        cacheA.put("untagged", "u");
        assertThat(cacheB.getAll(keys)).hasSize(500);
        b.invalidateTag("table:products");
        assertThat(cacheA.getAll(keys)).isEmpty();
        assertThat(cacheB.getAll(keys)).isEmpty();
        assertThat(cacheA.get("untagged")).contains("u");
        cacheB.clear();
        Coherence.within(Duration.ofMillis(100), () -> cacheA.get("untagged").isEmpty());
    }

    @Test
    void nearCachesStayCoherentThroughPerNodeTracking() {
        CacheOptions near = CacheOptions.builder().nearCache(true).build();
        RedisCache<String> cacheA = a.cache("near", String.class, near);
        RedisCache<String> cacheB = b.cache("near", String.class, near);
        cacheB.get("x");
        cacheA.get("x");
        await().atMost(Duration.ofSeconds(10)).until(() -> a.isTrackingActive() && b.isTrackingActive());
        for (int i = 0; i < 30; i++) { // keys on every master
            String key = "k" + i;
            cacheA.put(key, "old");
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(cacheB.get(key)).contains("old");
                long n = cacheB.stats().nearHits();
                assertThat(cacheB.get(key)).contains("old");
                assertThat(cacheB.stats().nearHits()).isEqualTo(n + 1);
            });
            cacheA.put(key, "new");
            Coherence.within(Duration.ofMillis(100), () -> cacheB.get(key).equals(java.util.Optional.of("new")));
        }
        RedisServer owner = cluster.nodeFor(redisKey(cacheB, "k0"));
        owner.command("DEL", redisKey(cacheB, "k0"));
        Coherence.within(Duration.ofMillis(100), () -> cacheB.get("k0").isEmpty());
        a.invalidateTag("anything"); // version keys on other nodes are tracked too
        cacheA.put("t", "v", Set.of("table:t"));
        await().atMost(Duration.ofSeconds(5)).until(() -> cacheB.get("t").isPresent() && cacheB.get("t").isPresent()
                && cacheB.stats().nearHits() > 0);
        a.invalidateTag("table:t");
        Coherence.within(Duration.ofMillis(100), () -> cacheB.get("t").isEmpty());
    }

    @Test
    void singleFlightAcrossTwoClientsOnCluster() throws Exception {
        CacheOptions options = CacheOptions.builder().lockWait(Duration.ofSeconds(30)).build();
        RedisCache<String> c1 = a.cache("sf", String.class, options);
        RedisCache<String> c2 = b.cache("sf", String.class, options);
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        CacheLoader<String> loader = k -> {
            calls.incrementAndGet();
            release.await(10, TimeUnit.SECONDS);
            return "shared";
        };
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Future<Optional<String>>> fs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                RedisCache<String> c = i % 2 == 0 ? c1 : c2;
                fs.add(pool.submit(() -> c.getOrLoad("hot", loader)));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() >= 1);
            release.countDown();
            for (Future<Optional<String>> f : fs) {
                assertThat(f.get(10, TimeUnit.SECONDS)).contains("shared");
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(calls).hasValue(1);
        assertThat(c1.stats().redisFailures() + c2.stats().redisFailures()).isZero();
    }
}
