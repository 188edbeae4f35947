package io.redkit.core;

import io.lettuce.core.ScriptOutputType;
import io.redkit.core.health.HealthStatus;
import io.redkit.core.health.NamespaceHealth;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@WithRedis
class RedkitStandaloneTest {

    /** Patient timeouts, for tests that do not measure time (a cold JVM on a loaded machine connects slowly). */
    private static RedkitConfig config(RedisServer redis) {
        return RedkitConfig.builder().redisUrl(redis.url())
                .connectTimeout(Duration.ofSeconds(5)).commandTimeout(Duration.ofSeconds(5)).build();
    }

    /** 500 ms timeouts, for the tests that check a failure is reported within them. */
    private static RedkitConfig fast(RedisServer redis) {
        return RedkitConfig.builder().redisUrl(redis.url())
                .connectTimeout(Duration.ofMillis(500)).commandTimeout(Duration.ofMillis(500)).build();
    }

    private static final RedisScript INCR_BOTH = RedisScript.load(RedkitStandaloneTest.class, "incr-both.lua");

    @Test
    void namespacesMapToDatabasesZeroOneTwoWithTheirOwnPrefix(RedisServer redis) {
        try (Redkit redkit = Redkit.create(config(redis))) {
            for (Namespace ns : Namespace.values()) {
                RedisNamespace n = redkit.namespace(ns);
                assertThat(n.keyPrefix()).isEqualTo("redkit:" + ns.id());
                assertThat(n.key("{emails}", "wait")).isEqualTo("redkit:" + ns.id() + ":{emails}:wait");
                n.await("set", n.async().set(n.key("probe"), ns.id().getBytes(StandardCharsets.UTF_8)));
            }
        }
        String keyspace = (String) redis.command("INFO", "keyspace");
        assertThat(keyspace).contains("db0:keys=1").contains("db1:keys=1").contains("db2:keys=1");
    }

    @Test
    void scriptsIncludeSharedFilesOnceEachAndRunAsOneScript(RedisServer redis) {
        RedisScript script = RedisScript.load(RedkitStandaloneTest.class, "with-includes.lua");
        assertThat(script.body()).doesNotContain("--#include").containsOnlyOnce("local function add(")
                .contains("local function twice(").endsWith("return twice(KEYS[1], tonumber(ARGV[1]))\n");
        try (Redkit redkit = Redkit.create(config(redis))) {
            RedisNamespace q = redkit.namespace(Namespace.QUEUE);
            Long n = q.evalSync(script, ScriptOutputType.INTEGER, new String[]{q.key("{t}", "inc")}, 5);
            assertThat(n).isEqualTo(10L);
        }
        assertThatThrownBy(() -> RedisScript.load(RedkitStandaloneTest.class, "missing-include.lua"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no script resource 'nope.lua'");
    }

    @Test
    void scriptRunsBySha1AndIsReloadedAfterScriptFlush(RedisServer redis) {
        try (Redkit redkit = Redkit.create(config(redis))) {
            RedisNamespace q = redkit.namespace(Namespace.QUEUE);
            String[] keys = {q.key("{t}", "a"), q.key("{t}", "b")};
            List<Long> first = q.evalSync(INCR_BOTH, ScriptOutputType.MULTI, keys, 2);
            assertThat(first).containsExactly(2L, 2L);
            assertThat(redis.command("SCRIPT", "EXISTS", INCR_BOTH.sha1())).isEqualTo(List.of(1L));

            redis.command("SCRIPT", "FLUSH");
            assertThat(redis.command("SCRIPT", "EXISTS", INCR_BOTH.sha1())).isEqualTo(List.of(0L));

            List<Long> second = q.evalSync(INCR_BOTH, ScriptOutputType.MULTI, keys, 3);
            assertThat(second).containsExactly(5L, 5L);
            assertThat(redis.command("SCRIPT", "EXISTS", INCR_BOTH.sha1())).isEqualTo(List.of(1L));
        }
    }

    @Test
    void scriptErrorIsACommandExceptionNamingTheScript(RedisServer redis) {
        RedisScript bad = RedisScript.of("bad.lua", "return redis.call('NOPE')");
        try (Redkit redkit = Redkit.create(config(redis))) {
            RedisNamespace c = redkit.namespace(Namespace.CACHE);
            assertThatThrownBy(() -> c.evalSync(bad, ScriptOutputType.STATUS, new String[0]))
                    .isInstanceOf(RedisCommandException.class).hasMessageContaining("bad.lua").hasMessageContaining("cache");
        }
    }

    @Test
    void reconnectsByItselfAfterRedisRestarts(RedisServer redis) {
        try (Redkit redkit = Redkit.create(config(redis))) {
            RedisNamespace s = redkit.namespace(Namespace.SESSION);
            s.await("set", s.async().set("k", "v".getBytes(StandardCharsets.UTF_8)));
            redis.stop();
            assertThatThrownBy(() -> s.await("get", s.async().get("k")))
                    .isInstanceOf(RedisUnavailableException.class)
                    .satisfies(e -> assertThat(((RedisUnavailableException) e).namespace()).isEqualTo(Namespace.SESSION));
            redis.start();
            // "not connected" until Lettuce's reconnect (with its back-off) gets through: keep asking
            await().atMost(Duration.ofSeconds(30)).ignoreException(RedisUnavailableException.class).untilAsserted(() ->
                    assertThat(s.await("ping", s.async().ping())).isEqualTo("PONG"));
            // the database selection survives the reconnect
            s.await("set", s.async().set("after", "1".getBytes(StandardCharsets.UTF_8)));
            assertThat((String) redis.command("INFO", "keyspace")).contains("db2:keys=1");
        }
    }

    @Test
    void startsWhileRedisIsDownAndConnectsWhenItComes(RedisServer redis) {
        redis.stop();
        try (Redkit redkit = Redkit.create(fast(redis))) {
            RedisNamespace c = redkit.namespace(Namespace.CACHE);
            long t0 = System.nanoTime();
            assertThatThrownBy(c::async).isInstanceOf(RedisUnavailableException.class).hasMessageContaining("connect");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
            redis.start();
            assertThat(c.await("ping", c.async().ping())).isEqualTo("PONG");
        }
    }

    @Test
    void healthIsUpWithServerDetails(RedisServer redis) {
        try (Redkit redkit = Redkit.create(config(redis))) {
            List<NamespaceHealth> health = redkit.health();
            assertThat(health).hasSize(3).allSatisfy(h -> {
                assertThat(h.status()).isEqualTo(HealthStatus.UP);
                assertThat(h.pingTime()).isPresent();
                assertThat(h.version()).contains(redis.version());
                assertThat(h.role()).contains("master");
                assertThat(h.usedMemoryBytes()).hasValueSatisfying(v -> assertThat(v).isPositive());
                assertThat(h.maxMemoryBytes()).isPresent();
                assertThat(h.evictionPolicy()).contains("noeviction");
            });
        }
    }

    /**
     * Opens every namespace's connection before the test's timing starts. The short connect timeout
     * these tests measure can be missed by a cold JVM's first connection on a loaded machine, so the
     * set-up retries (a failed lazy connect is retried on the next call).
     */
    private static void connectAll(Redkit redkit) {
        for (Namespace ns : Namespace.values()) {
            RedisNamespace n = redkit.namespace(ns);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> "PONG".equals(n.await("ping", n.async().ping())));
        }
    }

    @Test
    void healthIsDownWithinTheConnectTimeoutWhenRedisIsGone(RedisServer redis) {
        try (Redkit redkit = Redkit.create(fast(redis))) {
            connectAll(redkit);
            assertThat(redkit.health()).allMatch(NamespaceHealth::isUp);
            redis.stop();
            long t0 = System.nanoTime();
            List<NamespaceHealth> health = redkit.health();
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(health).hasSize(3).allSatisfy(h -> {
                assertThat(h.status()).isEqualTo(HealthStatus.DOWN);
                assertThat(h.error()).isPresent();
            });
            assertThat(took).isLessThan(Duration.ofMillis(500 + 700));
        }
    }

    @Test
    void healthIsDownWithinTheTimeoutWhenRedisHangs(RedisServer redis) {
        try (Redkit redkit = Redkit.create(fast(redis))) {
            connectAll(redkit);
            assertThat(redkit.health()).allMatch(NamespaceHealth::isUp);
            redis.suspend();
            try {
                long t0 = System.nanoTime();
                List<NamespaceHealth> health = redkit.health();
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                assertThat(health).allMatch(h -> h.status() == HealthStatus.DOWN);
                assertThat(took).isLessThan(Duration.ofMillis(500 + 700));
                // an ordinary command times out too instead of hanging
                RedisNamespace q = redkit.namespace(Namespace.QUEUE);
                long t1 = System.nanoTime();
                assertThatThrownBy(() -> q.await("get", q.async().get("x"))).isInstanceOf(RedisUnavailableException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - t1)).isLessThan(Duration.ofMillis(1500));
            } finally {
                redis.resume();
            }
        }
    }

    @Test
    void closeReleasesEveryThread(RedisServer redis) throws InterruptedException {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        Redkit redkit = Redkit.create(config(redis));
        for (Namespace ns : Namespace.values()) {
            RedisNamespace n = redkit.namespace(ns);
            n.await("ping", n.async().ping());
        }
        redkit.health();
        redkit.close();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            Set<Thread> left = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> !before.contains(t) && t.isAlive() && !t.isDaemon() && !t.getName().startsWith("awaitility"))
                    .collect(Collectors.toSet());
            assertThat(left).isEmpty();
        });
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            Set<String> lettuce = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> !before.contains(t) && t.isAlive() && t.getName().startsWith("lettuce"))
                    .map(Thread::getName).collect(Collectors.toSet());
            assertThat(lettuce).isEmpty();
        });
        assertThatThrownBy(() -> redkit.namespace(Namespace.CACHE)).isInstanceOf(RedkitException.class);
    }

    @Test
    void passwordProtectedRedis() {
        try (RedisServer secured = RedisServer.builder().password("t0ps3cret").start()) {
            RedkitConfig ok = RedkitConfig.builder().redisUrl("redis://127.0.0.1:" + secured.port())
                    .password("t0ps3cret").connectTimeout(Duration.ofMillis(500)).build();
            try (Redkit redkit = Redkit.create(ok)) {
                RedisNamespace c = redkit.namespace(Namespace.CACHE);
                assertThat(c.await("ping", c.async().ping())).isEqualTo("PONG");
            }
            RedkitConfig wrong = RedkitConfig.builder().redisUrl("redis://:nope@127.0.0.1:" + secured.port())
                    .connectTimeout(Duration.ofMillis(500)).build();
            try (Redkit redkit = Redkit.create(wrong)) {
                assertThatThrownBy(() -> redkit.namespace(Namespace.CACHE).async())
                        .isInstanceOf(RedisUnavailableException.class)
                        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("nope"));
            }
        }
    }
}
