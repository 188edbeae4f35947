package io.redkit.ratelimit;

import io.redkit.core.Redkit;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server clock, proven without a fake one: this JVM and a second JVM ({@link SkewedClockPeer})
 * whose local clocks ({@link RateLimiterOptions#localClock()}) are 7 minutes apart — more than the
 * 2-minute windows — check the same keys on one Redis with default options (Redis {@code TIME}).
 * Were either limiter to take the time of a check from its own clock, the other would not see its
 * admissions inside its window and would admit more, or see them in the future and report
 * retry-afters minutes off.
 */
@WithRedis
class ServerClockTest {
    private static final Duration HERE = Duration.ofMinutes(3);
    private static final Duration THERE = Duration.ofMinutes(-4);

    /** The second JVM, spoken to line by line. */
    private static final class Peer implements AutoCloseable {
        final Process process;
        final BufferedReader out;
        final Writer in;
        final Path err;

        Peer(RedisServer redis, Path dir) throws IOException {
            err = dir.resolve("peer.err");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), SkewedClockPeer.class.getName(),
                    redis.url(), String.valueOf(THERE.toSeconds()))
                    .redirectError(err.toFile()).start();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        }

        /** The next answer line, without its {@code R }; log lines are skipped. */
        String answer() throws IOException {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("R ")) {
                    return line.substring(2);
                }
            }
            throw new AssertionError("the second JVM ended; its stderr is in " + err);
        }

        void send(String command) throws IOException {
            in.write(command + "\n");
            in.flush();
        }

        String ask(String command) throws IOException {
            send(command);
            return answer();
        }

        @Override
        public void close() throws IOException {
            try {
                send("QUIT");
                assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("second JVM exits").isTrue();
                assertThat(process.exitValue()).as("second JVM's exit status (stderr in %s)", err).isZero();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            } finally {
                process.destroyForcibly();
            }
        }
    }

    private record Seen(String who, long sentNanos, long answeredNanos, String[] decision) {
        boolean allowed() {
            return Boolean.parseBoolean(decision[0]);
        }

        long remaining() {
            return Long.parseLong(decision[1]);
        }

        long retryAfterMicros() {
            return Long.parseLong(decision[2]);
        }
    }

    @Test
    void twoProcessesWhoseClocksAreMinutesApartAgreeOnEveryDecision(RedisServer redis, @TempDir Path dir) throws Exception {
        try (Peer peer = new Peer(redis, dir); Redkit redkit = SkewedClockPeer.redkit(redis.url());
             RateLimiter limiter = SkewedClockPeer.limiter(redkit, HERE)) {
            String ready = peer.answer();
            assertThat(ready).startsWith("READY");
            long theirs = Long.parseLong(ready.split(" ")[1]);
            long ours = java.time.Clock.offset(java.time.Clock.systemUTC(), HERE).millis();
            assertThat(ours - theirs).as("the two local clocks disagree by about 7 minutes")
                    .isBetween(Duration.ofMinutes(7).toMillis(), Duration.ofMinutes(7).plusSeconds(60).toMillis());

            // both alternate on one key per algorithm: one sequence of decisions, as if one process made them
            for (Algorithm algorithm : Algorithm.values()) {
                RatePolicy policy = SkewedClockPeer.policy(algorithm);
                String key = "{alternate}";
                List<Seen> seen = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    long sent = System.nanoTime();
                    String d = i % 2 == 0 ? SkewedClockPeer.describe(limiter.check(policy, key))
                            : peer.ask("CHECK " + algorithm.name() + " " + key);
                    seen.add(new Seen(i % 2 == 0 ? "here" : "there", sent, System.nanoTime(), d.split(" ")));
                }
                for (int i = 0; i < seen.size(); i++) {
                    Seen s = seen.get(i);
                    String as = algorithm + " check " + i + " (" + s.who() + "): " + String.join(" ", s.decision());
                    assertThat(s.allowed()).as(as).isEqualTo(i < 5);
                    assertThat(s.remaining()).as(as).isEqualTo(Math.max(0, 4 - i));
                    assertThat(s.decision()[5]).as(as).isEqualTo("REDIS");
                    if (i >= 5) {
                        // (the counter may wait for up to two windows: the previous bucket's weight)
                        assertThat(s.retryAfterMicros()).as(as).isPositive()
                                .isLessThanOrEqualTo(2 * SkewedClockPeer.WINDOW.toNanos() / 1000);
                    }
                    if (i > 5) {
                        // both name the same instant: the retry-after shrinks by no more than the real time
                        // from sending the previous check to receiving this answer
                        Seen before = seen.get(i - 1);
                        long shrank = before.retryAfterMicros() - s.retryAfterMicros();
                        long elapsedMicros = (s.answeredNanos() - before.sentNanos()) / 1000;
                        assertThat(shrank).as(as + ": retry-after shrank (us) vs elapsed " + elapsedMicros + " us")
                                .isBetween(0L, elapsedMicros);
                    }
                }
            }

            // both hammer one exact limit at once: exactly the limit is admitted across the two
            peer.send("HAMMER {hammered} 8 40");
            CompletableFuture<Integer> here = CompletableFuture.supplyAsync(() -> {
                try {
                    return SkewedClockPeer.hammer(limiter, "{hammered}", 8, 40);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            int there = Integer.parseInt(peer.answer());
            int total = here.get(120, TimeUnit.SECONDS) + there;
            assertThat(total).as("admitted here %s, there %s", here.get(), there).isEqualTo(50);
        }
    }
}
