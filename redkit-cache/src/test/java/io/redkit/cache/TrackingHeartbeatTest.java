package io.redkit.cache;

import io.redkit.core.Redkit;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 13 item 8: a tracking connection that dies silently (a NAT or load balancer dropped it, so
 * no FIN, no RST; or Redis is frozen) must not leave the near cache serving old values. Instance B
 * reaches Redis through a proxy that black-holes only its tracking connection (matched by its client
 * name), keeping the socket open; its reads still go straight through.
 */
@WithRedis
class TrackingHeartbeatTest {
    private static final Duration INTERVAL = Duration.ofMillis(200);
    private static final Duration TIMEOUT = Duration.ofMillis(300);
    private static final CacheOptions NEAR = CacheOptions.builder().nearCache(true).build();
    private static final String TRACKING_CLIENT = "redkit-cache-tracking";

    private static RedisCacheManager heartbeat(Redkit redkit) {
        return RedisCacheManager.builder(redkit).trackingPingInterval(INTERVAL).trackingPingTimeout(TIMEOUT).build();
    }

    /** Reads until the value is served from the near cache. */
    private static void warm(RedisCache<String> cache, String key, String expected) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(cache.get(key)).contains(expected);
            long nearHits = cache.stats().nearHits();
            assertThat(cache.get(key)).contains(expected);
            assertThat(cache.stats().nearHits()).isEqualTo(nearHits + 1);
        });
    }

    @Test
    void aSilentlyDroppedTrackingConnectionStopsTheNearCacheWithinIntervalPlusTimeout(RedisServer redis) throws Exception {
        try (TcpProxy proxy = new TcpProxy(redis.host(), redis.port());
             Redkit ra = Connected.redkit(redis.url());
             Redkit rb = Connected.redkit(proxy.url());
             RedisCacheManager a = RedisCacheManager.create(ra);
             RedisCacheManager b = heartbeat(rb)) {
            RedisCache<String> cacheA = a.cache("hb", String.class, NEAR);
            RedisCache<String> cacheB = b.cache("hb", String.class, NEAR);
            cacheB.get("warm-up");
            await().atMost(Duration.ofSeconds(10)).until(b::isTrackingActive);
            cacheA.put("k", "v1");
            warm(cacheB, "k", "v1");

            proxy.freeze(TRACKING_CLIENT); // B's tracking connection: open, but nothing gets through any more
            cacheA.put("k", "v2");          // B's invalidation message is held by the proxy
            Coherence.within(INTERVAL.plus(TIMEOUT), () -> cacheB.get("k").equals(Optional.of("v2")));
            assertThat(b.isTrackingActive()).as("unconfirmed while the tracking connection is black-holed").isFalse();
            long nearHits = cacheB.stats().nearHits();
            assertThat(cacheB.get("k")).contains("v2");
            assertThat(cacheB.stats().nearHits()).as("no near hits while unconfirmed").isEqualTo(nearHits);

            proxy.thaw(); // tracking is re-established and the near cache serves again
            await().atMost(Duration.ofSeconds(20)).until(b::isTrackingActive);
            warm(cacheB, "k", "v2");
            cacheA.put("k", "v3");
            Coherence.within(Duration.ofSeconds(1), () -> cacheB.get("k").equals(Optional.of("v3")));
        }
    }

    @Test
    void aFrozenRedisStopsTheNearCacheWithinIntervalPlusTimeout() {
        try (RedisServer frozen = RedisServer.builder().start();
             Redkit redkit = Connected.redkit(frozen.url());
             RedisCacheManager manager = heartbeat(redkit)) {
            RedisCache<String> cache = manager.cache("hb", String.class, NEAR);
            cache.put("k", "v1");
            warm(cache, "k", "v1");
            frozen.suspend();
            try {
                Coherence.within(INTERVAL.plus(TIMEOUT), () -> !manager.isTrackingActive());
                long nearHits = cache.stats().nearHits();
                cache.get("k"); // goes to the frozen Redis and times out: a miss
                assertThat(cache.stats().nearHits()).as("no near hits while unconfirmed").isEqualTo(nearHits);
            } finally {
                frozen.resume();
            }
            await().atMost(Duration.ofSeconds(20)).until(manager::isTrackingActive);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> { // a put is skipped while the cache leaves Redis alone
                cache.put("k", "v2");
                assertThat(cache.get("k")).contains("v2");
            });
            warm(cache, "k", "v2");
        }
    }

    @Test
    void pingOptionsAreValidated(RedisServer redis) {
        try (Redkit redkit = Connected.redkit(redis.url())) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> RedisCacheManager.builder(redkit).trackingPingTimeout(Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trackingPingTimeout");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> RedisCacheManager.builder(redkit).trackingPingInterval(Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trackingPingInterval");
        }
    }
}
