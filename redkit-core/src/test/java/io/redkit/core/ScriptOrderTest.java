package io.redkit.core;

import io.lettuce.core.ScriptOutputType;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Script commands that one caller sends in order run in that order, whether or not Redis had the
 * script: on first use, after {@code SCRIPT FLUSH}, with other commands in flight.
 */
@WithRedis
class ScriptOrderTest {
    private static final RedisScript PUSH = RedisScript.of("push.lua", "return redis.call('RPUSH', KEYS[1], ARGV[1])");

    private static RedkitConfig config(RedisServer redis) {
        return RedkitConfig.builder().redisUrl(redis.url())
                .connectTimeout(Duration.ofSeconds(5)).commandTimeout(Duration.ofSeconds(5)).build();
    }

    private static List<String> list(RedisNamespace ns, String key) {
        List<String> out = new ArrayList<>();
        for (byte[] v : ns.sync().lrange(key, 0, -1)) {
            out.add(new String(v, StandardCharsets.UTF_8));
        }
        return out;
    }

    /** A busy EVAL (sent by body, never NOSCRIPT) that keeps Redis from answering for about {@code ms}. */
    private static CompletableFuture<Object> busy(RedisNamespace ns, int ms) {
        String body = "local t = redis.call('TIME'); local start = t[1] * 1000000 + t[2]; "
                + "while true do local n = redis.call('TIME'); if n[1] * 1000000 + n[2] - start > " + (ms * 1000) + " then break end end; return 1";
        return ns.async().eval(body, ScriptOutputType.INTEGER, new String[0]).toCompletableFuture();
    }

    @Test
    void aScriptsFirstUseRunsBeforeTheCallsSentAfterIt(RedisServer redis) throws Exception {
        RedisScript other = RedisScript.of("push-other.lua", "-- another script\nreturn redis.call('RPUSH', KEYS[1], ARGV[1])");
        RedisScript fresh = RedisScript.of("push-fresh.lua", "-- never used before\nreturn redis.call('RPUSH', KEYS[1], ARGV[1])");
        try (Redkit redkit = Redkit.create(config(redis))) {
            RedisNamespace ns = redkit.namespace(Namespace.QUEUE);
            String key = ns.key("{order}", "first-use");
            ns.evalSync(other, ScriptOutputType.INTEGER, new String[]{key}, "0");

            // fresh is not in Redis' script cache, other is. The busy script in front makes Redis read
            // X1, Y1 and X2 before it answers any of them: a NOSCRIPT fallback sent from X1's reply
            // would then run after Y1.
            CompletableFuture<Object> slow = busy(ns, 200);
            CompletableFuture<Object> x1 = ns.eval(fresh, ScriptOutputType.INTEGER, new String[]{key}, "x1");
            CompletableFuture<Object> y1 = ns.eval(other, ScriptOutputType.INTEGER, new String[]{key}, "y1");
            CompletableFuture<Object> x2 = ns.eval(fresh, ScriptOutputType.INTEGER, new String[]{key}, "x2");
            CompletableFuture.allOf(slow, x1, y1, x2).get(10, TimeUnit.SECONDS);

            assertThat(list(ns, key)).containsExactly("0", "x1", "y1", "x2");
        }
    }

    @Test
    void pipelinedCallersKeepTheirOrderWhileTheScriptCacheIsFlushedOverAndOver(RedisServer redis) throws Exception {
        RedisScript a = RedisScript.of("push-a.lua", "-- a\nreturn redis.call('RPUSH', KEYS[1], ARGV[1])");
        RedisScript b = RedisScript.of("push-b.lua", "-- b\nreturn redis.call('RPUSH', KEYS[1], ARGV[1])");
        int threads = 6;
        int rounds = 60;
        int perRound = 20;
        try (Redkit redkit = Redkit.create(config(redis))) {
            RedisNamespace ns = redkit.namespace(Namespace.QUEUE);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicInteger flushes = new AtomicInteger();
            Thread flusher = new Thread(() -> {
                while (!stop.get()) {
                    redis.command("SCRIPT", "FLUSH");
                    flushes.incrementAndGet();
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            flusher.start();
            CountDownLatch done = new CountDownLatch(threads);
            for (int t = 0; t < threads; t++) {
                String key = ns.key("{order}", "stress-" + t);
                boolean sync = t % 3 == 2;
                new Thread(() -> {
                    try {
                        int n = 0;
                        for (int r = 0; r < rounds; r++) {
                            List<CompletableFuture<Object>> sent = new ArrayList<>();
                            for (int i = 0; i < perRound; i++) {
                                RedisScript s = (i % 2 == 0) ? a : b;
                                if (sync) {
                                    ns.evalSync(s, ScriptOutputType.INTEGER, new String[]{key}, n++);
                                } else {
                                    sent.add(ns.eval(s, ScriptOutputType.INTEGER, new String[]{key}, n++));
                                }
                            }
                            CompletableFuture.allOf(sent.toArray(new CompletableFuture<?>[0])).get(20, TimeUnit.SECONDS);
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        done.countDown();
                    }
                }).start();
            }
            assertThat(done.await(120, TimeUnit.SECONDS)).isTrue();
            stop.set(true);
            flusher.join();
            assertThat(failure.get()).isNull();
            assertThat(flushes.get()).as("flushes while the callers ran").isGreaterThan(20);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < rounds * perRound; i++) {
                expected.add(String.valueOf(i));
            }
            for (int t = 0; t < threads; t++) {
                assertThat(list(ns, ns.key("{order}", "stress-" + t))).as("caller " + t).isEqualTo(expected);
            }
        }
    }
}
