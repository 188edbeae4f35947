package io.redkit.queue;

import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;
import io.redkit.testkit.RedisServer;

import java.time.Duration;

/** Shared test setup. */
public final class Fixtures {
    private Fixtures() {}

    /** A Redkit on the test server with short timeouts (the queue namespace is database 1). */
    public static Redkit redkit(RedisServer redis) {
        return Redkit.create(RedkitConfig.builder().redisUrl(redis.url())
                .connectTimeout(Duration.ofSeconds(5)).commandTimeout(Duration.ofSeconds(2)).build());
    }

    /** Worker options for tests: a short shutdown timeout. */
    public static WorkerOptions.Builder worker(int concurrency) {
        return WorkerOptions.builder().concurrency(concurrency).shutdownTimeout(Duration.ofSeconds(5));
    }

    /** The keyspace line of the queue database, e.g. "db1:keys=3,expires=0,avg_ttl=0", or "" when empty. */
    public static String queueKeyspace(RedisServer redis) {
        String info = (String) redis.command("INFO", "keyspace");
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("db1:")) return line;
        }
        return "";
    }
}
