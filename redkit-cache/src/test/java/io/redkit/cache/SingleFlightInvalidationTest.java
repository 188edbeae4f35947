package io.redkit.cache;

import com.zaxxer.hikari.HikariDataSource;
import io.redkit.core.Redkit;
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
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 13 item 7: a caller that arrives after an invalidation must not join a load (single flight)
 * that began before it, and that load's result must not be cached. Loader 1 blocks after its database
 * read; the change is committed and its invalidation applied; later callers arrive and must get the
 * new value without waiting for loader 1 (sharing one new load); afterwards the cache holds the new
 * value.
 */
@WithPostgres
@WithRedis
class SingleFlightInvalidationTest {
    private static final String BY_ID = "SELECT id, name, price FROM products WHERE id = ?";
    /** Longest a caller that must not wait for loader 1 is given before loader 1 is released anyway. */
    private static final long PATIENCE_SECONDS = 20;
    private static final int LATE_CALLERS = 16;

    private static PostgresServer postgres;
    private static String db;
    private static HikariDataSource pool;

    private RedisServer redis;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final CountDownLatch inside = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

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
    void setUp(RedisServer redis) {
        this.redis = redis;
    }

    @AfterEach
    void tearDown() {
        release.countDown();
        threads.shutdownNow();
    }

    private static void sql(String... statements) throws SQLException {
        try (Connection c = postgres.connect(db); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    /** Caller 2's answer: it must come without loader 1 being released; if not, loader 1 is released and it is returned anyway. */
    private <T> T withoutWaitingForLoader1(Future<T> caller2) throws Exception {
        try {
            return caller2.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            release.countDown(); // it joined loader 1: let it finish to show what it got
            return caller2.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
        }
    }

    @Test
    void aQueryArrivingAfterACommittedChangeDoesNotJoinTheLoadThatReadTheOldRow() throws Exception {
        sql("DROP TABLE IF EXISTS products",
                "CREATE TABLE products (id bigint PRIMARY KEY, name text NOT NULL, price numeric(10,2) NOT NULL)",
                "INSERT INTO products VALUES (1, 'old', 1)");
        try (Redkit redkit = Connected.redkit(redis.url());
             RedisCacheManager manager = RedisCacheManager.create(redkit);
             QueryCache queries = QueryCache.builder(manager, pool).build()) {
            queries.installTriggers(List.of("products"));
            queries.startListening();
            await().atMost(Duration.ofSeconds(10)).until(queries::isListening);
            RowMapper<Product> plain = rs -> new Product(rs.getLong(1), rs.getString(2), rs.getBigDecimal(3));
            RowMapper<Product> blocking = rs -> {
                Product p = plain.map(rs); // the rows are read: the statement ran before the change
                inside.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return p;
            };

            Future<QueryResult<Product>> caller1 = threads.submit(() ->
                    queries.queryWithSource(BY_ID, List.of(1L), Set.of("products"), Product.class, blocking));
            assertThat(inside.await(30, TimeUnit.SECONDS)).as("loader 1 read the row").isTrue();

            long invalidations = queries.stats().invalidations();
            sql("UPDATE products SET name = 'new' WHERE id = 1"); // committed on another connection
            await().atMost(Duration.ofSeconds(10)).until(() -> queries.stats().invalidations() > invalidations);

            Future<QueryResult<Product>> caller2 = threads.submit(() ->
                    queries.queryWithSource(BY_ID, List.of(1L), Set.of("products"), Product.class, plain));
            QueryResult<Product> second = withoutWaitingForLoader1(caller2);
            assertThat(second.rows()).as("a caller that arrived after the change").extracting(Product::name).containsExactly("new");
            assertThat(second.source()).isEqualTo(QueryResult.Source.DATABASE);

            release.countDown();
            assertThat(caller1.get(30, TimeUnit.SECONDS).rows()).as("loader 1 began before the change: the old row is allowed")
                    .extracting(Product::name).containsExactly("old");

            QueryResult<Product> after = queries.queryWithSource(BY_ID, List.of(1L), Set.of("products"), Product.class, plain);
            assertThat(after.rows()).extracting(Product::name).containsExactly("new");
            assertThat(after.source()).as("the new row is cached, loader 1 did not overwrite it").isEqualTo(QueryResult.Source.CACHE);
        }
    }

    @Test
    void withoutTrackingAnInvalidationByAnotherInstanceAlsoKeepsLateCallersOutOfTheOldLoad() throws Exception {
        try (Redkit ra = Connected.redkit(redis.url());
             Redkit rb = Connected.redkit(redis.url());
             RedisCacheManager a = RedisCacheManager.builder(ra).tracking(false).build();
             RedisCacheManager b = RedisCacheManager.builder(rb).tracking(false).build()) {
            lateCallerSeesTheChange(b.cache("sfi", String.class, CacheOptions.defaults()), () -> a.invalidateTag("t"));
        }
    }

    @Test
    void withANearCacheAnInvalidationInTheSameInstanceKeepsLateCallersOutOfTheOldLoad() throws Exception {
        try (Redkit redkit = Connected.redkit(redis.url());
             RedisCacheManager manager = RedisCacheManager.create(redkit)) {
            RedisCache<String> cache = manager.cache("sfn", String.class, CacheOptions.builder().nearCache(true).build());
            cache.get("warm-up"); // starts tracking
            await().atMost(Duration.ofSeconds(10)).until(manager::isTrackingActive);
            lateCallerSeesTheChange(cache, () -> manager.invalidateTag("t"));
            assertThat(cache.get("k")).contains("new");
        }
    }

    private void lateCallerSeesTheChange(RedisCache<String> cache, Runnable invalidate) throws Exception {
        AtomicReference<String> row = new AtomicReference<>("old");
        AtomicInteger loads = new AtomicInteger();
        Future<Optional<String>> caller1 = threads.submit(() -> cache.getOrLoad("k", Set.of("t"), k -> {
            loads.incrementAndGet();
            String v = row.get();
            inside.countDown();
            release.await(60, TimeUnit.SECONDS);
            return v;
        }));
        assertThat(inside.await(30, TimeUnit.SECONDS)).as("loader 1 read the row").isTrue();
        row.set("new");
        invalidate.run();

        List<Future<Optional<String>>> late = new ArrayList<>();
        for (int i = 0; i < LATE_CALLERS; i++) {
            late.add(threads.submit(() -> cache.getOrLoad("k", Set.of("t"), k -> {
                loads.incrementAndGet();
                return row.get();
            })));
        }
        for (Future<Optional<String>> caller : late) {
            assertThat(withoutWaitingForLoader1(caller)).as("a caller that arrived after the invalidation").contains("new");
        }
        release.countDown();
        assertThat(caller1.get(30, TimeUnit.SECONDS)).as("loader 1 began before the change: the old value is allowed").contains("old");

        assertThat(cache.get("k")).as("the new value is cached, loader 1 did not overwrite it").contains("new");
        assertThat(loads).as("the late callers share one new load").hasValue(2);
    }
}
