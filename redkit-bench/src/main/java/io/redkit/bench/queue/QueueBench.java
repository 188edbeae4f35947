package io.redkit.bench.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;
import io.redkit.queue.JobOptions;
import io.redkit.queue.JobQueue;
import io.redkit.queue.NewJob;
import io.redkit.queue.QueueOptions;
import io.redkit.queue.Retention;
import io.redkit.queue.Worker;
import io.redkit.queue.WorkerOptions;
import io.redkit.testkit.RedisServer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Redkit's queue side by side with BullMQ on the same Redis in the same run. Starts an embedded
 * Redis (the testkit's, Redis 6.2), runs each round's Redkit scenarios and then
 * {@code redkit-bench/bullmq/bench.js} against it, and prints medians and ratios.
 *
 * <pre>
 * mvn -q -o -pl redkit-queue install &amp;&amp; mvn -q -o -pl redkit-bench package -DskipTests
 * (cd redkit-bench/bullmq &amp;&amp; npm ci)
 * java -cp redkit-bench/target/benchmarks.jar io.redkit.bench.queue.QueueBench [--rounds 3] [--n 50000] [--bullmq redkit-bench/bullmq]
 * </pre>
 *
 * Scenarios (both sides: 100-byte JSON payload, completed jobs deleted at once — BullMQ
 * {@code removeOnComplete: true}, Redkit {@code Retention.none()} — events on with the defaults):
 * drain N waiting jobs with one worker at concurrency 50 and a no-op handler; produce N jobs (50 adds
 * in flight) while that worker consumes; bulk add N jobs in one call; single adds with 50 in
 * flight; Redis bytes per waiting job (100-byte and tiny payload); enqueue-to-start latency p50/p99
 * at half of the side's own produce-while-consume rate, after one discarded warm-up pass on each side.
 */
public final class QueueBench {
    private static final int CONCURRENCY = 50;
    private static final Map<String, String> PAYLOAD = Map.of("p", "x".repeat(94)); // {"p":"xxx..."} = 100 bytes

    private QueueBench() {}

    public static void main(String[] args) throws Exception {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        int rounds = Integer.parseInt(opt(args, "--rounds", "3"));
        int n = Integer.parseInt(opt(args, "--n", "50000"));
        Path bullmq = Path.of(opt(args, "--bullmq", "redkit-bench/bullmq"));
        String node = opt(args, "--node", "node");
        boolean skipBullmq = Arrays.asList(args).contains("--no-bullmq");
        if (!skipBullmq && !Files.isDirectory(bullmq.resolve("node_modules/bullmq"))) {
            throw new IllegalStateException("BullMQ is not installed in " + bullmq.toAbsolutePath()
                    + ": run (cd " + bullmq + " && npm ci) first, or pass --bullmq DIR or --no-bullmq");
        }
        try (RedisServer redis = RedisServer.builder().start()) {
            System.out.printf("Redis %s on port %d; %d rounds of %,d jobs; %d cores%n", redis.version(), redis.port(), rounds, n,
                    Runtime.getRuntime().availableProcessors());
            List<Map<String, Double>> redkitRounds = new ArrayList<>();
            List<Map<String, Double>> bullRounds = new ArrayList<>();
            String bullVersion = "-";
            for (int r = 1; r <= rounds; r++) {
                Map<String, Double> rk = redkitRound(redis, n);
                redkitRounds.add(rk);
                System.out.println("round " + r + " redkit " + rk);
                if (!skipBullmq) {
                    redis.flushAll();
                    JsonNode b = bullmqRound(node, bullmq, redis.port(), n);
                    bullVersion = b.get("version").asText();
                    Map<String, Double> bm = new LinkedHashMap<>();
                    for (String key : List.of("drain", "produceConsume", "bulkAdd", "singleAdd", "bytesPerJob", "bytesPerJobTiny",
                            "latencyP50Ms", "latencyP99Ms")) {
                        if (b.has(key)) bm.put(key, b.get(key).asDouble());
                    }
                    bullRounds.add(bm);
                    System.out.println("round " + r + " bullmq " + bm);
                }
                redis.flushAll();
            }
            print(redis.version(), bullVersion, rounds, n, redkitRounds, bullRounds);
        }
    }

    private static String opt(String[] args, String name, String dflt) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) return args[i + 1];
        }
        return dflt;
    }

    // ---------------------------------------------------------------- Redkit side

    static Map<String, Double> redkitRound(RedisServer redis, int n) throws Exception {
        Map<String, Double> out = new LinkedHashMap<>();
        RedkitConfig config = RedkitConfig.builder().redisUrl(redis.url())
                .connectTimeout(Duration.ofSeconds(10)).commandTimeout(Duration.ofSeconds(10)).build();
        QueueOptions options = QueueOptions.builder().completedRetention(Retention.none()).build();
        try (Redkit redkit = Redkit.create(config)) {
            redis.flushAll();
            out.put("drain", drain(JobQueue.create(redkit, "drain", options), n));
            redis.flushAll();
            double pc = produceConsume(JobQueue.create(redkit, "pc", options), n);
            out.put("produceConsume", pc);
            redis.flushAll();
            out.put("bulkAdd", bulkAdd(JobQueue.create(redkit, "bulk", options), n));
            redis.flushAll();
            out.put("singleAdd", singleAdd(JobQueue.create(redkit, "single", options), n));
            redis.flushAll();
            out.put("bytesPerJob", bytesPerJob(redis, JobQueue.create(redkit, "mem", options), PAYLOAD));
            redis.flushAll();
            out.put("bytesPerJobTiny", bytesPerJob(redis, JobQueue.create(redkit, "mem", options), Map.of("i", 1)));
            redis.flushAll();
            latency(JobQueue.create(redkit, "warm", options), pc / 2); // warm-up pass, discarded (JIT)
            redis.flushAll();
            double[] lat = latency(JobQueue.create(redkit, "lat", options), pc / 2);
            out.put("latencyP50Ms", lat[0]);
            out.put("latencyP99Ms", lat[1]);
        }
        return out;
    }

    private static WorkerOptions workerOptions() {
        return WorkerOptions.builder().concurrency(CONCURRENCY).build();
    }

    private static void awaitCompleted(JobQueue q, long n) {
        long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (q.stats().completed() < n) {
            if (System.nanoTime() > until) throw new IllegalStateException("jobs did not complete in 5 minutes");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    static double drain(JobQueue q, int n) throws Exception {
        List<NewJob> jobs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) jobs.add(NewJob.of("t", PAYLOAD));
        q.addBulk(jobs);
        CountDownLatch handled = new CountDownLatch(n);
        long t0 = System.nanoTime();
        try (Worker w = q.worker(job -> {
            handled.countDown();
            return null;
        }, workerOptions())) {
            handled.await(5, TimeUnit.MINUTES);
            awaitCompleted(q, n);
            double secs = (System.nanoTime() - t0) / 1e9;
            if (w.activeCount() < 0) throw new IllegalStateException();
            return n / secs;
        }
    }

    static double produceConsume(JobQueue q, int n) throws Exception {
        CountDownLatch handled = new CountDownLatch(n);
        try (Worker w = q.worker(job -> {
            handled.countDown();
            return null;
        }, workerOptions())) {
            long t0 = System.nanoTime();
            addWithInFlight(q, n, 50);
            handled.await(5, TimeUnit.MINUTES);
            awaitCompleted(q, n);
            if (w.activeCount() < 0) throw new IllegalStateException();
            return n / ((System.nanoTime() - t0) / 1e9);
        }
    }

    private static void addWithInFlight(JobQueue q, int n, int inFlight) throws InterruptedException {
        Semaphore lanes = new Semaphore(inFlight);
        AtomicInteger failures = new AtomicInteger();
        for (int i = 0; i < n; i++) {
            lanes.acquire();
            // the continuation only releases a permit, so running it on the Redis client thread is safe here
            q.addAsync("t", PAYLOAD, JobOptions.defaults(), Runnable::run).whenComplete((id, e) -> {
                if (e != null) failures.incrementAndGet();
                lanes.release();
            });
        }
        lanes.acquire(inFlight);
        if (failures.get() > 0) throw new IllegalStateException(failures.get() + " adds failed");
    }

    static double bulkAdd(JobQueue q, int n) {
        List<NewJob> jobs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) jobs.add(NewJob.of("t", PAYLOAD));
        long t0 = System.nanoTime();
        q.addBulk(jobs);
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    static double singleAdd(JobQueue q, int n) throws InterruptedException {
        long t0 = System.nanoTime();
        addWithInFlight(q, n, 50);
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    static double bytesPerJob(RedisServer redis, JobQueue q, Object payload) {
        q.add("t", payload); // the queue's own keys first
        long before = Long.parseLong(redis.info("used_memory"));
        int n = 10_000;
        for (int i = 0; i < n; i += 500) {
            List<NewJob> jobs = new ArrayList<>(500);
            for (int j = 0; j < 500; j++) jobs.add(NewJob.of("t", payload));
            q.addBulk(jobs);
        }
        long after = Long.parseLong(redis.info("used_memory"));
        return (after - before) / (double) n;
    }

    record Stamp(long t, String p) {
    }

    static double[] latency(JobQueue q, double rate) throws Exception {
        int total = (int) Math.max(1000, Math.min(20_000, Math.round(rate * 4)));
        long[] samples = new long[total];
        AtomicInteger k = new AtomicInteger();
        CountDownLatch handled = new CountDownLatch(total);
        try (Worker w = q.worker(job -> {
            long started = System.nanoTime();
            int i = k.getAndIncrement();
            if (i < total) samples[i] = started - job.payload(Stamp.class).t();
            handled.countDown();
            return null;
        }, workerOptions())) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200)); // let the worker reach its blocking wait
            long t0 = System.nanoTime();
            double intervalNs = 1e9 / rate;
            Semaphore inFlight = new Semaphore(1000);
            for (int i = 0; i < total; i++) {
                long due = t0 + (long) (i * intervalNs);
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait); // no spinning: the producer must not take a core from the worker
                }
                inFlight.acquire();
                q.addAsync("t", new Stamp(System.nanoTime(), PAYLOAD.get("p")), JobOptions.defaults(), Runnable::run)
                        .whenComplete((id, e) -> inFlight.release());
            }
            handled.await(5, TimeUnit.MINUTES);
            if (w.activeCount() < 0) throw new IllegalStateException();
        }
        Arrays.sort(samples);
        return new double[]{samples[(int) (0.5 * total)] / 1e6, samples[Math.min(total - 1, (int) (0.99 * total))] / 1e6};
    }

    // ---------------------------------------------------------------- BullMQ side

    static JsonNode bullmqRound(String node, Path dir, int port, int n) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(node, "bench.js", "--port", String.valueOf(port), "--n", String.valueOf(n))
                .directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("bench.js failed: " + out);
        }
        String last = out.strip().lines().reduce((a, b) -> b).orElse("{}");
        return new ObjectMapper().readTree(last);
    }

    // ---------------------------------------------------------------- report

    private static double median(List<Map<String, Double>> rounds, String key) {
        double[] v = rounds.stream().mapToDouble(m -> m.getOrDefault(key, Double.NaN)).sorted().toArray();
        if (v.length == 0) return Double.NaN;
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static void print(String redisVersion, String bullVersion, int rounds, int n, List<Map<String, Double>> rk,
                              List<Map<String, Double>> bm) {
        String[][] rows = {
                {"drain", "drain " + n + " waiting jobs, concurrency 50 (jobs/s)", "higher"},
                {"produceConsume", "produce while consuming (jobs/s)", "higher"},
                {"bulkAdd", "bulk add, one call (jobs/s)", "higher"},
                {"singleAdd", "single adds, 50 in flight (jobs/s)", "higher"},
                {"bytesPerJob", "Redis bytes per waiting job, 100-byte payload", "lower"},
                {"bytesPerJobTiny", "Redis bytes per waiting job, tiny payload", "lower"},
                {"latencyP50Ms", "enqueue-to-start p50 at half max rate (ms)", "lower"},
                {"latencyP99Ms", "enqueue-to-start p99 at half max rate (ms)", "lower"},
        };
        System.out.println();
        System.out.printf("Medians of %d rounds; Redis %s (embedded); BullMQ %s; N = %,d%n", rounds, redisVersion, bullVersion, n);
        System.out.println("| Scenario | Redkit | BullMQ | Redkit vs BullMQ (above 1 = Redkit better) |");
        System.out.println("|---|---:|---:|---:|");
        for (String[] row : rows) {
            double a = median(rk, row[0]);
            double b = median(bm, row[0]);
            double r = row[2].equals("higher") ? a / b : b / a;
            String ratio = Double.isNaN(b) ? "-" : String.format("%.2fx%s", r, r >= 1 ? "" : " (BullMQ better)");
            System.out.printf("| %s | %s | %s | %s |%n", row[1], fmt(a), fmt(b), ratio);
        }
    }

    private static String fmt(double v) {
        if (Double.isNaN(v)) return "-";
        return v >= 100 ? String.format("%,.0f", v) : String.format("%.2f", v);
    }
}
