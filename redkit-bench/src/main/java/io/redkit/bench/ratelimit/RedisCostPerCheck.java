package io.redkit.bench.ratelimit;

import io.redkit.bench.Stats;
import io.redkit.testkit.RedisServer;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one rate-limit check costs Redis, per contender, measured inside Redis rather than as
 * client throughput, so that it holds on a loaded machine: on a fresh embedded Redis per contender,
 * after one check per key and a discarded warm-up round, each round resets the statistics, runs
 * {@code --checks} checks spread uniformly over {@code --keys} keys from {@code --threads} threads,
 * and reads
 *
 * <ul>
 *   <li><b>command µs per check</b>: the time Redis spent executing the contender's top-level
 *       commands ({@code INFO commandstats}, {@code usec}), divided by the checks. A script's time
 *       includes the commands it calls; those nested calls are also listed per check. Bucket4j sends
 *       {@code GET} itself and again inside its compare-and-swap {@code EVAL}: its top-level
 *       {@code GET}s are the {@code GET} calls minus the {@code EVAL} calls, costed at the average
 *       {@code GET};</li>
 *   <li><b>CPU µs per check</b>: the growth of the Redis process's {@code used_cpu_user +
 *       used_cpu_sys} ({@code INFO cpu}), divided by the checks: command execution plus reading,
 *       parsing and answering requests (so a contender that needs two round trips pays twice);</li>
 *   <li><b>client CPU µs per check</b>: the CPU time of this JVM (checking threads, the client
 *       library's I/O threads, GC) divided by the checks: the other half of what a check costs
 *       when client and Redis share the machine, as in {@link RateLimitBenchmark}.</li>
 * </ul>
 *
 * Each figure is the median over {@code --rounds} rounds. Command time is wall-clock inside Redis,
 * so it still stretches when the OS takes the CPU from Redis in the middle of a command on a busy
 * machine; CPU time does not. The defaults match the admitting {@link RateLimitBenchmark} cell that
 * matters most (10,000 keys, every check admitted: 10⁹ per second, Redkit's exact window at its
 * maximum of 100,000 per second). With a {@code --limit} that denies, Redkit answers repeated
 * denials from its local denied cache, as configured by default, so they cost Redis nothing.
 *
 * <pre>{@code
 * java -cp redkit-bench/target/benchmarks.jar io.redkit.bench.ratelimit.RedisCostPerCheck \
 *     [--checks 100000] [--keys 10000] [--threads 16] [--rounds 3] [--limit N] [--window-ms W] [contender ...]
 * }</pre>
 */
public final class RedisCostPerCheck {
    private static final List<String> SCRIPTS = List.of("eval", "evalsha");

    private RedisCostPerCheck() {}

    /** One round's figures. */
    private record Round(double commandUs, double cpuUs, double clientCpuUs, Map<String, Double> callsPerCheck) {}

    public static void main(String[] args) throws InterruptedException {
        int checks = 100_000;
        int keys = 10_000;
        int threads = 16;
        int rounds = 3;
        long limit = RateLimitBenchmark.LIMIT;
        Duration window = RateLimitBenchmark.WINDOW;
        List<String> impls = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--checks" -> checks = Integer.parseInt(args[++i]);
                case "--keys" -> keys = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--limit" -> limit = Long.parseLong(args[++i]);
                case "--window-ms" -> window = Duration.ofMillis(Long.parseLong(args[++i]));
                default -> {
                    if (args[i].startsWith("--")) {
                        throw new IllegalArgumentException("unknown option " + args[i]);
                    }
                    impls.add(args[i]);
                }
            }
        }
        if (impls.isEmpty()) {
            impls.addAll(Arrays.asList(Contender.NAMES));
        }
        RateLimitBenchmark.quietLogs();
        System.out.printf(Locale.ROOT, "%,d checks per round over %,d keys from %d threads, median of %d rounds; limit %,d per %s%n%n",
                checks, keys, threads, rounds, limit, window);
        System.out.println("| contender | Redis command µs per check | Redis CPU µs per check | client CPU µs per check | commands per check |");
        System.out.println("|---|---:|---:|---:|---|");
        for (String impl : impls) {
            List<Round> results = new ArrayList<>();
            try (RedisServer redis = RedisServer.builder().start();
                 Contender contender = Contender.create(impl, redis.url(), limit, window)) {
                String[] names = new String[keys];
                for (int k = 0; k < keys; k++) {
                    names[k] = keys == 1 ? "hot" : "user-" + k;
                    contender.tryAcquire(names[k]);   // per-key objects and state first, as in the benchmark
                }
                run(contender, names, Math.max(1, checks / 4), threads);   // warm-up: JIT, connections, steady state
                for (int r = 0; r < rounds; r++) {
                    results.add(round(redis, contender, names, checks, threads));
                }
            }
            double command = Stats.median(results.stream().mapToDouble(Round::commandUs).toArray());
            double cpu = Stats.median(results.stream().mapToDouble(Round::cpuUs).toArray());
            double client = Stats.median(results.stream().mapToDouble(Round::clientCpuUs).toArray());
            StringBuilder calls = new StringBuilder();
            results.get(results.size() / 2).callsPerCheck().forEach((cmd, n) ->
                    calls.append(calls.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s %.2f", cmd, n)));
            System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %s |%n", impl, command, cpu, client, calls);
        }
    }

    private static Round round(RedisServer redis, Contender contender, String[] names, int checks, int threads)
            throws InterruptedException {
        redis.command("CONFIG", "RESETSTAT");
        double cpuBefore = cpuSeconds(redis);
        long clientBefore = clientCpuNanos();
        run(contender, names, checks, threads);
        long clientAfter = clientCpuNanos();
        double cpuAfter = cpuSeconds(redis);
        Map<String, long[]> stats = commandStats(redis);   // command -> {calls, usec}
        long scriptCalls = 0;
        long commandUsec = 0;
        for (String s : SCRIPTS) {
            long[] v = stats.get(s);
            if (v != null) {
                scriptCalls += v[0];
                commandUsec += v[1];
            }
        }
        Map<String, Double> perCheck = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : stats.entrySet()) {
            String cmd = e.getKey();
            long calls = e.getValue()[0];
            long usec = e.getValue()[1];
            if (cmd.equals("config") || cmd.equals("info")) {
                continue;   // this tool's own
            }
            if (!SCRIPTS.contains(cmd)) {
                // Redkit and Redisson send scripts only, so every other command ran inside one; Bucket4j
                // also sends GET itself, and runs one more GET inside each compare-and-swap EVAL
                long topLevel = contender instanceof Contender.Bucket4jContender && cmd.equals("get")
                        ? Math.max(0, calls - scriptCalls) : 0;
                commandUsec += calls == 0 ? 0 : Math.round((double) usec * topLevel / calls);
                if (topLevel > 0) {
                    perCheck.put(cmd, (double) topLevel / checks);
                }
                if (calls - topLevel > 0) {
                    perCheck.put(cmd + " (in script)", (double) (calls - topLevel) / checks);
                }
            } else {
                perCheck.put(cmd, (double) calls / checks);
            }
        }
        return new Round((double) commandUsec / checks, (cpuAfter - cpuBefore) * 1e6 / checks,
                (clientAfter - clientBefore) / 1e3 / checks, perCheck);
    }

    /** {@code checks} checks over {@code names} from {@code threads} threads. */
    private static void run(Contender contender, String[] names, int checks, int threads) throws InterruptedException {
        AtomicLong left = new AtomicLong(checks);
        List<Thread> started = new ArrayList<>();
        Throwable[] failure = new Throwable[1];
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    while (left.getAndDecrement() > 0) {
                        contender.tryAcquire(names[names.length == 1 ? 0 : rnd.nextInt(names.length)]);
                    }
                } catch (RuntimeException | Error e) {
                    synchronized (failure) {
                        failure[0] = e;
                    }
                }
            }, "cost-" + t);
            th.start();
            started.add(th);
        }
        for (Thread th : started) {
            th.join();
        }
        synchronized (failure) {
            if (failure[0] != null) {
                throw new IllegalStateException("a checking thread failed", failure[0]);
            }
        }
    }

    /** CPU time of this JVM, every thread (the checking threads, the client's I/O threads, GC). */
    private static long clientCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double cpuSeconds(RedisServer redis) {
        return Double.parseDouble(redis.info("used_cpu_user")) + Double.parseDouble(redis.info("used_cpu_sys"));
    }

    /** {@code cmdstat_<name>:calls=..,usec=..,...} lines as name -> {calls, usec}, sorted by name. */
    private static Map<String, long[]> commandStats(RedisServer redis) {
        Map<String, long[]> stats = new TreeMap<>();
        for (String line : ((String) redis.command("INFO", "commandstats")).split("\r?\n")) {
            if (!line.startsWith("cmdstat_")) {
                continue;
            }
            String name = line.substring("cmdstat_".length(), line.indexOf(':'));
            long calls = 0;
            long usec = 0;
            for (String field : line.substring(line.indexOf(':') + 1).split(",")) {
                String[] kv = field.split("=", 2);
                if (kv[0].equals("calls")) calls = Long.parseLong(kv[1]);
                if (kv[0].equals("usec")) usec = Long.parseLong(kv[1]);
            }
            stats.put(name, new long[]{calls, usec});
        }
        return stats;
    }
}
