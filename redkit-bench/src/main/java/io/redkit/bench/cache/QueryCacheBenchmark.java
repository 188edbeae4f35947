package io.redkit.bench.cache;

import io.redkit.cache.CacheOptions;
import io.redkit.cache.QueryCache;
import io.redkit.cache.RedisCacheManager;
import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;
import io.redkit.testkit.RedisServer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A filtered, sorted page over 100,000 PostgreSQL rows (one category of 100, price above a bound,
 * ordered by price, third page of 20), straight from the database vs through the query cache (hits:
 * 10 distinct pages, all cached after the first round).
 *
 * <pre>java -jar redkit-bench/target/benchmarks.jar QueryCacheBenchmark</pre>
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class QueryCacheBenchmark {
    static final String PAGE = "SELECT id, name, category, price, stock FROM products "
            + "WHERE category = ? AND price > ? ORDER BY price DESC, id LIMIT 20 OFFSET 40";

    @Param({"postgres", "redkit-cached", "redkit-near"})
    public String impl;

    private BenchDatabase db;
    private RedisServer redis;
    private Redkit redkit;
    private RedisCacheManager manager;
    private QueryCache queries;

    @Setup(Level.Trial)
    public void setUp() {
        Quiet.logging();
        db = new BenchDatabase();
        redis = RedisServer.builder().start();
        redkit = Redkit.create(RedkitConfig.fromUrl(redis.url()));
        Quiet.connected(redkit);
        manager = RedisCacheManager.create(redkit);
        queries = QueryCache.builder(manager, db.pool)
                .options(CacheOptions.builder().ttl(Duration.ofHours(1)).nearCache(impl.equals("redkit-near")).build())
                .build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        queries.close();
        manager.close();
        redkit.close();
        redis.close();
        db.close();
    }

    @Benchmark
    public List<Row> page() throws SQLException {
        int category = ThreadLocalRandom.current().nextInt(10);
        if (impl.equals("postgres")) {
            try (Connection c = db.pool.getConnection(); PreparedStatement ps = c.prepareStatement(PAGE)) {
                ps.setInt(1, category);
                ps.setInt(2, 100);
                List<Row> rows = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(Row.map(rs));
                    }
                }
                return rows;
            }
        }
        return queries.query(PAGE, List.of(category, 100), Set.of("products"), Row.class, Row::map);
    }
}
