package io.redkit.cache;

import com.zaxxer.hikari.HikariDataSource;
import io.redkit.core.Namespace;
import io.redkit.core.Redkit;
import io.redkit.core.time.ManualTicker;
import io.redkit.testkit.PostgresServer;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 13 item 6: an invalidation that cannot reach Redis (killed, frozen) or is never sent to this
 * instance (LISTEN connection lost) must not let an old row be served once Redis answers again.
 * Redis persists with AOF (fsync always) so the old entries come back after a kill.
 */
@WithPostgres
class InvalidationOutageTest {
    private static final String BY_ID = "SELECT id, name, price FROM products WHERE id = ?";

    private static PostgresServer postgres;
    private static String db;
    private static HikariDataSource pool;

    private RedisServer redis;
    private Redkit redkit;
    private ManualTicker ticker;
    private RedisCacheManager manager;
    private QueryCache queries;

    @BeforeAll
    static void database(PostgresServer server) {
        postgres = server;
        db = server.createDatabase();
        pool = Connected.pool(server, db);
    }

    @AfterAll
    static void closePool() {
        pool.close();
    }

    @BeforeEach
    void setUp() throws SQLException {
        sql("DROP TABLE IF EXISTS products",
                "CREATE TABLE products (id bigint PRIMARY KEY, name text NOT NULL, price numeric(10,2) NOT NULL)",
                "INSERT INTO products VALUES (1, 'old', 1)");
        redis = RedisServer.builder().arg("--appendonly", "yes", "--appendfsync", "always").start();
        redkit = Connected.redkit(redis.url());
        ticker = new ManualTicker();
        manager = RedisCacheManager.builder(redkit).ticker(ticker).build();
        queries = QueryCache.builder(manager, pool).build();
        queries.installTriggers(List.of("products"));
        queries.startListening();
        await().atMost(Duration.ofSeconds(10)).until(queries::isListening);
    }

    @AfterEach
    void tearDown() {
        queries.close();
        manager.close();
        redkit.close();
        redis.close();
    }

    private static void sql(String... statements) throws SQLException {
        try (Connection c = postgres.connect(db); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    private QueryResult<Product> product() {
        return queries.queryWithSource(BY_ID, List.of(1L), Set.of("products"), Product.class,
                rs -> new Product(rs.getLong(1), rs.getString(2), rs.getBigDecimal(3)));
    }

    private void cached() {
        assertThat(product().rows()).extracting(Product::name).containsExactly("old");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            QueryResult<Product> r = product();
            assertThat(r.source()).isEqualTo(QueryResult.Source.CACHE);
            assertThat(r.rows()).extracting(Product::name).containsExactly("old");
        });
    }

    /** Waits until the shared connection talks to Redis again, then lets the cache try it. */
    private void redisIsBack() {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                "PONG".equals(redkit.namespace(Namespace.CACHE).await("ping", redkit.namespace(Namespace.CACHE).async().ping())));
        ticker.advance(RedisCacheManager.DEFAULT_RETRY_INTERVAL.multipliedBy(2));
    }

    private void everyReadSeesTheChange() {
        assertThat(product().rows()).as("the first read after the outage").extracting(Product::name).containsExactly("new");
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            ticker.advance(RedisCacheManager.DEFAULT_RETRY_INTERVAL);
            QueryResult<Product> r = product();
            assertThat(r.rows()).extracting(Product::name).containsExactly("new");
            assertThat(r.source()).as("caching resumes").isEqualTo(QueryResult.Source.CACHE);
        });
        assertThat(manager.pendingInvalidations()).isZero();
    }

    @Test
    void aRowChangedWhileRedisWasKilledIsNotServedFromItsRestoredData() throws SQLException {
        cached();
        redis.kill();
        sql("UPDATE products SET name = 'new' WHERE id = 1");
        await().atMost(Duration.ofSeconds(10)).until(() -> manager.pendingInvalidations() > 0);
        redis.start();
        redisIsBack();
        everyReadSeesTheChange();
    }

    @Test
    void aRowChangedWhileRedisWasFrozenIsNotServedAfterItThaws() throws SQLException {
        cached();
        redis.suspend();
        try {
            // a read times out: the cache now leaves Redis alone for the retry interval
            assertThat(product().source()).isEqualTo(QueryResult.Source.BYPASS);
            sql("UPDATE products SET name = 'new' WHERE id = 1");
            await().atMost(Duration.ofSeconds(10)).until(() -> manager.pendingInvalidations() > 0);
        } finally {
            redis.resume();
        }
        redisIsBack();
        everyReadSeesTheChange();
    }

    @Test
    void aRowChangedWhileTheListenConnectionWasLostIsNotServed() throws SQLException {
        cached();
        sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN " + QueryCache.CHANNEL + "'");
        await().atMost(Duration.ofSeconds(10)).until(() -> !queries.isListening());
        sql("UPDATE products SET name = 'new' WHERE id = 1"); // nobody hears this notification
        assertThat(product().rows()).as("a read while not listening").extracting(Product::name).containsExactly("new");
        await().atMost(Duration.ofSeconds(10)).until(queries::isListening);
        everyReadSeesTheChange();
    }

    @Test
    void whenMoreInvalidationsWaitThanTheBoundTheWholeCacheIsDropped() {
        RedisCache<String> cache = manager.cache("bound", String.class, CacheOptions.defaults());
        cache.put("k", "before the outage", Set.of("last"));
        assertThat(cache.get("k")).contains("before the outage");
        redis.kill();
        cache.get("k"); // finds Redis down
        for (int i = 0; i < 10_000; i++) {
            cache.invalidateTag("t" + i);
        }
        cache.invalidateTag("last"); // beyond the bound
        redis.start();
        redisIsBack();
        assertThat(cache.get("k")).as("the first read after the outage").isEmpty();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            ticker.advance(RedisCacheManager.DEFAULT_RETRY_INTERVAL);
            assertThat(manager.pendingInvalidations()).isZero();
        });
        assertThat(cache.get("k")).isEmpty();
    }
}
