package io.redkit.server;

import io.redkit.core.RedkitConfig;
import io.redkit.testkit.RedisBinary;
import io.redkit.testkit.RedisServer;

import java.io.PrintStream;

/**
 * The embedded default: when the configuration names no Redis, start a real {@code redis-server}
 * (the one on PATH, else the Redis 6.2 binary from embedded-redis) on a free port, stopped when
 * the process exits (also on Ctrl-C and SIGTERM).
 */
final class EmbeddedServices implements AutoCloseable {
    private final RedisServer redis;
    private final RedkitConfig config;

    private EmbeddedServices(RedisServer redis, RedkitConfig config) {
        this.redis = redis;
        this.config = config;
    }

    /** Uses {@code config} as is when it names a Redis for every namespace; else starts one. */
    static EmbeddedServices resolve(RedkitConfig config, PrintStream log) {
        if (!config.needsEmbeddedRedis()) {
            return new EmbeddedServices(null, config);
        }
        // the embedded Redis is a development default: give the queue what production needs too
        RedisServer redis = RedisServer.builder().arg("--appendonly", "yes", "--appendfsync", "everysec").start();
        log.println("REDIS_URL is not set: started embedded Redis " + redis.version() + " at " + redis.url()
                + " (binary from " + RedisBinary.source() + ")");
        return new EmbeddedServices(redis, config.withDefaultRedis(redis.url()));
    }

    RedkitConfig config() {
        return config;
    }

    @Override
    public void close() {
        if (redis != null) {
            redis.close();
        }
    }
}
