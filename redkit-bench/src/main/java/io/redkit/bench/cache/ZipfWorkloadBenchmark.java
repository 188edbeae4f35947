package io.redkit.bench.cache;

import io.redkit.cache.CacheOptions;
import io.redkit.cache.QueryCache;
import io.redkit.cache.QueryStats;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Product lookups by id over all 100,000 rows, ids drawn from a Zipf distribution (exponent
 * {@code s}), through the query cache with a 60 s TTL, starting cold. Reports lookups per second
 * and prints, per iteration, how many lookups the cache served and how many reached PostgreSQL.
 *
 * <pre>java -jar redkit-bench/target/benchmarks.jar ZipfWorkloadBenchmark</pre>
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 1, time = 3)
@Measurement(iterations = 3, time = 5)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(4)
public class ZipfWorkloadBenchmark {
    static final String BY_ID = "SELECT id, name, category, price, stock FROM products WHERE id = ?";

    @Param({"0.99", "1.2"})
    public double s;

    private BenchDatabase db;
    private RedisServer redis;
    private Redkit redkit;
    private RedisCacheManager manager;
    private QueryCache queries;
    private Zipf zipf;
    private QueryStats last = new QueryStats(0, 0, 0, 0);

    @Setup(Level.Trial)
    public void setUp() {
        Quiet.logging();
        db = new BenchDatabase();
        redis = RedisServer.builder().start();
        redkit = Redkit.create(RedkitConfig.fromUrl(redis.url()));
        Quiet.connected(redkit);
        manager = RedisCacheManager.create(redkit);
        queries = QueryCache.builder(manager, db.pool).options(CacheOptions.builder().ttl(Duration.ofSeconds(60)).build()).build();
        zipf = new Zipf(BenchDatabase.ROWS, s);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        queries.close();
        manager.close();
        redkit.close();
        redis.close();
        db.close();
    }

    /** Prints each iteration's share of lookups served by the cache and the queries PostgreSQL got. */
    @TearDown(Level.Iteration)
    public void report() {
        QueryStats now = queries.stats();
        long cache = now.fromCache() - last.fromCache();
        long database = now.fromDatabase() - last.fromDatabase();
        System.out.printf("%n[zipf s=%s] lookups %d, from cache %d, to PostgreSQL %d, hit ratio %.4f, database queries saved %.1f%%%n",
                s, cache + database, cache, database, (double) cache / Math.max(1, cache + database),
                100.0 * cache / Math.max(1, cache + database));
        last = now;
    }

    /** Per-thread random source. */
    @State(Scope.Thread)
    public static class Random {
        final SplittableRandom random = new SplittableRandom();
    }

    @Benchmark
    public List<Row> lookup(Random r) {
        long id = zipf.next(r.random) + 1;
        return queries.query(BY_ID, List.of(id), Set.of("products"), Row.class, Row::map);
    }
}
