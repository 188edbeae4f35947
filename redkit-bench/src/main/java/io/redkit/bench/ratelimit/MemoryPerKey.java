package io.redkit.bench.ratelimit;

import io.redkit.testkit.RedisServer;

import java.time.Duration;
import java.util.Locale;

/**
 * Redis memory per limited key for each contender: 1,000 keys of a 100-per-minute limit, each
 * after {@code n} admitted requests, measured as the growth of {@code used_memory} on a fresh
 * embedded Redis 6.2, divided by the number of keys.
 *
 * <pre>{@code
 * java -cp redkit-bench/target/benchmarks.jar io.redkit.bench.ratelimit.MemoryPerKey
 * }</pre>
 */
public final class MemoryPerKey {
    private static final int KEYS = 1_000;
    private static final long LIMIT = 100;
    private static final Duration WINDOW = Duration.ofMinutes(1);

    private MemoryPerKey() {}

    public static void main(String[] args) {
        RateLimitBenchmark.quietLogs();
        int[] requests = {1, 10, 100};
        System.out.printf(Locale.ROOT, "%-24s %s%n", "bytes per key (100/min)", "after 1 / 10 / 100 requests per key");
        for (String impl : Contender.NAMES) {
            StringBuilder line = new StringBuilder();
            for (int n : requests) {
                try (RedisServer redis = RedisServer.builder().start();
                     Contender c = Contender.create(impl, redis.url(), LIMIT, WINDOW)) {
                    c.tryAcquire("warm-up");   // connections, scripts and client-side objects first
                    redis.command("DEL", "warm-up");
                    long before = Long.parseLong(redis.info("used_memory"));
                    for (int k = 0; k < KEYS; k++) {
                        String key = "user-" + k;
                        for (int i = 0; i < n; i++) {
                            c.tryAcquire(key);
                        }
                    }
                    long after = Long.parseLong(redis.info("used_memory"));
                    line.append(String.format(Locale.ROOT, "%8d", (after - before) / KEYS));
                }
            }
            System.out.printf(Locale.ROOT, "%-24s %s%n", impl, line);
        }
    }
}
