package io.redkit.ratelimit;

import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Many threads checking one key of an exact policy as fast as they can, recording for each admitted
 * request the wall-clock interval (send, receive) in which Redis decided. Runs inside the test JVM
 * and, through {@link #main}, in a second JVM.
 */
final class Hammer {
    /** One admitted request: Redis's TIME lies within [send, receive] (same host, same clock). */
    record Admission(long sendMicros, long receiveMicros) {}

    private Hammer() {}

    /** The exact policy under test; failing closed, so a slow answer can never count as an admission. */
    static RatePolicy policy(long limit, Duration window) {
        return RatePolicy.builder("two-jvm").limit(limit).window(window).failureMode(FailureMode.CLOSED).build();
    }

    static long nowMicros() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000;
    }

    /** Checks made by the last {@link #run} in this JVM. */
    static final java.util.concurrent.atomic.AtomicLong ATTEMPTS = new java.util.concurrent.atomic.AtomicLong();

    /** Decisions of the last {@link #run} by reason and source, for failure messages. */
    static final java.util.Map<String, java.util.concurrent.atomic.LongAdder> OUTCOMES = new java.util.concurrent.ConcurrentHashMap<>();

    static List<Admission> run(RateLimiter limiter, RatePolicy policy, String key, int threads, Duration duration)
            throws InterruptedException {
        ATTEMPTS.set(0);
        OUTCOMES.clear();
        List<List<Admission>> perThread = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(threads);
        long deadline = System.nanoTime() + duration.toNanos();
        List<Thread> started = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<Admission> mine = new ArrayList<>();
            perThread.add(mine);
            Thread th = new Thread(() -> {
                try {
                    while (System.nanoTime() < deadline) {
                        long send = nowMicros();
                        Decision d = limiter.check(policy, key);
                        long receive = nowMicros();
                        ATTEMPTS.incrementAndGet();
                        OUTCOMES.computeIfAbsent(d.reason() + "/" + d.source(), k -> new java.util.concurrent.atomic.LongAdder()).increment();
                        if (d.allowed()) {
                            if (d.source() != Decision.Source.REDIS) {
                                throw new AssertionError("admitted without Redis: " + d);
                            }
                            mine.add(new Admission(send, receive));
                        } else if (d.source() == Decision.Source.DENIED_CACHE) {
                            // a client answered 429 locally comes back later; 128 threads spinning on
                            // the cache would starve Redis and the I/O threads of this 2-core machine
                            LockSupport.parkNanos(1_000_000);
                        }
                    }
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                } finally {
                    done.countDown();
                }
            }, "hammer-" + t);
            th.start();
            started.add(th);
        }
        if (!done.await(duration.toMillis() + 30_000, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("hammer threads did not finish");
        }
        for (Thread th : started) {
            th.join();
        }
        if (!failures.isEmpty()) {
            throw new AssertionError("a hammer thread failed", failures.get(0));
        }
        List<Admission> all = new ArrayList<>();
        perThread.forEach(all::addAll);
        return all;
    }

    /**
     * Second-JVM entry: {@code <redis-url> <limit> <window-ms> <key> <threads> <duration-ms> <out-file>}.
     * Connects, prints {@code READY}, waits for a line on stdin, hammers, writes one
     * {@code send receive} line per admission to the file and prints {@code DONE}.
     */
    public static void main(String[] args) throws Exception {
        RatePolicy policy = policy(Long.parseLong(args[1]), Duration.ofMillis(Long.parseLong(args[2])));
        try (Redkit redkit = Redkit.create(RedkitConfig.fromUrl(args[0]).toBuilder().connectTimeout(Duration.ofSeconds(10)).build())) {
            RateLimiter limiter = RateLimiter.create(redkit);
            limiter.inspect(policy, "warm-up");
            System.out.println("READY");
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            if (in.readLine() == null) {
                throw new IOException("parent closed stdin before GO");
            }
            List<Admission> admitted = run(limiter, policy, args[3], Integer.parseInt(args[4]),
                    Duration.ofMillis(Long.parseLong(args[5])));
            try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(args[6])))) {
                for (Admission a : admitted) {
                    out.println(a.sendMicros() + " " + a.receiveMicros());
                }
            }
            System.out.println("DONE " + admitted.size() + " " + ATTEMPTS.get());
            System.out.flush();
        }
    }
}
