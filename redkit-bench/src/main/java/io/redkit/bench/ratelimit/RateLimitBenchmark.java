package io.redkit.bench.ratelimit;

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
 * Rate-limit checks per second and their latency, Redkit's three algorithms side by side with
 * Bucket4j (Lettuce proxy manager) and Redisson's RRateLimiter, on one embedded Redis 6.2 started
 * per trial. Every limit admits every request (a huge rate), so the numbers measure the cost of a
 * check, including contention on one hot key; {@code keys=10000} spreads checks uniformly over
 * 10,000 keys. Three thread counts: 1, 16, 64.
 *
 * <pre>{@code
 * java -jar redkit-bench/target/benchmarks.jar 'ratelimit.RateLimitBenchmark' -rf json -rff ratelimit.json
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class RateLimitBenchmark {
    /** The admitting rate: one billion per second (Redkit's exact window is capped at its maximum limit). */
    static final long LIMIT = 1_000_000_000L;
    static final Duration WINDOW = Duration.ofSeconds(1);

    @Param({"redkit-sliding-window", "redkit-sliding-counter", "redkit-gcra", "bucket4j", "redisson"})
    public String impl;

    @Param({"1", "10000"})
    public int keys;

    private RedisServer redis;
    private Contender contender;
    private String[] names;

    @Setup(Level.Trial)
    public void setUp() {
        quietLogs();
        redis = RedisServer.builder().start();
        contender = Contender.create(impl, redis.url(), LIMIT, WINDOW);
        names = new String[keys];
        for (int i = 0; i < keys; i++) {
            names[i] = keys == 1 ? "hot" : "user-" + i;
            contender.tryAcquire(names[i]);   // creates per-key objects and state before measuring
        }
    }

    /** Without a logback.xml, logback logs every client at DEBUG, which would be measured too. */
    static void quietLogs() {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        contender.close();
        redis.close();
    }

    private boolean check() {
        String key = keys == 1 ? names[0] : names[ThreadLocalRandom.current().nextInt(keys)];
        return contender.tryAcquire(key);
    }

    @Benchmark
    @Threads(1)
    public boolean threads01() {
        return check();
    }

    @Benchmark
    @Threads(16)
    public boolean threads16() {
        return check();
    }

    @Benchmark
    @Threads(64)
    public boolean threads64() {
        return check();
    }
}
