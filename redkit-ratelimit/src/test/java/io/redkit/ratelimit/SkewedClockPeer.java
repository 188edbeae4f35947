package io.redkit.ratelimit;

import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The second process of {@link ServerClockTest}: a limiter whose local clock is off by a given
 * offset, driven line by line on stdin. Commands: {@code CHECK <algorithm> <key>} answers
 * {@code R <decision>} ({@link #describe}); {@code HAMMER <key> <threads> <attempts>} answers
 * {@code R <admitted>}; {@code QUIT}. Log lines may also appear on stdout; answers start with {@code R }.
 */
public final class SkewedClockPeer {
    /** The window of the policies: shorter than the skew of the test, so a client clock would show. */
    static final Duration WINDOW = Duration.ofMinutes(2);

    private SkewedClockPeer() {}

    /** Five per two minutes under {@code algorithm}. */
    static RatePolicy policy(Algorithm algorithm) {
        return RatePolicy.builder("skew-" + algorithm.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                .limit(5).window(WINDOW).algorithm(algorithm).failureMode(FailureMode.CLOSED).build();
    }

    /** Fifty per two minutes, exact: the policy hammered from both processes. */
    static final RatePolicy HAMMERED = RatePolicy.builder("skew-hammered").limit(50).window(WINDOW)
            .failureMode(FailureMode.CLOSED).build();

    static Redkit redkit(String url) {
        return Redkit.create(RedkitConfig.fromEnv(Map.of("REDIS_URL", url, "REDIS_COMMAND_TIMEOUT", "5s",
                "REDIS_CONNECT_TIMEOUT", "10s")));
    }

    /** Default options (Redis {@code TIME}), every check to Redis, a local clock {@code offset} off. */
    static RateLimiter limiter(Redkit redkit, Duration offset) {
        return RateLimiter.create(redkit, RateLimiterOptions.builder()
                .localClock(Clock.offset(Clock.systemUTC(), offset)).deniedCacheSize(0).build());
    }

    /** {@code <allowed> <remaining> <retry-after us> <reset-after us> <reason> <source>}. */
    static String describe(Decision d) {
        return d.allowed() + " " + d.remaining() + " " + d.retryAfter().toNanos() / 1000 + " " + d.resetAfter().toNanos() / 1000
                + " " + d.reason() + " " + d.source();
    }

    /** {@code threads} threads, started together, each checking {@code attempts} times; the admissions. */
    static int hammer(RateLimiter limiter, String key, int threads, int attempts) throws InterruptedException {
        AtomicInteger admitted = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < attempts; i++) {
                    if (limiter.check(HAMMERED, key).allowed()) {
                        admitted.incrementAndGet();
                    }
                }
            });
            th.start();
            all.add(th);
        }
        go.countDown();
        for (Thread th : all) {
            th.join();
        }
        return admitted.get();
    }

    /** {@code <redis-url> <local clock offset in seconds>}. */
    public static void main(String[] args) throws Exception {
        try (Redkit redkit = redkit(args[0]); RateLimiter limiter = limiter(redkit, Duration.ofSeconds(Long.parseLong(args[1])))) {
            limiter.inspect(HAMMERED, "warm-up");
            System.out.println("R READY " + Clock.offset(Clock.systemUTC(), Duration.ofSeconds(Long.parseLong(args[1]))).millis());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null && !line.equals("QUIT"); line = in.readLine()) {
                String[] p = line.split(" ");
                String answer = switch (p[0]) {
                    case "CHECK" -> describe(limiter.check(policy(Algorithm.valueOf(p[1])), p[2]));
                    case "HAMMER" -> String.valueOf(hammer(limiter, p[1], Integer.parseInt(p[2]), Integer.parseInt(p[3])));
                    default -> throw new IllegalArgumentException("unknown command: " + line);
                };
                System.out.println("R " + answer);
                System.out.flush();
            }
        }
    }
}
