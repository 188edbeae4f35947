package io.redkit.cache;

import com.zaxxer.hikari.HikariDataSource;
import io.redkit.core.RedkitConfig;
import io.redkit.core.Redkit;
import io.redkit.core.time.ManualTicker;
import io.redkit.testkit.PostgresServer;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithPostgres;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@WithPostgres
@WithRedis
class QueryCacheTest {
    private static final String PAGE = "SELECT id, name, price FROM products WHERE price < ? ORDER BY price, id LIMIT ?";
    private static final RowMapper<Product> PRODUCT = QueryCacheTest::product;

    private static PostgresServer postgres;
    private static String db;
    private static HikariDataSource pool;

    private RedisServer redis;
    private Redkit redkit;
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
    void setUp(RedisServer redis) throws SQLException {
        this.redis = redis;
        sql("DROP TABLE IF EXISTS products", "DROP TABLE IF EXISTS orders",
                "CREATE TABLE products (id bigint PRIMARY KEY, name text NOT NULL, price numeric(10,2) NOT NULL)",
                "CREATE TABLE orders (id bigint PRIMARY KEY, product_id bigint NOT NULL)",
                "INSERT INTO products SELECT i, 'product ' || i, i FROM generate_series(1, 50) i");
        redkit = Connected.redkit(redis.url());
        manager = RedisCacheManager.create(redkit);
        queries = QueryCache.builder(manager, pool).build();
    }

    @AfterEach
    void tearDown() {
        queries.close();
        manager.close();
        redkit.close();
    }

    private static Product product(ResultSet rs) throws SQLException {
        return new Product(rs.getLong("id"), rs.getString("name"), rs.getBigDecimal("price"));
    }

    private static void sql(String... statements) throws SQLException {
        try (Connection c = postgres.connect(db); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    private List<Product> page() {
        return queries.query(PAGE, List.of(10, 3), Set.of("products"), Product.class, PRODUCT);
    }

    @Test
    void aRepeatedQueryIsServedFromTheCache() {
        List<Product> first = page();
        assertThat(first).extracting(Product::id).containsExactly(1L, 2L, 3L);
        assertThat(first.get(0).price()).isEqualByComparingTo(new BigDecimal("1.00"));
        for (int i = 0; i < 9; i++) {
            assertThat(page()).isEqualTo(first);
        }
        assertThat(queries.stats()).isEqualTo(new QueryStats(9, 1, 0, 0));
        assertThat(queries.stats().savedRatio()).isEqualTo(0.9);

        // other parameters are another query; layout-only differences are the same query
        assertThat(queries.query(PAGE, List.of(10, 2), Set.of("products"), Product.class, PRODUCT)).hasSize(2);
        assertThat(queries.query("SELECT id, name, price\n  FROM products\tWHERE price < ?  ORDER BY price, id LIMIT ?",
                List.of(10, 3), Set.of("products"), Product.class, PRODUCT)).isEqualTo(first);
        assertThat(queries.stats().fromDatabase()).isEqualTo(2);
    }

    @Test
    void whitespaceInsideLiteralsIsNotNormalizedAway() throws SQLException {
        sql("INSERT INTO products VALUES (1001, 'a  b', 1), (1002, 'a b', 1)");
        List<Product> two = queries.query("SELECT id, name, price FROM products WHERE name = 'a  b'", List.of(),
                Set.of("products"), Product.class, PRODUCT);
        List<Product> one = queries.query("SELECT id, name, price FROM products WHERE name = 'a b'", List.of(),
                Set.of("products"), Product.class, PRODUCT);
        assertThat(two).extracting(Product::id).containsExactly(1001L);
        assertThat(one).extracting(Product::id).containsExactly(1002L);
    }

    @Test
    void anUpdateThroughTheQueryCacheInvalidatesItsTables() {
        assertThat(page().get(0).name()).isEqualTo("product 1");
        int n = queries.update("UPDATE products SET name = ? WHERE id = ?", List.of("renamed", 1), Set.of("products"));
        assertThat(n).isEqualTo(1);
        assertThat(page().get(0).name()).isEqualTo("renamed");
        assertThat(queries.stats().writes()).isEqualTo(1);

        // a query over another table is not affected
        List<Long> none = queries.query("SELECT product_id FROM orders", List.of(), Set.of("orders"), Long.class, rs -> rs.getLong(1));
        assertThat(none).isEmpty();
        queries.update("UPDATE products SET name = 'x' WHERE id = 2", List.of(), Set.of("public.products"));
        queries.query("SELECT product_id FROM orders", List.of(), Set.of("orders"), Long.class, rs -> rs.getLong(1));
        assertThat(queries.stats().fromCache()).isEqualTo(1);
    }

    @Test
    void anUpdateOverAnotherConnectionInvalidatesWithin100msThroughTriggersAndListen() throws SQLException {
        queries.installTriggers(List.of("products", "orders"));
        queries.installTriggers(List.of("products")); // idempotent
        queries.startListening();
        queries.startListening();
        await().atMost(Duration.ofSeconds(10)).until(queries::isListening);
        for (int round = 0; round < 5; round++) {
            String name = "changed " + round;
            assertThat(page().get(0).name()).isNotEqualTo(name);
            assertThat(page().get(0).name()).isNotEqualTo(name); // cached
            try (Connection c = postgres.connect(db); Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE products SET name = '" + name + "' WHERE id = 1");
            }
            Coherence.within(Duration.ofMillis(100), () -> page().get(0).name().equals(name));
        }
        // inserts, deletes and truncates notify too
        sql("DELETE FROM products WHERE id = 1");
        Coherence.within(Duration.ofMillis(100), () -> page().get(0).id() == 2L);
        sql("TRUNCATE products");
        Coherence.within(Duration.ofMillis(100), () -> page().isEmpty());
    }

    @Test
    void anotherInstanceSeesTheTriggerInvalidationToo() throws SQLException {
        queries.installTriggers(List.of("products"));
        queries.startListening();
        await().atMost(Duration.ofSeconds(10)).until(queries::isListening);
        try (Redkit other = Connected.redkit(redis.url());
             RedisCacheManager m2 = RedisCacheManager.create(other);
             QueryCache q2 = QueryCache.builder(m2, pool).options(CacheOptions.builder().nearCache(true).build())
                     .cacheName("queries-near").build()) {
            RedisCache<String> warm = m2.cache("warm", String.class, CacheOptions.defaults());
            warm.get("x");
            await().atMost(Duration.ofSeconds(10)).until(m2::isTrackingActive);
            List<Product> before = q2.query(PAGE, List.of(10, 3), Set.of("products"), Product.class, PRODUCT);
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                q2.query(PAGE, List.of(10, 3), Set.of("products"), Product.class, PRODUCT);
                return q2.cacheStats().nearHits() > 0;
            });
            sql("UPDATE products SET name = 'seen' WHERE id = 1");
            Coherence.within(Duration.ofMillis(100), () ->
                    q2.query(PAGE, List.of(10, 3), Set.of("products"), Product.class, PRODUCT).get(0).name().equals("seen"));
            assertThat(before.get(0).name()).isEqualTo("product 1");
        }
    }

    @Test
    void theListenerReconnectsAndInvalidatesWhatItMayHaveMissed() throws SQLException {
        queries.installTriggers(List.of("products"));
        queries.startListening();
        await().atMost(Duration.ofSeconds(10)).until(queries::isListening);
        page();
        sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN redkit_cache' OR query = 'UNLISTEN *'");
        sql("ALTER TABLE products DISABLE TRIGGER redkit_cache_notify",
                "UPDATE products SET name = 'missed' WHERE id = 1",
                "ALTER TABLE products ENABLE TRIGGER redkit_cache_notify");
        // the change was never notified; the reconnect invalidates every known table. Until then queries go
        // to the database, where an idle pooled connection the statement above terminated fails once
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> page().get(0).name().equals("missed"));
        await().atMost(Duration.ofSeconds(10)).until(queries::isListening);
        assertThat(page().get(0).name()).isEqualTo("missed");
        assertThat(page().get(0).name()).isEqualTo("missed");
    }

    @Test
    void whileRedisIsDownQueriesGoToTheDatabase() {
        ManualTicker ticker = new ManualTicker();
        try (RedisCacheManager m = RedisCacheManager.builder(redkit).ticker(ticker).build();
             QueryCache q = QueryCache.builder(m, pool).build()) {
            q.query(PAGE, List.of(10, 3), Set.of("products"), Product.class, PRODUCT);
            redis.stop();
            for (int i = 0; i < 3; i++) {
                assertThat(q.query(PAGE, List.of(10, 3), Set.of("products"), Product.class, PRODUCT)).hasSize(3);
            }
            assertThat(q.update("UPDATE products SET name = 'down' WHERE id = 1", List.of(), Set.of("products"))).isEqualTo(1);
            assertThat(q.query(PAGE, List.of(10, 3), Set.of("products"), Product.class, PRODUCT).get(0).name()).isEqualTo("down");
            assertThat(q.stats().fromDatabase()).isEqualTo(5);
            redis.start();
        }
    }

    @Test
    void badQueriesAreClearErrors() {
        assertThatThrownBy(() -> queries.query(PAGE, List.of(10, 3), Set.of(), Product.class, PRODUCT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tables must name every table");
        assertThatThrownBy(() -> queries.query(PAGE, List.of(10, 3), Set.of("products; drop table x"), Product.class, PRODUCT))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"products; drop table x\"");
        assertThatThrownBy(() -> queries.installTriggers(List.of("bad name")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> queries.query("SELECT nope FROM products", List.of(), Set.of("products"), Long.class,
                rs -> rs.getLong(1))).isInstanceOf(CacheException.class).hasMessageContaining("loader failed")
                .hasRootCauseInstanceOf(SQLException.class);
        assertThatThrownBy(() -> queries.installTriggers(List.of("no_such_table")))
                .isInstanceOf(CacheException.class).hasMessageContaining("no_such_table");
        assertThat((List<?>) redis.command("KEYS", "redkit:cache:v:*")).as("no value written").isEmpty();
    }
}
