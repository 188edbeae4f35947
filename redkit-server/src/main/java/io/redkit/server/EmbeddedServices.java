package io.redkit.server;

import io.redkit.core.RedkitConfig;
import io.redkit.testkit.PostgresServer;
import io.redkit.testkit.RedisBinary;
import io.redkit.testkit.RedisServer;

import java.io.PrintStream;

/**
 * The embedded default: when the configuration names no Redis, start a real {@code redis-server}
 * (the one on PATH, else the Redis 6.2 binary from embedded-redis) on a free port; when there is no
 * {@code DATABASE_URL} and a database is wanted, start a real PostgreSQL. Both are stopped and
 * their directories removed on close and on JVM exit (Ctrl-C and SIGTERM included).
 */
final class EmbeddedServices implements AutoCloseable {
    private final RedisServer redis;
    private final PostgresServer postgres;
    private final RedkitConfig config;
    private final String databaseUrl;

    private EmbeddedServices(RedisServer redis, PostgresServer postgres, RedkitConfig config, String databaseUrl) {
        this.redis = redis;
        this.postgres = postgres;
        this.config = config;
        this.databaseUrl = databaseUrl;
    }

    /** Redis only (the doctor). */
    static EmbeddedServices resolve(RedkitConfig config, PrintStream log) {
        return resolve(config, null, false, false, log);
    }

    /**
     * Uses what is configured; starts an embedded Redis when some namespace has none, and an
     * embedded PostgreSQL when {@code wantDatabase} and {@code databaseUrl} is null. With
     * {@code ownShutdown} the caller's shutdown hook must {@link #close()} them (after its own
     * graceful stop, which may still need Redis); otherwise the testkit stops them at exit.
     */
    static EmbeddedServices resolve(RedkitConfig config, String databaseUrl, boolean wantDatabase, boolean ownShutdown,
                                    PrintStream log) {
        RedisServer redis = null;
        PostgresServer postgres = null;
        RedkitConfig effective = config;
        String db = databaseUrl;
        try {
            if (config.needsEmbeddedRedis()) {
                // a development default, but with what production needs for the queue: AOF on
                redis = RedisServer.builder().arg("--appendonly", "yes", "--appendfsync", "everysec").start();
                if (ownShutdown) redis.releaseExitHook();
                log.println("REDIS_URL is not set: started embedded Redis " + redis.version() + " at " + redis.url()
                        + " (binary from " + RedisBinary.source() + ")");
                effective = config.withDefaultRedis(redis.url());
            }
            if (wantDatabase && db == null) {
                postgres = PostgresServer.start();
                if (ownShutdown) postgres.releaseExitHook();
                String name = "redkit";
                postgres.execute("CREATE DATABASE " + name);
                db = postgres.url(name);
                log.println("DATABASE_URL is not set: started embedded PostgreSQL at " + db);
            }
        } catch (RuntimeException e) {
            if (redis != null) redis.close();
            if (postgres != null) postgres.close();
            throw e;
        }
        return new EmbeddedServices(redis, postgres, effective, db);
    }

    RedkitConfig config() {
        return config;
    }

    /** The database URL to use, or null when none was wanted. */
    String databaseUrl() {
        return databaseUrl;
    }

    /** True when the database was started here (and so holds nothing but demo data). */
    boolean embeddedDatabase() {
        return postgres != null;
    }

    @Override
    public void close() {
        if (redis != null) redis.close();
        if (postgres != null) postgres.close();
    }
}
