package io.redkit.bench.cache;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.redkit.cache.CacheOptions;
import io.redkit.cache.RedisCache;
import io.redkit.cache.RedisCacheManager;
import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;
import io.redkit.core.codec.JsonCodec;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A cache hit: Redkit's remote hit (GET, envelope, version check, JSON decode) and near hit, against a
 * raw Lettuce GET of the very bytes Redkit stored, with and without decoding the same JSON.
 *
 * <pre>java -jar redkit-bench/target/benchmarks.jar CacheHitBenchmark</pre>
 *
 * <p>Nine seconds of warm-up per contender: with less, the client's throughput was still rising
 * round after round and the contender measured first or last won by that alone.
 */
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 3, time = 5)
public class CacheHitBenchmark {
    private static final int KEYS = 1000;

    @Param({"lettuce-get", "lettuce-get+json", "redkit", "redkit-near"})
    public String impl;

    private RedisServer redis;
    private Redkit redkit;
    private RedisCacheManager manager;
    private RedisCache<Item> cache;
    private RedisClient client;
    private StatefulRedisConnection<String, byte[]> raw;
    private RedisCommands<String, byte[]> rawSync;
    private JsonCodec json;
    private String[] keys;
    private String[] redisKeys;

    @Setup(Level.Trial)
    public void setUp() {
        Quiet.logging();
        redis = RedisServer.builder().start();
        redkit = Redkit.create(RedkitConfig.fromUrl(redis.url()));
        Quiet.connected(redkit);
        manager = RedisCacheManager.create(redkit);
        boolean near = impl.equals("redkit-near");
        cache = manager.cache("bench", Item.class, CacheOptions.builder().ttl(Duration.ofHours(1)).nearCache(near).build());
        keys = new String[KEYS];
        redisKeys = new String[KEYS];
        for (int i = 0; i < KEYS; i++) {
            keys[i] = Integer.toString(i);
            cache.put(keys[i], Item.sample(i));
            redisKeys[i] = "redkit:cache:" + (near ? "n" : "v") + ":bench:" + i;
        }
        client = RedisClient.create(redis.url());
        raw = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        rawSync = raw.sync();
        json = JsonCodec.create();
        // the raw contenders read a copy of the plain JSON, the way a hand-rolled cache stores it
        for (int i = 0; i < KEYS; i++) {
            rawSync.set("raw:" + i, json.encode(Item.sample(i)));
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!manager.isTrackingActive() && System.nanoTime() < deadline) {
            cache.get(keys[0]);
            Thread.onSpinWait();
        }
        for (int i = 0; i < 3; i++) {
            for (String k : keys) {
                if (cache.get(k).isEmpty()) { // warms the tracked versions (and the near cache)
                    throw new IllegalStateException("set-up value " + k + " is missing: " + cache.stats());
                }
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        raw.close();
        client.shutdown();
        manager.close();
        redkit.close();
        redis.close();
    }

    private Object hit() {
        int i = ThreadLocalRandom.current().nextInt(KEYS);
        switch (impl) {
            case "lettuce-get":
                return rawSync.get(redisKeys[i]);
            case "lettuce-get+json":
                return json.decode(rawSync.get("raw:" + i), Item.class);
            default:
                return cache.get(keys[i]).orElseThrow();
        }
    }

    /** One caller: latency distribution (p50, p99). */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Object hitLatency() {
        return hit();
    }

    /** Eight callers sharing the connection: hits per second. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(8)
    public Object hitThroughput() {
        return hit();
    }
}
