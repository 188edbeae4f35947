package io.redkit.bench.cache;

import io.redkit.bench.Stats;
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

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;

/**
 * Redkit's remote cache hit against a raw Lettuce {@code GET} of the very bytes Redkit stored (and
 * the same {@code GET} of plain JSON plus the same decode), <em>interleaved</em>: every round runs
 * each contender for one slice, in rotating order, in the same JVM against the same Redis, so the
 * machine's drift (other processes, frequency, JIT) falls on all contenders alike and the per-round
 * ratios can be compared. {@code CacheHitBenchmark} measures each contender in its own time window,
 * where that drift on a shared machine is larger than the overhead being measured.
 *
 * <pre>
 * java -cp redkit-bench/target/benchmarks.jar io.redkit.bench.cache.CacheHitOverhead                 # 8 callers, throughput
 * java -cp redkit-bench/target/benchmarks.jar io.redkit.bench.cache.CacheHitOverhead --threads 1     # one caller, p50/p99 too
 * options: --threads N (8) --rounds N (15) --slice-ms N (1000) --warmup-rounds N (8)
 * </pre>
 */
public final class CacheHitOverhead {
    private static final int KEYS = 1000;
    private static final String[] NAMES = {"lettuce-get", "lettuce-get+json", "redkit"};

    public static void main(String[] args) throws Exception {
        int threads = 8;
        int rounds = 15;
        int sliceMs = 1000;
        int warmupRounds = 8;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                usage("missing value after " + a);
            }
            int v = parse(a, args[++i]);
            switch (a) {
                case "--threads" -> threads = v;
                case "--rounds" -> rounds = v;
                case "--slice-ms" -> sliceMs = v;
                case "--warmup-rounds" -> warmupRounds = v;
                default -> usage("unknown option " + a);
            }
        }
        Quiet.logging();
        try (RedisServer redis = RedisServer.builder().start();
             Redkit redkit = Redkit.create(RedkitConfig.fromUrl(redis.url()))) {
            Quiet.connected(redkit);
            RedisCacheManager manager = RedisCacheManager.create(redkit);
            RedisCache<Item> cache = manager.cache("bench", Item.class, CacheOptions.builder().ttl(Duration.ofHours(1)).build());
            String[] keys = new String[KEYS];
            String[] redisKeys = new String[KEYS];
            String[] rawKeys = new String[KEYS];
            JsonCodec json = JsonCodec.create();
            RedisClient client = RedisClient.create(redis.url());
            StatefulRedisConnection<String, byte[]> raw = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
            RedisCommands<String, byte[]> sync = raw.sync();
            for (int i = 0; i < KEYS; i++) {
                keys[i] = Integer.toString(i);
                redisKeys[i] = "redkit:cache:v:bench:" + i;
                rawKeys[i] = "raw:" + i;
                cache.put(keys[i], Item.sample(i));
                sync.set(rawKeys[i], json.encode(Item.sample(i)));
            }
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!manager.isTrackingActive() && System.nanoTime() < deadline) {
                cache.get(keys[0]);
                Thread.sleep(10);
            }
            for (String k : keys) {
                if (cache.get(k).isEmpty()) {
                    throw new IllegalStateException("set-up value " + k + " is missing");
                }
            }
            if (sync.get(redisKeys[0]) == null) {
                throw new IllegalStateException("Redkit's key for the raw GET is not " + redisKeys[0]);
            }
            List<IntFunction<Object>> ops = List.of(
                    i -> sync.get(redisKeys[i]),
                    i -> json.decode(sync.get(rawKeys[i]), Item.class),
                    i -> cache.get(keys[i]).orElseThrow());

            System.err.printf("warm-up: %d rounds of %d ms per contender, %d threads%n", warmupRounds, sliceMs, threads);
            for (int r = 0; r < warmupRounds; r++) {
                for (int c = 0; c < ops.size(); c++) {
                    slice(ops.get(c), threads, sliceMs, false);
                }
            }
            double[][] rate = new double[ops.size()][rounds];
            List<List<Long>> latencies = new ArrayList<>();
            for (int c = 0; c < ops.size(); c++) {
                latencies.add(new ArrayList<>());
            }
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < ops.size(); k++) {
                    int c = (r + k) % ops.size(); // rotate who goes first
                    Slice s = slice(ops.get(c), threads, sliceMs, threads == 1);
                    rate[c][r] = s.ops * 1000.0 / s.millis;
                    latencies.get(c).addAll(s.nanos);
                }
                System.err.printf("round %d: %s%n", r + 1, String.format(Locale.ROOT, "%.0f / %.0f / %.0f ops/s",
                        rate[0][r], rate[1][r], rate[2][r]));
            }
            System.out.printf("%d threads, %d interleaved rounds of %d ms per contender (after %d warm-up rounds), 1,000 keys, ~400-byte JSON values%n%n",
                    threads, rounds, sliceMs, warmupRounds);
            System.out.println(threads == 1
                    ? "| contender | ops/s (median of rounds) | p50 µs | p99 µs |\n|---|---:|---:|---:|"
                    : "| contender | ops/s (median of rounds) |\n|---|---:|");
            for (int c = 0; c < ops.size(); c++) {
                String row = String.format(Locale.ROOT, "| %s | %,.0f |", NAMES[c], Stats.median(rate[c]));
                if (threads == 1) {
                    long[] l = latencies.get(c).stream().mapToLong(Long::longValue).sorted().toArray();
                    row += String.format(Locale.ROOT, " %.1f | %.1f |", l[l.length / 2] / 1000.0, l[(int) (l.length * 0.99)] / 1000.0);
                }
                System.out.println(row);
            }
            double[] vsGet = new double[rounds];
            double[] vsGetJson = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                vsGet[r] = rate[2][r] / rate[0][r];
                vsGetJson[r] = rate[2][r] / rate[1][r];
            }
            Arrays.sort(vsGet);
            Arrays.sort(vsGetJson);
            System.out.printf(Locale.ROOT, "%nredkit / lettuce-get, per round: median %.3f (quartiles %.3f to %.3f)%n",
                    Stats.median(vsGet), vsGet[rounds / 4], vsGet[(3 * rounds) / 4]);
            System.out.printf(Locale.ROOT, "redkit / lettuce-get+json, per round: median %.3f (quartiles %.3f to %.3f)%n",
                    Stats.median(vsGetJson), vsGetJson[rounds / 4], vsGetJson[(3 * rounds) / 4]);
            raw.close();
            client.shutdown();
            manager.close();
        }
    }

    private record Slice(long ops, double millis, List<Long> nanos) {
    }

    /** Runs {@code op} from {@code threads} closed-loop callers for {@code ms}; counts completed calls. */
    private static Slice slice(IntFunction<Object> op, int threads, int ms, boolean timeEach) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        long[] counts = new long[threads];
        List<Long> nanos = timeEach ? new ArrayList<>(ms * 20) : List.of();
        CountDownLatch started = new CountDownLatch(threads);
        CountDownLatch done = new CountDownLatch(threads);
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            ts[t] = new Thread(() -> {
                started.countDown();
                long n = 0;
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                while (!stop.get()) {
                    int k = rnd.nextInt(KEYS);
                    if (timeEach) {
                        long t0 = System.nanoTime();
                        op.apply(k);
                        nanos.add(System.nanoTime() - t0);
                    } else {
                        op.apply(k);
                    }
                    n++;
                }
                counts[id] = n;
                done.countDown();
            });
            ts[t].start();
        }
        started.await();
        long t0 = System.nanoTime();
        Thread.sleep(ms);
        stop.set(true);
        done.await();
        double elapsed = (System.nanoTime() - t0) / 1e6;
        return new Slice(Arrays.stream(counts).sum(), elapsed, nanos);
    }

    private static int parse(String option, String value) {
        try {
            int v = Integer.parseInt(value);
            if (v < 1) {
                usage(option + " must be at least 1: " + value);
            }
            return v;
        } catch (NumberFormatException e) {
            usage(option + " needs a whole number: '" + value + "'");
            return 0;
        }
    }

    private static void usage(String problem) {
        System.err.println("CacheHitOverhead: " + problem);
        System.err.println("options: --threads N (8) --rounds N (15) --slice-ms N (1000) --warmup-rounds N (8)");
        System.exit(2);
    }
}
