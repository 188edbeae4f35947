package io.redkit.cache;

import com.zaxxer.hikari.HikariDataSource;
import io.redkit.cache.QueryResult.Source;
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

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@link QueryCache#queryWithSource}: CACHE for hits, DATABASE for misses, BYPASS while Redis is down. */
@WithPostgres
@WithRedis
class QueryResultSourceTest {
    private static final String PAGE = "SELECT id, name, price FROM products WHERE price < ? ORDER BY price, id LIMIT ?";
    private static final RowMapper<Product> PRODUCT = QueryResultSourceTest::product;

    private static PostgresServer postgres;
    private static String db;
    private static HikariDataSource pool;

    private RedisServer redis;
    private Redkit redkit;

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
        try (Connection c = postgres.connect(db); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS products");
            st.execute("CREATE TABLE products (id bigint PRIMARY KEY, name text NOT NULL, price numeric(10,2) NOT NULL)");
            st.execute("INSERT INTO products SELECT i, 'product ' || i, i FROM generate_series(1, 50) i");
        }
        redkit = Connected.redkit(redis.url());
    }

    @AfterEach
    void tearDown() {
        if (!redis.isRunning()) {
            redis.start();
        }
        redkit.close();
    }

    private static Product product(ResultSet rs) throws SQLException {
        return new Product(rs.getLong("id"), rs.getString("name"), rs.getBigDecimal("price"));
    }

    private static QueryResult<Product> page(QueryCache q) {
        return q.queryWithSource(PAGE, List.of(10, 3), Set.of("products"), Product.class, PRODUCT);
    }

    @Test
    void aMissIsDatabaseAndAHitIsCache() {
        try (RedisCacheManager manager = RedisCacheManager.create(redkit);
             QueryCache q = QueryCache.builder(manager, pool).build()) {
            QueryResult<Product> first = page(q);
            assertThat(first.source()).isEqualTo(Source.DATABASE);
            assertThat(first.rows()).extracting(Product::id).containsExactly(1L, 2L, 3L);
            QueryResult<Product> second = page(q);
            assertThat(second.source()).isEqualTo(Source.CACHE);
            assertThat(second.rows()).isEqualTo(first.rows());

            q.update("UPDATE products SET name = 'renamed' WHERE id = 1", List.of(), Set.of("products"));
            QueryResult<Product> afterWrite = page(q);
            assertThat(afterWrite.source()).as("an invalidated result is a miss").isEqualTo(Source.DATABASE);
            assertThat(afterWrite.rows().get(0).name()).isEqualTo("renamed");
            assertThat(page(q).source()).isEqualTo(Source.CACHE);

            // an empty result is cached like any other
            QueryResult<Product> none = q.queryWithSource(PAGE, List.of(0, 3), Set.of("products"), Product.class, PRODUCT);
            assertThat(none.rows()).isEmpty();
            assertThat(none.source()).isEqualTo(Source.DATABASE);
            assertThat(q.queryWithSource(PAGE, List.of(0, 3), Set.of("products"), Product.class, PRODUCT).source())
                    .isEqualTo(Source.CACHE);
            assertThat(q.stats()).isEqualTo(new QueryStats(3, 3, 1, 1));
        }
    }

    @Test
    void aHitFromTheNearCacheIsCache() {
        try (RedisCacheManager manager = RedisCacheManager.create(redkit);
             QueryCache q = QueryCache.builder(manager, pool).cacheName("queries-near")
                     .options(CacheOptions.builder().nearCache(true).build()).build()) {
            manager.cache("warm", String.class, CacheOptions.defaults()).get("x");
            await().atMost(Duration.ofSeconds(10)).until(manager::isTrackingActive);
            assertThat(page(q).source()).isEqualTo(Source.DATABASE);
            long nearHits = q.cacheStats().nearHits();
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                assertThat(page(q).source()).isEqualTo(Source.CACHE);
                return q.cacheStats().nearHits() > nearHits;
            });
        }
    }

    @Test
    void aCallThatWaitedForAConcurrentIdenticalQueryIsDatabase() throws Exception {
        try (RedisCacheManager manager = RedisCacheManager.create(redkit);
             QueryCache q = QueryCache.builder(manager, pool).build()) {
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            RowMapper<Product> slow = rs -> {
                entered.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted", e);
                }
                return product(rs);
            };
            ExecutorService threads = Executors.newFixedThreadPool(2);
            try {
                Future<QueryResult<Product>> leader = threads.submit(() ->
                        q.queryWithSource(PAGE, List.of(10, 3), Set.of("products"), Product.class, slow));
                assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
                AtomicReference<Thread> waiterThread = new AtomicReference<>();
                Future<QueryResult<Product>> waiter = threads.submit(() -> {
                    waiterThread.set(Thread.currentThread());
                    return q.queryWithSource(PAGE, List.of(10, 3), Set.of("products"), Product.class, slow);
                });
                // the waiter missed and now waits for the leader's load (the only untimed wait on its path)
                await().atMost(Duration.ofSeconds(10)).until(() -> q.cacheStats().misses() == 2
                        && waiterThread.get() != null && waiterThread.get().getState() == Thread.State.WAITING);
                release.countDown();
                QueryResult<Product> led = leader.get(10, TimeUnit.SECONDS);
                QueryResult<Product> waited = waiter.get(10, TimeUnit.SECONDS);
                assertThat(led.source()).isEqualTo(Source.DATABASE);
                assertThat(waited.source()).isEqualTo(Source.DATABASE);
                assertThat(waited.rows()).isEqualTo(led.rows()).hasSize(3);
            } finally {
                release.countDown();
                threads.shutdownNow();
            }
            assertThat(q.stats().fromDatabase()).as("the database was queried once").isEqualTo(1);
            assertThat(page(q).source()).isEqualTo(Source.CACHE);
        }
    }

    @Test
    void whileRedisIsDownRowsComeFromTheDatabaseAsBypassAndCachingResumesAfterRestart() {
        ManualTicker ticker = new ManualTicker();
        try (RedisCacheManager manager = RedisCacheManager.builder(redkit).ticker(ticker).build();
             QueryCache q = QueryCache.builder(manager, pool).build()) {
            assertThat(page(q).source()).isEqualTo(Source.DATABASE);
            assertThat(page(q).source()).isEqualTo(Source.CACHE);

            redis.stop();
            for (int i = 0; i < 3; i++) {
                QueryResult<Product> r = page(q);
                assertThat(r.source()).isEqualTo(Source.BYPASS);
                assertThat(r.rows()).extracting(Product::id).containsExactly(1L, 2L, 3L);
            }
            q.update("UPDATE products SET name = 'down' WHERE id = 1", List.of(), Set.of("products"));
            QueryResult<Product> fresh = page(q);
            assertThat(fresh.source()).isEqualTo(Source.BYPASS);
            assertThat(fresh.rows().get(0).name()).as("read through to the database").isEqualTo("down");

            redis.start(); // without its data: the first answer afterwards is a miss
            AtomicReference<QueryResult<Product>> back = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                ticker.advance(RedisCacheManager.DEFAULT_RETRY_INTERVAL);
                back.set(page(q));
                assertThat(back.get().source()).isNotEqualTo(Source.BYPASS);
            });
            assertThat(back.get().source()).isEqualTo(Source.DATABASE);
            assertThat(back.get().rows().get(0).name()).isEqualTo("down");
            QueryResult<Product> hit = page(q);
            assertThat(hit.source()).isEqualTo(Source.CACHE);
            assertThat(hit.rows()).isEqualTo(back.get().rows());
        }
    }
}
