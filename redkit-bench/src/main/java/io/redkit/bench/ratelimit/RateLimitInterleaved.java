package io.redkit.bench.ratelimit;

import io.redkit.bench.Stats;
import io.redkit.testkit.RedisServer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Rate-limit checks per second of several contenders <em>interleaved</em>: the same caller threads
 * switch from one contender to the next every slice, in rotating order, against one Redis, so the
 * machine's drift (other tenants of the VM, frequency, JIT) falls on every contender alike and each
 * round's ratios can be compared. {@link RateLimitBenchmark} (JMH) measures each contender in its
 * own time window; on this VM whole windows drift by ±25 %, more than the ratios being checked.
 * Prints each round's checks/s, then per contender the median checks/s and the median of the
 * per-round ratios to the first contender.
 *
 * <pre>
 * java -cp redkit-bench/target/benchmarks.jar io.redkit.bench.ratelimit.RateLimitInterleaved
 * options: --threads N (64) --keys N (10000) --rounds N (15) --warmup-rounds N (3) --slice-ms N (1000)
 *          --impls a,b,c (bucket4j,redkit-gcra,redkit-sliding-counter,redkit-sliding-window; the first is the base)
 * </pre>
 */
public final class RateLimitInterleaved {
    private RateLimitInterleaved() {}

    public static void main(String[] args) throws Exception {
        int threads = 64;
        int keys = 10_000;
        int rounds = 15;
        int warmupRounds = 3;
        int sliceMs = 1000;
        String[] impls = {"bucket4j", "redkit-gcra", "redkit-sliding-counter", "redkit-sliding-window"};
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                usage("missing value after " + args[i]);
            }
            String v = args[i + 1];
            switch (args[i]) {
                case "--threads" -> threads = positive(args[i], v);
                case "--keys" -> keys = positive(args[i], v);
                case "--rounds" -> rounds = positive(args[i], v);
                case "--warmup-rounds" -> warmupRounds = Integer.parseInt(v);
                case "--slice-ms" -> sliceMs = positive(args[i], v);
                case "--impls" -> impls = v.split(",");
                default -> usage("unknown option " + args[i]);
            }
        }
        RateLimitBenchmark.quietLogs();
        int n = impls.length;
        int keyCount = keys;
        String[] names = new String[keys];
        for (int k = 0; k < keys; k++) {
            names[k] = keys == 1 ? "hot" : "user-" + k;
        }
        try (RedisServer redis = RedisServer.builder().start()) {
            Contender[] contenders = new Contender[n];
            for (int c = 0; c < n; c++) {
                contenders[c] = Contender.create(impls[c], redis.url(), RateLimitBenchmark.LIMIT, RateLimitBenchmark.WINDOW);
                for (String name : names) {
                    contenders[c].tryAcquire(name);
                }
            }
            LongAdder[] done = new LongAdder[n];
            for (int c = 0; c < n; c++) {
                done[c] = new LongAdder();
            }
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger current = new AtomicInteger();
            List<Thread> callers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread th = new Thread(() -> {
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    while (running.get()) {
                        int c = current.get();
                        contenders[c].tryAcquire(names[keyCount == 1 ? 0 : r.nextInt(keyCount)]);
                        done[c].increment();
                    }
                }, "caller-" + t);
                th.setDaemon(true);
                th.start();
                callers.add(th);
            }
            System.err.printf(Locale.ROOT, "%d threads, %d keys, %d+%d rounds of %d ms slices: %s%n", threads, keys, warmupRounds,
                    rounds, sliceMs, String.join(", ", impls));
            List<double[]> measured = new ArrayList<>();
            int settleMs = Math.min(200, sliceMs / 5);
            for (int round = 0; round < warmupRounds + rounds; round++) {
                double[] rate = new double[n];
                for (int s = 0; s < n; s++) {
                    int c = (round + s) % n;   // rotating order: no contender always follows the same one
                    current.set(c);
                    Thread.sleep(settleMs);     // calls of the previous contender still in flight finish
                    long before = done[c].sum();
                    long start = System.nanoTime();
                    Thread.sleep(sliceMs);
                    rate[c] = (done[c].sum() - before) / ((System.nanoTime() - start) / 1e9);
                }
                if (round >= warmupRounds) {
                    measured.add(rate);
                }
                StringBuilder line = new StringBuilder(round < warmupRounds ? "warm-up " : "round ").append(round + 1).append(':');
                for (int c = 0; c < n; c++) {
                    line.append(String.format(Locale.ROOT, " %s %,.0f", impls[c], rate[c]));
                }
                System.err.println(line);
            }
            running.set(false);
            for (Thread th : callers) {
                th.join(10_000);
            }
            System.out.printf(Locale.ROOT, "%n%d threads, %d keys, %d rounds of %d ms (median of rounds; ratio = median of per-round ratios to %s)%n%n",
                    threads, keys, rounds, sliceMs, impls[0]);
            System.out.println("| contender | checks/s (median) | vs " + impls[0] + " (median ratio) | ratio min–max |");
            System.out.println("|---|---:|---:|---|");
            for (int c = 0; c < n; c++) {
                double[] own = new double[measured.size()];
                double[] ratio = new double[measured.size()];
                for (int r = 0; r < measured.size(); r++) {
                    own[r] = measured.get(r)[c];
                    ratio[r] = measured.get(r)[c] / measured.get(r)[0];
                }
                Arrays.sort(ratio);
                System.out.printf(Locale.ROOT, "| %s | %,.0f | %.2fx | %.2f–%.2f |%n", impls[c], Stats.median(own), Stats.median(ratio),
                        ratio[0], ratio[ratio.length - 1]);
            }
            for (Contender contender : contenders) {
                contender.close();
            }
        }
    }

    private static int positive(String option, String value) {
        try {
            int v = Integer.parseInt(value);
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // below
        }
        usage(option + " needs a positive whole number, got '" + value + "'");
        return 0;
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: RateLimitInterleaved [--threads N] [--keys N] [--rounds N] [--warmup-rounds N] [--slice-ms N]"
                + " [--impls a,b,...]; contenders: " + String.join(", ", Contender.NAMES) + " (redkit-* may end in -alone)");
        System.exit(2);
    }
}
