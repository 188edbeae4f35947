package io.redkit.server.deploy;

import io.lettuce.core.ScriptOutputType;
import io.redkit.core.Namespace;
import io.redkit.core.RedisNamespace;
import io.redkit.core.RedisScript;
import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;
import io.redkit.testkit.RedisBinary;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.Resp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What the two config files do under pressure: the queue's instance refuses writes instead of
 * evicting, the cache's evicts instead of refusing, the queue's data survives a crash of the
 * Redis process through the AOF, and a file whose passwords were not rendered never starts.
 */
class RedisConfigBehaviourTest {
    private static final RedisScript SCRIPT = RedisScript.load(RedisConfigBehaviourTest.class, "/deploy/enqueue-like.lua");
    private static final String VALUE = "x".repeat(10_000);

    @TempDir
    Path work;

    private final Map<String, String> passwords = DeployFiles.newPasswords();

    private RedisServer start(String conf, boolean keepPersistence) {
        return DeployFiles.start(DeployFiles.renderForTest(conf, work, passwords), passwords.get("REDKIT_ADMIN_PASSWORD"), keepPersistence);
    }

    private Object as(RedisServer server, String user, String passwordVariable, String... command) throws IOException {
        return Resp.callAs(server.host(), server.port(), user, passwords.get(passwordVariable), command);
    }

    /** Lowers maxmemory (as redkit-admin) to what is used now plus {@code headroom} bytes. */
    private static void squeeze(RedisServer server, long headroom) {
        long used = Long.parseLong(server.info("used_memory"));
        server.configSet("maxmemory", String.valueOf(used + headroom));
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis.conf", "redis-cache.conf"})
    void aFileWhosePasswordsWereNotRenderedDoesNotStart(String conf) throws IOException {
        Path raw = work.resolve("raw-" + conf);
        Files.createDirectories(work.resolve("data"));
        Files.writeString(raw, Files.readString(DeployFiles.deploy(conf)).replaceAll("(?m)^dir .*$", "dir " + work.resolve("data")));
        RedisServer.Builder b = RedisServer.builder().configFile(raw).adminUser("redkit-admin", "anything-at-all-0000");
        assertThatThrownBy(b::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exited")
                .hasMessageContaining("password hash");
    }

    @Test
    void theQueueInstanceRefusesWritesWhenFullAndLosesNothing() throws IOException {
        try (RedisServer server = start("redis.conf", false)) {
            squeeze(server, 512 * 1024);
            int written = 0;
            String error = null;
            for (int i = 0; i < 10_000 && error == null; i++) {
                try {
                    as(server, "redkit-queue", "REDKIT_QUEUE_PASSWORD", "SET", "redkit:queue:job:" + i, VALUE);
                    written++;
                } catch (Resp.RespError e) {
                    error = e.getMessage();
                }
            }
            assertThat(error).startsWith("OOM command not allowed");
            assertThat(written).isPositive();
            assertThat(server.info("evicted_keys")).isEqualTo("0");
            assertThat(server.command("DBSIZE")).isEqualTo((long) written);
            // reads still work, and so does deleting to make room
            assertThat(as(server, "redkit-queue", "REDKIT_QUEUE_PASSWORD", "GET", "redkit:queue:job:0")).isEqualTo(VALUE);
            assertThat(as(server, "redkit-queue", "REDKIT_QUEUE_PASSWORD", "DEL", "redkit:queue:job:0")).isEqualTo(1L);
        }
    }

    @Test
    void theCacheInstanceEvictsOldKeysInsteadOfFailingWrites() throws IOException {
        try (RedisServer server = start("redis-cache.conf", false)) {
            squeeze(server, 1024 * 1024);
            int n = 500; // 5 MB into 1 MB of room
            for (int i = 0; i < n; i++) {
                assertThat(as(server, "redkit-cache", "REDKIT_CACHE_PASSWORD", "SET", "redkit:cache:row:" + i, VALUE)).isEqualTo("OK");
            }
            assertThat(Long.parseLong(server.info("evicted_keys"))).isPositive();
            assertThat((Long) server.command("DBSIZE")).isLessThan(n);
            assertThat(as(server, "redkit-cache", "REDKIT_CACHE_PASSWORD", "GET", "redkit:cache:row:" + (n - 1))).isEqualTo(VALUE);
        }
    }

    /**
     * Also the regression test for the default user's line in redis.conf: Redis 7 replays the
     * AOF's MULTI/EXEC blocks (a script's effects) with the default user's permissions, so with
     * "user default off -@all" this data would be gone after the restart. Run the suite against a
     * Redis 7 with REDKIT_REDIS_SERVER to see it.
     */
    @Test
    void queueDataSurvivesACrashOfTheRedisProcessThroughTheAof() throws IOException {
        try (RedisServer server = start("redis.conf", true)) {
            assertThat(server.command("CONFIG", "GET", "appendonly")).isEqualTo(List.of("appendonly", "yes"));
            // database 0, as REDKIT_QUEUE_URL without a database gives the queue in Compose
            String url = "redis://redkit-queue:" + passwords.get("REDKIT_QUEUE_PASSWORD") + "@" + server.host() + ":" + server.port() + "/0";
            String[] keys = {"redkit:queue:{crash}:job", "redkit:queue:{crash}:wait", "redkit:queue:{crash}:events"};
            try (Redkit redkit = Redkit.create(RedkitConfig.builder().redisUrl(url)
                    .connectTimeout(Duration.ofSeconds(10)).commandTimeout(Duration.ofSeconds(5)).build())) {
                RedisNamespace queue = redkit.namespace(Namespace.QUEUE);
                assertThat((Long) queue.evalSync(SCRIPT, ScriptOutputType.INTEGER, keys, "job-1")).isEqualTo(1L);
            }
            // once the write is in the AOF file (in the kernel's hands), a SIGKILL cannot lose it
            await().atMost(Duration.ofSeconds(10)).until(() -> aofContains(server.directory(), "job-1"));
            server.kill();
            server.start();
            assertThat(as(server, "redkit-queue", "REDKIT_QUEUE_PASSWORD", "ZSCORE", keys[1], "job-1"))
                    .as("after the restart; redis log:%n%s", Files.readString(server.directory().resolve("redis.log"))).isNotNull();
            assertThat(as(server, "redkit-queue", "REDKIT_QUEUE_PASSWORD", "XLEN", keys[2])).isEqualTo(1L);
        }
    }

    /** docs/operations.md, "Backup and restore", step by step. */
    @Test
    void aSnapshotRestoresAsTheOperationsGuideSays() throws IOException {
        Path conf = DeployFiles.renderForTest("redis.conf", work, passwords);
        String admin = passwords.get("REDKIT_ADMIN_PASSWORD");
        Path backup = work.resolve("backup.rdb");
        // backup: BGSAVE as admin, wait for it, copy dump.rdb away
        try (RedisServer live = DeployFiles.start(conf, admin, true)) {
            as(live, "redkit-queue", "REDKIT_QUEUE_PASSWORD", "SET", "redkit:queue:{b}:j:1", "payload");
            as(live, "redkit-session", "REDKIT_SESSION_PASSWORD", "HSET", "redkit:session:sess:{t}:s:h", "user", "42");
            long before = (Long) live.command("LASTSAVE");
            live.command("BGSAVE", "SCHEDULE");
            await().atMost(Duration.ofSeconds(20)).until(() -> "0".equals(live.info("rdb_bgsave_in_progress"))
                    && (Long) live.command("LASTSAVE") >= before && "ok".equals(live.info("rdb_last_bgsave_status"))
                    && Files.exists(live.directory().resolve("dump.rdb")));
            Files.copy(live.directory().resolve("dump.rdb"), backup);
        }
        // restore: the backup as dump.rdb, started once with the AOF off, then CONFIG SET appendonly yes
        RedisServer restored = RedisServer.builder().configFile(conf).adminUser("redkit-admin", admin)
                .arg("--appendonly", "no").build();
        Files.copy(backup, restored.directory().resolve("dump.rdb"));
        Path aofCopy = Files.createDirectories(work.resolve("aof-copy"));
        try (restored) {
            restored.start();
            assertThat(restored.command("GET", "redkit:queue:{b}:j:1")).isEqualTo("payload");
            restored.command("CONFIG", "SET", "appendonly", "yes");
            await().atMost(Duration.ofSeconds(20)).until(() -> "0".equals(restored.info("aof_rewrite_in_progress"))
                    && "0".equals(restored.info("aof_rewrite_scheduled")) && "ok".equals(restored.info("aof_last_bgrewrite_status")));
            copyAof(restored.directory(), aofCopy);
        }
        // restart normally (the file's persistence): the data now comes from the new AOF alone
        RedisServer normal = RedisServer.builder().configFile(conf).adminUser("redkit-admin", admin)
                .arg("--save", DeployFiles.directive(conf, "save"), "--appendonly", "yes").build();
        copyAof(aofCopy, normal.directory());
        assertThat(normal.directory().resolve("dump.rdb")).doesNotExist();
        try (normal) {
            normal.start();
            assertThat(as(normal, "redkit-queue", "REDKIT_QUEUE_PASSWORD", "GET", "redkit:queue:{b}:j:1")).isEqualTo("payload");
            assertThat(as(normal, "redkit-session", "REDKIT_SESSION_PASSWORD", "HGET", "redkit:session:sess:{t}:s:h", "user")).isEqualTo("42");
        }
    }

    /** Copies the AOF (6.2: appendonly.aof; 7.x: the appendonlydir directory) from one directory to another. */
    private static void copyAof(Path from, Path to) throws IOException {
        List<Path> sources;
        try (Stream<Path> s = Files.walk(from)) {
            sources = s.filter(p -> !p.equals(from) && from.relativize(p).toString().startsWith("appendonly")).toList();
        }
        assertThat(sources).as("AOF files in " + from).isNotEmpty();
        for (Path p : sources) {
            Path target = to.resolve(from.relativize(p).toString());
            if (Files.isDirectory(p)) {
                Files.createDirectories(target);
            } else {
                Files.createDirectories(target.getParent());
                Files.copy(p, target);
            }
        }
    }

    private static boolean aofContains(Path dir, String text) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().contains(".aof")).anyMatch(p -> {
                try {
                    return new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1).contains(text);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void theContainerEntryPathRendersAndStartsRedis() throws Exception {
        // the Compose service runs: render-redis-conf.sh /conf/redis.conf OUT --exec; here redis-server
        // comes from PATH (the testkit's binary) and only the data directory and port differ
        Path template = work.resolve("template.conf");
        Path data = Files.createDirectories(work.resolve("exec-data"));
        Files.writeString(template, Files.readString(DeployFiles.deploy("redis.conf")).replaceAll("(?m)^dir .*$", "dir " + data));
        int port = io.redkit.testkit.Ports.free();
        ProcessBuilder pb = new ProcessBuilder("sh", DeployFiles.deploy("render-redis-conf.sh").toString(), template.toString(),
                work.resolve("rendered.conf").toString(), "--exec", "--port", String.valueOf(port), "--bind", "127.0.0.1")
                .redirectErrorStream(true).redirectOutput(work.resolve("exec.log").toFile());
        pb.environment().put("PATH", RedisBinary.locate().getParent() + ":" + pb.environment().get("PATH"));
        pb.environment().putAll(passwords);
        Process p = pb.start();
        try {
            String admin = passwords.get("REDKIT_ADMIN_PASSWORD");
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> "PONG".equals(Resp.callAs("127.0.0.1", port, "redkit-admin", admin, "PING")));
            assertThat(Resp.callAs("127.0.0.1", port, "redkit-admin", admin, "CONFIG", "GET", "appendonly"))
                    .isEqualTo(List.of("appendonly", "yes"));
            assertThat(Resp.callAs("127.0.0.1", port, "redkit-queue", passwords.get("REDKIT_QUEUE_PASSWORD"), "PING")).isEqualTo("PONG");
            try {
                Resp.callAs("127.0.0.1", port, "redkit-admin", admin, "SHUTDOWN", "NOSAVE");
            } catch (IOException | Resp.RespError e) {
                // the connection closes as Redis exits
            }
            assertThat(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).as(Files.readString(work.resolve("exec.log"))).isTrue();
        } finally {
            p.destroyForcibly();
        }
    }
}
