package io.redkit.cache;

import io.redkit.core.RedkitConfig;
import io.redkit.core.Redkit;
import io.redkit.core.time.ManualTicker;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@WithRedis
class RedisDownTest {

    @Test
    void readsFallThroughToTheLoaderWhileRedisIsDownAndCachingResumesAfterRestart(RedisServer redis) {
        ManualTicker ticker = new ManualTicker();
        try (Redkit redkit = Connected.redkit(redis.url());
             RedisCacheManager manager = RedisCacheManager.builder(redkit).ticker(ticker).build()) {
            RedisCache<String> cache = manager.cache("down", String.class, CacheOptions.defaults());
            AtomicInteger loads = new AtomicInteger();
            CacheLoader<String> db = k -> "row-" + k + "-" + loads.incrementAndGet();

            assertThat(cache.getOrLoad("a", db)).contains("row-a-1");
            assertThat(cache.getOrLoad("a", db)).contains("row-a-1");

            redis.stop();
            // no exception reaches the caller; every answer comes from the database
            assertThat(cache.getOrLoad("a", db)).contains("row-a-2");
            assertThat(cache.getOrLoad("a", db)).contains("row-a-3");
            assertThat(cache.get("a")).isEmpty();
            cache.put("b", "skipped");
            cache.delete("b");
            cache.invalidateTag("t");
            cache.clear();
            assertThat(cache.getAll(List.of("a", "b"))).isEmpty();
            assertThat(manager.isRedisAvailable()).isFalse();
            assertThat(cache.stats().redisFailures()).isGreaterThanOrEqualTo(5);

            redis.start();
            // caching resumes by itself once the retry interval has passed and the client reconnected
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                ticker.advance(RedisCacheManager.DEFAULT_RETRY_INTERVAL);
                assertThat(manager.pendingInvalidations()).as("the clear made during the outage was sent").isZero();
                cache.getOrLoad("c", db);
                assertThat(cache.lookup("c").isHit()).isTrue();
            });
            int before = loads.get();
            assertThat(cache.getOrLoad("c", db)).isPresent();
            assertThat(loads.get()).isEqualTo(before);
            assertThat(manager.isRedisAvailable()).isTrue();
        }
    }

    @Test
    void aTagInvalidatedDuringTheOutageIsAppliedWhenRedisReturns(RedisServer redis) {
        ManualTicker ticker = new ManualTicker();
        try (Redkit redkit = Connected.redkit(redis.url());
             RedisCacheManager manager = RedisCacheManager.builder(redkit).ticker(ticker).build()) {
            RedisCache<String> cache = manager.cache("pending", String.class, CacheOptions.defaults());
            cache.put("k", "before the outage", Set.of("table:products"));
            cache.put("other", "untouched", Set.of("table:users"));
            redis.stopWithSave(); // the values survive the restart, as with a persistent Redis
            cache.invalidateTag("table:products"); // the database changed while Redis was away
            assertThat(manager.pendingInvalidations()).isEqualTo(1);
            redis.start();
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                ticker.advance(RedisCacheManager.DEFAULT_RETRY_INTERVAL);
                assertThat(manager.pendingInvalidations()).isZero();
            });
            assertThat(cache.get("k")).as("the stale value is not served after the outage").isEmpty();
            assertThat(cache.get("other")).contains("untouched");
        }
    }

    @Test
    void loadsWhileRedisIsDownAreBoundedSoTheDatabaseIsNotStampeded(RedisServer redis) throws Exception {
        try (Redkit redkit = Connected.redkit(redis.url());
             RedisCacheManager manager = RedisCacheManager.builder(redkit).maxConcurrentFallbackLoads(2)
                     .retryInterval(Duration.ofMinutes(5)).build()) {
            RedisCache<String> cache = manager.cache("bound", String.class, CacheOptions.defaults());
            cache.get("warm");
            redis.stop();
            cache.get("x"); // finds Redis down
            AtomicInteger running = new AtomicInteger();
            AtomicInteger max = new AtomicInteger();
            CountDownLatch release = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(10);
            try {
                List<Future<?>> fs = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    String key = "k" + i;
                    fs.add(pool.submit(() -> cache.getOrLoad(key, k -> {
                        max.accumulateAndGet(running.incrementAndGet(), Math::max);
                        try {
                            release.await(10, TimeUnit.SECONDS);
                        } finally {
                            running.decrementAndGet();
                        }
                        return k;
                    })));
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> running.get() == 2);
                assertThat(max.get()).isEqualTo(2);
                release.countDown();
                for (Future<?> f : fs) {
                    f.get(10, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(max.get()).isEqualTo(2);
        }
    }

    @Test
    void aCacheCreatedWhileRedisIsDownWorksAndStartsCachingWhenItComes(RedisServer redis) {
        ManualTicker ticker = new ManualTicker();
        redis.stop();
        try (Redkit redkit = Redkit.create(RedkitConfig.fromUrl(redis.url()));
             RedisCacheManager manager = RedisCacheManager.builder(redkit).ticker(ticker).build()) {
            RedisCache<String> cache = manager.cache("late", String.class, CacheOptions.defaults());
            assertThat(cache.getOrLoad("k", Set.of(), k -> "v")).contains("v");
            assertThat(cache.getAll(List.of("k"))).isEqualTo(Map.of());
            redis.start();
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                ticker.advance(RedisCacheManager.DEFAULT_RETRY_INTERVAL);
                cache.getOrLoad("k", k -> "v");
                assertThat(cache.get("k")).contains("v");
            });
        }
    }
}
