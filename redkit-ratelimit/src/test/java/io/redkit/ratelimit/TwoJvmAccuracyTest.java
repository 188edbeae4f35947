package io.redkit.ratelimit;

import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The exact window's guarantee under real concurrency: 64 threads in this JVM and 64 in a second
 * JVM process hammer one key.
 */
@WithRedis
class TwoJvmAccuracyTest {
    private static final int THREADS = 64;

    @Test
    void aWindowLongerThanTheRunAdmitsExactlyTheLimit(RedisServer redis, @TempDir Path dir) throws Exception {
        List<Hammer.Admission> all = hammerFromTwoJvms(redis, dir, 500, Duration.ofMinutes(1), Duration.ofMillis(1500), false);
        // Whichever JVM wins the race may take the whole limit; both compete for it.
        // Redis's log is the ground truth: exactly the limit. The clients saw at most that many
        // (an answer that timed out on a loaded machine is a denial to the client).
        assertThat((Long) redis.command("ZCARD", "redkit:session:rl:two-jvm:sw:{shared}")).isEqualTo(500);
        assertThat(all).as("admitted across both JVMs").hasSizeLessThanOrEqualTo(500).hasSizeGreaterThan(450);
    }

    @Test
    void noWindowOfTheSlidingRunHoldsMoreThanTheLimit(RedisServer redis, @TempDir Path dir) throws Exception {
        long limit = 60;
        Duration window = Duration.ofMillis(400);
        List<Hammer.Admission> all = hammerFromTwoJvms(redis, dir, limit, window, Duration.ofMillis(2500), true);
        long w = window.toNanos() / 1000;
        // Redis decided each admission at a time within [send, receive]. An admission surely lies
        // in the window (a - w, a] when send > a - w and receive <= a; count those for windows
        // ending at every receive time.
        all.sort(Comparator.comparingLong(Hammer.Admission::receiveMicros));
        for (Hammer.Admission end : all) {
            long a = end.receiveMicros();
            long surelyInside = all.stream().filter(x -> x.sendMicros() > a - w && x.receiveMicros() <= a).count();
            assertThat(surelyInside).as("admissions surely inside the window ending at %d", a).isLessThanOrEqualTo(limit);
        }
        // and the limiter kept admitting window after window (the run spans 6 windows)
        assertThat(all.size()).isGreaterThanOrEqualTo((int) limit * 4);
    }

    @Test
    void theCounterStaysWithinItsBoundsUnderConcurrency(RedisServer redis) throws Exception {
        long limit = 60;
        Duration window = Duration.ofMillis(400);
        RatePolicy counter = RatePolicy.builder("counter-race").limit(limit).window(window)
                .algorithm(Algorithm.SLIDING_COUNTER).failureMode(FailureMode.CLOSED).build();
        List<Hammer.Admission> all;
        try (Redkit redkit = Redkit.create(RedkitConfig.fromUrl(redis.url(0)).toBuilder().connectTimeout(Duration.ofSeconds(10)).build())) {
            RateLimiter limiter = RateLimiter.create(redkit);
            limiter.inspect(counter, "warm-up");   // connect before the clock starts
            all = Hammer.run(limiter, counter, "{shared}", THREADS, Duration.ofMillis(2000));
        }
        long w = window.toNanos() / 1000;
        all.sort(Comparator.comparingLong(Hammer.Admission::receiveMicros));
        for (Hammer.Admission end : all) {
            long a = end.receiveMicros();
            long bucketStart = a - Math.floorMod(a, w);
            long inBucket = all.stream().filter(x -> x.sendMicros() >= bucketStart && x.receiveMicros() <= a).count();
            assertThat(inBucket).as("admissions surely inside the aligned bucket at %d", bucketStart).isLessThanOrEqualTo(limit);
            long inWindow = all.stream().filter(x -> x.sendMicros() > a - w && x.receiveMicros() <= a).count();
            assertThat(inWindow).as("admissions surely inside the window ending at %d", a).isLessThan(2 * limit);
        }
        assertThat(all.size()).as("admissions; decisions were %s", Hammer.OUTCOMES).isGreaterThanOrEqualTo((int) limit * 3);
    }

    /** The child's next READY/DONE line; its log lines (stdout too) are skipped. */
    private static String protocolLine(BufferedReader in) throws java.io.IOException {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.startsWith("READY") || line.startsWith("DONE")) {
                return line;
            }
        }
        return null;
    }

    private static List<Hammer.Admission> hammerFromTwoJvms(RedisServer redis, Path dir, long limit, Duration window,
                                                          Duration run, boolean requireChildAdmissions) throws Exception {
        Path out = dir.resolve("child.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Hammer.class.getName(),
                redis.url(0), String.valueOf(limit), String.valueOf(window.toMillis()), "{shared}", String.valueOf(THREADS),
                String.valueOf(run.toMillis()), out.toString())
                .redirectError(dir.resolve("child.err").toFile())
                .start();
        try (Redkit redkit = Redkit.create(RedkitConfig.fromUrl(redis.url(0)).toBuilder().connectTimeout(Duration.ofSeconds(10)).build());
             BufferedReader childOut = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
             Writer childIn = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8)) {
            RateLimiter limiter = RateLimiter.create(redkit);
            RatePolicy policy = Hammer.policy(limit, window);
            limiter.inspect(policy, "warm-up");
            assertThat(protocolLine(childOut)).as("child JVM ready (stderr in %s)", dir).isEqualTo("READY");
            childIn.write("GO\n");
            childIn.flush();
            List<Hammer.Admission> all = new ArrayList<>(Hammer.run(limiter, policy, "{shared}", THREADS, run));
            String done = protocolLine(childOut);
            assertThat(done).as("child JVM finished (stderr: %s)", dir.resolve("child.err")).startsWith("DONE");
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).isZero();
            int fromChild = 0;
            for (String line : Files.readAllLines(out)) {
                String[] p = line.split(" ");
                all.add(new Hammer.Admission(Long.parseLong(p[0]), Long.parseLong(p[1])));
                fromChild++;
            }
            assertThat(Long.parseLong(done.split(" ")[2])).as("the second JVM hammered too").isPositive();
            if (requireChildAdmissions) {
                assertThat(fromChild).as("the second JVM got admissions too").isPositive();
            }
            return all;
        } finally {
            child.destroyForcibly();
        }
    }
}
