package io.redkit.cache;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.redkit.cache.internal.TypedCache;
import io.redkit.core.RedkitConfig;
import io.redkit.core.Redkit;
import io.redkit.core.time.ManualClock;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@WithRedis
class RedisCacheTest {
    private RedisServer redis;
    private Redkit redkit;
    private RedisCacheManager manager;
    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));

    @BeforeEach
    void setUp(RedisServer redis) {
        this.redis = redis;
        redkit = Connected.redkit(redis.url());
        manager = RedisCacheManager.builder(redkit).clock(clock).refreshExecutor(Runnable::run).build();
    }

    @AfterEach
    void tearDown() {
        manager.close();
        redkit.close();
    }

    private static Product product(long id) {
        return new Product(id, "product " + id, new BigDecimal("9.99"));
    }

    private static String redisKey(RedisCache<?> cache, String key) {
        return ((TypedCache<?>) cache).engine().redisKey(key);
    }

    @Test
    void putGetDeleteRoundTripThroughRedis() {
        RedisCache<Product> cache = manager.cache("products", Product.class, CacheOptions.defaults());
        assertThat(cache.get("1")).isEmpty();
        assertThat(cache.lookup("1").isHit()).isFalse();

        cache.put("1", product(1));
        assertThat(cache.get("1")).contains(product(1));
        assertThat(redis.command("EXISTS", "redkit:cache:v:products:1")).isEqualTo(1L);

        // a second client sees it too
        try (Redkit other = Connected.redkit(redis.url());
             RedisCacheManager m2 = RedisCacheManager.create(other)) {
            assertThat(m2.cache("products", Product.class, CacheOptions.defaults()).get("1")).contains(product(1));
        }

        cache.delete("1");
        assertThat(cache.get("1")).isEmpty();
        assertThat(redis.command("EXISTS", "redkit:cache:v:products:1")).isEqualTo(0L);
    }

    @Test
    void ttlIsAppliedWithJitterSoKeysWrittenTogetherExpireApart() {
        Duration ttl = Duration.ofSeconds(100);
        RedisCache<String> cache = manager.cache("jitter", String.class, CacheOptions.builder().ttl(ttl).jitter(0.2).build());
        Set<Long> seconds = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            cache.put("k" + i, "v");
            long pttl = (Long) redis.command("PTTL", redisKey(cache, "k" + i));
            assertThat(pttl).isBetween(80_000L - 1000, 100_000L);
            seconds.add(pttl / 1000);
        }
        assertThat(seconds).as("expiry spread over the jitter window").hasSizeGreaterThan(10);

        RedisCache<String> exact = manager.cache("nojitter", String.class, CacheOptions.builder().ttl(ttl).jitter(0).build());
        exact.put("k", "v");
        assertThat((Long) redis.command("PTTL", redisKey(exact, "k"))).isBetween(99_000L, 100_000L);
    }

    @Test
    void getOrLoadLoadsOnceThenServesFromRedis() {
        RedisCache<Product> cache = manager.cache("products", Product.class, CacheOptions.defaults());
        AtomicInteger calls = new AtomicInteger();
        for (int i = 0; i < 5; i++) {
            Optional<Product> p = cache.getOrLoad("7", key -> {
                calls.incrementAndGet();
                return product(Long.parseLong(key));
            });
            assertThat(p).contains(product(7));
        }
        assertThat(calls).hasValue(1);
        CacheStats s = cache.stats();
        assertThat(s.loads()).isEqualTo(1);
        assertThat(s.misses()).isEqualTo(1);
        assertThat(s.hits()).isEqualTo(4);
        assertThat(s.hitRatio()).isEqualTo(0.8);
    }

    @Test
    void negativeEntriesAreCachedWithTheirOwnTtlAndDifferFromAMiss() {
        RedisCache<Product> cache = manager.cache("products", Product.class,
                CacheOptions.builder().ttl(Duration.ofMinutes(10)).negativeTtl(Duration.ofSeconds(5)).build());
        AtomicInteger calls = new AtomicInteger();
        for (int i = 0; i < 3; i++) {
            assertThat(cache.getOrLoad("404", key -> {
                calls.incrementAndGet();
                return null;
            })).isEmpty();
        }
        assertThat(calls).as("the 'no such row' answer is cached").hasValue(1);
        RedisCache.Lookup<Product> l = cache.lookup("404");
        assertThat(l.isHit()).isTrue();
        assertThat(l.isAbsent()).isTrue();
        assertThat(cache.lookup("never").isHit()).isFalse();
        long pttl = (Long) redis.command("PTTL", redisKey(cache, "404"));
        assertThat(pttl).isBetween(1L, 5_000L);

        cache.putAbsent("gone", Set.of());
        assertThat(cache.lookup("gone").isAbsent()).isTrue();
    }

    @Test
    void negativeTtlZeroCachesNothingForAMissingValue() {
        RedisCache<Product> cache = manager.cache("products", Product.class,
                CacheOptions.builder().negativeTtl(Duration.ZERO).build());
        AtomicInteger calls = new AtomicInteger();
        cache.getOrLoad("404", key -> { calls.incrementAndGet(); return null; });
        cache.getOrLoad("404", key -> { calls.incrementAndGet(); return null; });
        assertThat(calls).hasValue(2);
        assertThat(redis.command("EXISTS", redisKey(cache, "404"))).isEqualTo(0L);
    }

    @Test
    void invalidatingATagMissesTenThousandValuesWithOneCommand() {
        RedisCache<String> cache = manager.cache("tagged", String.class, CacheOptions.defaults());
        for (int i = 0; i < 10_000; i++) {
            cache.put("k" + i, "v" + i, Set.of("table:products", i % 2 == 0 ? "even" : "odd"));
        }
        cache.put("other", "x", Set.of("table:users"));
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            keys.add("k" + i);
        }
        assertThat(cache.getAll(keys)).hasSize(10_000);

        cache.invalidateTag("warm-up"); // loads the script once
        long forOne = commandsFor(() -> cache.invalidateTag("table:users"));
        long forTenThousand = commandsFor(() -> cache.invalidateTag("table:products"));
        // one EVALSHA (its EXISTS and INCR are counted too), the same for 1 or 10,000 values
        assertThat(forTenThousand).as("Redis commands to invalidate 10,000 values").isEqualTo(forOne).isLessThanOrEqualTo(4);
        assertThat(cache.get("other")).isEmpty();
        cache.put("other", "x", Set.of("table:users"));

        assertThat(cache.getAll(keys)).isEmpty();
        assertThat(cache.get("k1")).isEmpty();
        assertThat(cache.get("other")).contains("x");

        // a value written after the invalidation is valid again
        cache.put("k1", "fresh", Set.of("table:products"));
        assertThat(cache.get("k1")).contains("fresh");
        manager.invalidateTag("table:products");
        assertThat(cache.get("k1")).isEmpty();
    }

    /** Commands the server executed while {@code action} ran (INFO's own and the tracking heartbeat's PINGs excluded). */
    private long commandsFor(Runnable action) {
        long before = Commands.executedExceptPings(redis);
        action.run();
        long after = Commands.executedExceptPings(redis);
        return after - before - 1;
    }

    @Test
    void aRemoteHitIsOneRedisCommandOnceTagVersionsAreTracked() {
        RedisCache<String> cache = manager.cache("onetrip", String.class, CacheOptions.defaults());
        cache.put("k", "v", Set.of("table:products", "table:users"));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            cache.get("k");
            return manager.isTrackingActive();
        });
        cache.get("k"); // versions now held in process
        assertThat(commandsFor(() -> {
            for (int i = 0; i < 10; i++) {
                assertThat(cache.get("k")).contains("v");
            }
        })).as("one GET per hit, no version reads").isEqualTo(10);

        try (RedisCacheManager untracked = RedisCacheManager.builder(redkit).tracking(false).build()) {
            RedisCache<String> plain = untracked.cache("onetrip", String.class, CacheOptions.defaults());
            assertThat(commandsFor(() -> assertThat(plain.get("k")).contains("v")))
                    .as("without tracking a hit also reads the versions").isEqualTo(2);
        }
    }

    @Test
    void aPluggedCodecIsUsedForValues() {
        io.redkit.core.codec.RedkitCodec upperCase = new io.redkit.core.codec.RedkitCodec() {
            @Override
            public byte[] encode(Object value) {
                return ((String) value).toUpperCase(java.util.Locale.ROOT).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            }

            @Override
            @SuppressWarnings("unchecked")
            public <T> T decode(byte[] bytes, java.lang.reflect.Type type) {
                return (T) new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
            }

            @Override
            public int maxEncodedSize() {
                return Integer.MAX_VALUE;
            }
        };
        RedisCache<String> cache = manager.cache("codec", String.class, CacheOptions.builder().codec(upperCase).build());
        cache.put("k", "hello");
        assertThat(cache.get("k")).contains("HELLO");
        assertThat((String) redis.command("GET", redisKey(cache, "k"))).endsWith("HELLO");
    }

    @Test
    void tagsAreSharedAcrossCaches() {
        RedisCache<String> a = manager.cache("a", String.class, CacheOptions.defaults());
        RedisCache<String> b = manager.cache("b", String.class, CacheOptions.defaults());
        a.put("1", "a1", Set.of("t"));
        b.put("1", "b1", Set.of("t"));
        a.invalidateTag("t");
        assertThat(a.get("1")).isEmpty();
        assertThat(b.get("1")).isEmpty();
    }

    @Test
    void aTagInvalidatedWhileLoadingIsNotHiddenByTheLoadedValue() {
        RedisCache<String> cache = manager.cache("race", String.class, CacheOptions.defaults());
        Optional<String> v = cache.getOrLoad("k", Set.of("table:t"), key -> {
            cache.invalidateTag("table:t"); // the data changed while we were reading it
            return "old";
        });
        assertThat(v).contains("old");
        assertThat(cache.get("k")).as("the value loaded before the change must not be served").isEmpty();
    }

    @Test
    void evictedTagVersionNeverGoesBackToAVersionAValueRecorded() {
        RedisCache<String> cache = manager.cache("evict", String.class, CacheOptions.defaults());
        cache.put("k", "v", Set.of("t"));
        redis.command("DEL", "redkit:cache:t:t"); // as if evicted by an LRU policy
        assertThat(cache.get("k")).isEmpty();
    }

    @Test
    void clearEmptiesOneCacheWithoutScanningAndLeavesOthers() {
        RedisCache<String> a = manager.cache("a", String.class, CacheOptions.defaults());
        RedisCache<String> b = manager.cache("b", String.class, CacheOptions.defaults());
        for (int i = 0; i < 100; i++) {
            a.put("k" + i, "v");
        }
        b.put("k0", "v");
        b.clear(); // loads the script once
        b.put("k0", "v");
        long commands = commandsFor(a::clear);
        assertThat(commands).as("Redis commands to clear 100 values").isLessThanOrEqualTo(4);
        assertThat(a.get("k0")).isEmpty();
        assertThat(a.get("k99")).isEmpty();
        assertThat(b.get("k0")).contains("v");
        a.put("k0", "new");
        assertThat(a.get("k0")).contains("new");
    }

    @Test
    void bulkGetReturnsHitsAndLeavesOutMissesAndNegatives() {
        RedisCache<Product> cache = manager.cache("products", Product.class, CacheOptions.defaults());
        cache.put("1", product(1));
        cache.put("2", product(2));
        cache.putAbsent("3", Set.of());
        Map<String, Product> got = cache.getAll(List.of("1", "2", "3", "4"));
        assertThat(got).containsOnlyKeys("1", "2");
        assertThat(got.get("2")).isEqualTo(product(2));
        assertThat(cache.getAll(List.of())).isEmpty();
    }

    @Test
    void valueOverTheSizeLimitIsAClearErrorAndWritesNothing() {
        RedisCache<String> cache = manager.cache("small", String.class, CacheOptions.builder().maxValueSize(100).build());
        String big = "x".repeat(200);
        assertThatThrownBy(() -> cache.put("big", big))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("key 'big'")
                .hasMessageContaining("202 bytes")
                .hasMessageContaining("limit is 100");
        assertThat(redis.command("DBSIZE")).isEqualTo(0L);

        // a loaded value that is too big is returned but not cached
        assertThat(cache.getOrLoad("big", k -> big)).contains(big);
        assertThat(redis.command("EXISTS", redisKey(cache, "big"))).isEqualTo(0L);
        assertThat(cache.stats().oversized()).isEqualTo(1);
    }

    @Test
    void badKeysAndTagsAreClearErrorsAndWriteNothing() {
        RedisCache<String> cache = manager.cache("c", String.class, CacheOptions.defaults());
        assertThatThrownBy(() -> cache.put(null, "v")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("key must not be null");
        assertThatThrownBy(() -> cache.put("", "v")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("key must have 1 to 1024 characters");
        assertThatThrownBy(() -> cache.put("k", null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("value must not be null");
        assertThatThrownBy(() -> cache.getOrLoad(null, k -> "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> cache.put("k", "v", Set.of(""))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tag must have 1 to 256 characters");
        assertThatThrownBy(() -> cache.getAll(java.util.Arrays.asList("a", null))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> manager.cache("bad name", String.class, CacheOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"bad name\"");
        assertThat(redis.command("DBSIZE")).isEqualTo(0L);
    }

    @Test
    void compressionRoundTripsAndSavesMemory() {
        RedisCache<String> zipped = manager.cache("zipped", String.class, CacheOptions.builder().compressionThreshold(256).build());
        RedisCache<String> plain = manager.cache("plain", String.class,
                CacheOptions.builder().compressionThreshold(Integer.MAX_VALUE).build());
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            sb.append("{\"id\":").append(i).append(",\"name\":\"product ").append(i).append("\",\"price\":\"9.99\"},");
        }
        String value = sb.toString();
        zipped.put("k", value);
        plain.put("k", value);
        assertThat(zipped.get("k")).contains(value);
        assertThat(plain.get("k")).contains(value);
        long z = (Long) redis.command("STRLEN", redisKey(zipped, "k"));
        long p = (Long) redis.command("STRLEN", redisKey(plain, "k"));
        assertThat(z * 3).as("compressed %d bytes vs plain %d", z, p).isLessThan(p);

        // a small value is stored as is
        zipped.put("small", "tiny");
        assertThat(zipped.get("small")).contains("tiny");
    }

    @Test
    void staleWhileRevalidateServesTheOldValueAndRefreshesInTheBackground() {
        RedisCache<String> cache = manager.cache("swr", String.class,
                CacheOptions.builder().ttl(Duration.ofMinutes(10)).softTtl(Duration.ofMinutes(1)).build());
        AtomicInteger version = new AtomicInteger(1);
        CacheLoader<String> loader = k -> "v" + version.get();
        assertThat(cache.getOrLoad("k", loader)).contains("v1");
        version.set(2);
        clock.advance(Duration.ofSeconds(30));
        assertThat(cache.getOrLoad("k", loader)).as("fresh").contains("v1");
        clock.advance(Duration.ofSeconds(31));
        // stale: served at once, refreshed by the (direct) refresh executor
        assertThat(cache.getOrLoad("k", loader)).contains("v1");
        assertThat(cache.stats().staleHits()).isEqualTo(1);
        assertThat(cache.getOrLoad("k", loader)).contains("v2");
    }

    @Test
    void staleIfErrorKeepsServingWhenTheRefreshFails() {
        RedisCache<String> cache = manager.cache("sie", String.class,
                CacheOptions.builder().ttl(Duration.ofMinutes(10)).softTtl(Duration.ofMinutes(1)).build());
        assertThat(cache.getOrLoad("k", k -> "good")).contains("good");
        clock.advance(Duration.ofMinutes(2));
        CacheLoader<String> failing = k -> {
            throw new IOException("database down");
        };
        assertThat(cache.getOrLoad("k", failing)).contains("good");
        assertThat(cache.getOrLoad("k", failing)).contains("good");
        assertThat(cache.stats().loadFailures()).isEqualTo(2);
    }

    @Test
    void earlyRefreshReloadsAHotKeyBeforeItExpires() {
        RedisCache<String> cache = manager.cache("xfetch", String.class,
                CacheOptions.builder().ttl(Duration.ofSeconds(60)).jitter(0).earlyRefreshBeta(100).build());
        AtomicInteger loads = new AtomicInteger();
        CacheLoader<String> loader = k -> {
            clockAdvanceDuringLoad();
            return "v" + loads.incrementAndGet();
        };
        assertThat(cache.getOrLoad("k", loader)).contains("v1");
        // far from expiry nothing happens (beta * delta = 100 * 1 ms = 0.1 s << 60 s)
        assertThat(cache.getOrLoad("k", loader)).contains("v1");
        assertThat(loads).hasValue(1);
        // within a few deltas of expiry a hit refreshes early (and still serves the current value)
        clock.advance(Duration.ofSeconds(59).plusMillis(990));
        for (int i = 0; i < 20 && loads.get() == 1; i++) {
            cache.getOrLoad("k", loader);
        }
        assertThat(loads).hasValue(2);
        assertThat(cache.get("k")).contains("v2");
    }

    private void clockAdvanceDuringLoad() {
        // the loader's duration is measured by the ticker (system); nothing to do with the wall clock
    }

    @Test
    void loaderFailuresReachTheCallerAndCacheNothing() {
        RedisCache<String> cache = manager.cache("fail", String.class, CacheOptions.defaults());
        assertThatThrownBy(() -> cache.getOrLoad("k", k -> {
            throw new IOException("db down");
        })).isInstanceOf(CacheException.class).hasMessageContaining("loader failed for key 'k'")
                .hasRootCauseInstanceOf(IOException.class);
        assertThatThrownBy(() -> cache.getOrLoad("k", k -> {
            throw new IllegalStateException("boom");
        })).isInstanceOf(IllegalStateException.class).hasMessage("boom");
        assertThat(cache.lookup("k").isHit()).isFalse();
        assertThat(cache.stats().loadFailures()).isEqualTo(2);
        assertThat(redis.command("EXISTS", "redkit:cache:l:fail:k")).as("lock released").isEqualTo(0L);
    }

    @Test
    void statsArePublishedToMicrometer() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (RedisCacheManager m = RedisCacheManager.builder(redkit).meterRegistry(registry).build()) {
            RedisCache<String> cache = m.cache("metered", String.class, CacheOptions.defaults());
            cache.getOrLoad("a", k -> "1");
            cache.getOrLoad("a", k -> "1");
            cache.get("b");
            assertThat(registry.get("redkit.cache.gets").tag("cache", "metered").tag("result", "hit").functionCounter().count())
                    .isEqualTo(1.0);
            assertThat(registry.get("redkit.cache.gets").tag("result", "miss").functionCounter().count()).isEqualTo(2.0);
            assertThat(registry.get("redkit.cache.loads").tag("cache", "metered").functionTimer().count()).isEqualTo(1.0);
            assertThat(registry.get("redkit.cache.hit.ratio").gauge().value()).isCloseTo(1.0 / 3, org.assertj.core.data.Offset.offset(1e-9));
        }
    }

    @Test
    void aKeyHoldingSomethingElseIsAMiss() {
        RedisCache<String> cache = manager.cache("foreign", String.class, CacheOptions.defaults());
        redis.command("SET", redisKey(cache, "k"), "written by redis-cli");
        assertThat(cache.get("k")).isEmpty();
        assertThat(cache.getOrLoad("k", k -> "loaded")).contains("loaded");
        assertThat(cache.get("k")).contains("loaded");
    }

    @Test
    void sameNameWithOtherOptionsOrTypeIsRejected() {
        manager.cache("x", String.class, CacheOptions.defaults());
        assertThat(manager.cache("x", String.class, CacheOptions.defaults())).isNotNull();
        assertThatThrownBy(() -> manager.cache("x", String.class, CacheOptions.builder().ttl(Duration.ofSeconds(1)).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("other options");
        assertThatThrownBy(() -> manager.cache("x", Product.class, CacheOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already holds java.lang.String");
    }
}
