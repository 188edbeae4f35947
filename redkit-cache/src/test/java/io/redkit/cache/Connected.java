package io.redkit.cache;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.redkit.core.Namespace;
import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;
import io.redkit.testkit.PostgresServer;

import java.time.Duration;

import static org.awaitility.Awaitility.await;

/**
 * Test fixtures: a Redkit whose cache namespace is already connected, and a database pool.
 * A Redkit whose cache namespace is already connected. On a loaded machine a first connect can
 * exceed the connect timeout; the cache would then rightly treat Redis as down for a second and
 * skip writes, which is not what most tests are about.
 */
final class Connected {
    private Connected() {}

    static Redkit redkit(String url) {
        Redkit redkit = Redkit.create(RedkitConfig.fromUrl(url));
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> redkit.namespace(Namespace.CACHE).connection().isOpen());
        return redkit;
    }

    /** A pool of up to 8 connections to database {@code db} of {@code server}; the caller closes it. */
    static HikariDataSource pool(PostgresServer server, String db) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(server.jdbcUrl(db));
        config.setMaximumPoolSize(8);
        return new HikariDataSource(config);
    }
}
