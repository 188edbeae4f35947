package io.redkit.bench.ratelimit;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;
import io.redkit.ratelimit.Algorithm;
import io.redkit.ratelimit.RateLimiter;
import io.redkit.ratelimit.RateLimiterOptions;
import io.redkit.ratelimit.RatePolicy;
import org.redisson.Redisson;
import org.redisson.api.RRateLimiter;
import org.redisson.api.RateType;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One rate limiter under test, each configured as its documentation recommends, all on the same
 * Redis: Redkit's three algorithms, Bucket4j's Lettuce proxy manager and Redisson's RRateLimiter.
 */
abstract class Contender implements AutoCloseable {
    /**
     * Every implementation's names, as {@code @Param} values. Besides, a Redkit name with
     * {@code -alone} appended (not in the default matrix; pass it with {@code -p impl=...}) turns
     * off {@link RateLimiterOptions#coalesceChecks()}: every check its own round trip.
     */
    static final String[] NAMES = {"redkit-sliding-window", "redkit-sliding-counter", "redkit-gcra", "bucket4j", "redisson"};
    static final String ALONE = "-alone";

    /** Checks one request on {@code key}; true when admitted. */
    abstract boolean tryAcquire(String key);

    @Override
    public abstract void close();

    /**
     * The contender {@code name} allowing {@code limit} per {@code window} per key, on the Redis at
     * {@code url}.
     */
    static Contender create(String name, String url, long limit, Duration window) {
        boolean coalesce = !name.endsWith(ALONE);
        switch (coalesce ? name : name.substring(0, name.length() - ALONE.length())) {
            case "redkit-sliding-window": return new RedkitContender(url, policy(Algorithm.SLIDING_WINDOW, limit, window), coalesce);
            case "redkit-sliding-counter": return new RedkitContender(url, policy(Algorithm.SLIDING_COUNTER, limit, window), coalesce);
            case "redkit-gcra": return new RedkitContender(url, policy(Algorithm.GCRA, limit, window), coalesce);
            case "bucket4j": return new Bucket4jContender(url, limit, window);
            case "redisson": return new RedissonContender(url, limit, window);
            default: throw new IllegalArgumentException("unknown contender " + name + ": allowed are " + String.join(", ", NAMES)
                    + ", and a redkit-* name followed by " + ALONE + " (checks not coalesced)");
        }
    }

    private static RatePolicy policy(Algorithm a, long limit, Duration window) {
        return RatePolicy.builder("bench").limit(a == Algorithm.SLIDING_WINDOW ? Math.min(limit, RatePolicy.MAX_EXACT_LIMIT) : limit)
                .window(window).algorithm(a).build();
    }

    static final class RedkitContender extends Contender {
        private final Redkit redkit;
        private final RateLimiter limiter;
        private final RatePolicy policy;

        RedkitContender(String url, RatePolicy policy, boolean coalesce) {
            this.redkit = Redkit.create(RedkitConfig.fromUrl(url));
            this.limiter = RateLimiter.create(redkit, RateLimiterOptions.builder().coalesceChecks(coalesce).build());
            this.policy = policy;
        }

        @Override
        boolean tryAcquire(String key) {
            return limiter.check(policy, key).allowed();
        }

        @Override
        public void close() {
            redkit.close();
        }
    }

    /** Bucket4j 8 on Lettuce: compare-and-swap proxy manager, the greedy-refill bucket of the same rate. */
    static final class Bucket4jContender extends Contender {
        private final RedisClient client;
        private final StatefulRedisConnection<byte[], byte[]> connection;
        private final ProxyManager<byte[]> proxies;
        private final BucketConfiguration configuration;
        private final ConcurrentHashMap<String, io.github.bucket4j.distributed.BucketProxy> buckets = new ConcurrentHashMap<>();

        Bucket4jContender(String url, long limit, Duration window) {
            this.client = RedisClient.create(url);
            this.connection = client.connect(ByteArrayCodec.INSTANCE);
            this.proxies = Bucket4jLettuce.casBasedBuilder(connection)
                    .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(window))
                    .build();
            this.configuration = BucketConfiguration.builder()
                    .addLimit(l -> l.capacity(limit).refillGreedy(limit, window))
                    .build();
        }

        @Override
        boolean tryAcquire(String key) {
            return buckets.computeIfAbsent(key, k -> proxies.builder().build(("bucket4j:" + k).getBytes(StandardCharsets.UTF_8),
                    () -> configuration)).tryConsume(1);
        }

        @Override
        public void close() {
            connection.close();
            client.shutdown();
        }
    }

    /** Redisson's RRateLimiter (OVERALL rate type), rate set once per key before the run. */
    static final class RedissonContender extends Contender {
        private final RedissonClient redisson;
        private final long limit;
        private final Duration window;
        private final ConcurrentHashMap<String, RRateLimiter> limiters = new ConcurrentHashMap<>();

        RedissonContender(String url, long limit, Duration window) {
            Config config = new Config();
            config.useSingleServer().setAddress(url);
            this.redisson = Redisson.create(config);
            this.limit = limit;
            this.window = window;
        }

        @Override
        boolean tryAcquire(String key) {
            return limiters.computeIfAbsent(key, k -> {
                RRateLimiter r = redisson.getRateLimiter("redisson:" + k);
                r.trySetRate(RateType.OVERALL, limit, window);
                return r;
            }).tryAcquire();
        }

        @Override
        public void close() {
            redisson.shutdown();
        }
    }
}
