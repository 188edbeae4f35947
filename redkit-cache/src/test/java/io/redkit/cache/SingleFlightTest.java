package io.redkit.cache;

import io.redkit.core.RedkitConfig;
import io.redkit.core.Redkit;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@WithRedis
class SingleFlightTest {

    @Test
    void twoHundredThreadsMissingOneKeyRunTheLoaderOnce(RedisServer redis) throws Exception {
        try (Redkit redkit = Connected.redkit(redis.url());
             RedisCacheManager manager = RedisCacheManager.create(redkit)) {
            RedisCache<String> cache = manager.cache("sf", String.class, CacheOptions.defaults());
            AtomicInteger calls = new AtomicInteger();
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger started = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(200);
            try {
                List<Future<Optional<String>>> results = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    results.add(pool.submit(() -> {
                        started.incrementAndGet();
                        return cache.getOrLoad("hot", k -> {
                            calls.incrementAndGet();
                            release.await(10, TimeUnit.SECONDS);
                            return "value";
                        });
                    }));
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> started.get() == 200 && calls.get() >= 1);
                release.countDown();
                for (Future<Optional<String>> f : results) {
                    assertThat(f.get(10, TimeUnit.SECONDS)).contains("value");
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(calls).hasValue(1);
            assertThat(cache.stats().loads()).isEqualTo(1);
        }
    }

    @Test
    void twoIndependentClientsMissingOneKeyRunTheLoaderOnce(RedisServer redis) throws Exception {
        try (Redkit r1 = Connected.redkit(redis.url());
             Redkit r2 = Connected.redkit(redis.url());
             RedisCacheManager m1 = RedisCacheManager.create(r1);
             RedisCacheManager m2 = RedisCacheManager.create(r2)) {
            CacheOptions options = CacheOptions.builder().lockWait(Duration.ofSeconds(10)).build();
            RedisCache<String> c1 = m1.cache("sf", String.class, options);
            RedisCache<String> c2 = m2.cache("sf", String.class, options);
            AtomicInteger calls = new AtomicInteger();
            CountDownLatch release = new CountDownLatch(1);
            CacheLoader<String> loader = k -> {
                calls.incrementAndGet();
                release.await(10, TimeUnit.SECONDS);
                return "shared";
            };
            ExecutorService pool = Executors.newFixedThreadPool(40);
            try {
                List<Future<Optional<String>>> results = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    RedisCache<String> c = i % 2 == 0 ? c1 : c2;
                    results.add(pool.submit(() -> c.getOrLoad("hot", loader)));
                }
                // one process holds the Redis lock and loads; the other polls for its value
                await().atMost(Duration.ofSeconds(10)).until(() -> calls.get() >= 1
                        && Long.valueOf(1L).equals(redis.command("EXISTS", "redkit:cache:l:sf:hot")));
                release.countDown();
                for (Future<Optional<String>> f : results) {
                    assertThat(f.get(10, TimeUnit.SECONDS)).contains("shared");
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(calls).as("loader runs once across both clients").hasValue(1);
            assertThat(c1.stats().loads() + c2.stats().loads()).isEqualTo(1);
            assertThat(redis.command("EXISTS", "redkit:cache:l:sf:hot")).as("lock released").isEqualTo(0L);
        }
    }

    @Test
    void aWaiterLoadsItselfWhenTheLockHolderTakesLongerThanTheLockWait(RedisServer redis) {
        try (Redkit redkit = Connected.redkit(redis.url());
             RedisCacheManager manager = RedisCacheManager.create(redkit)) {
            RedisCache<String> cache = manager.cache("sf", String.class,
                    CacheOptions.builder().lockWait(Duration.ofMillis(100)).build());
            // another process holds the lock and never writes the value
            redis.command("SET", "redkit:cache:l:sf:k", "someone-else", "PX", "60000");
            assertThat(cache.getOrLoad("k", k -> "mine")).contains("mine");
            assertThat(cache.get("k")).contains("mine");
            assertThat(redis.command("GET", "redkit:cache:l:sf:k")).as("not our lock to release").isEqualTo("someone-else");
        }
    }
}
