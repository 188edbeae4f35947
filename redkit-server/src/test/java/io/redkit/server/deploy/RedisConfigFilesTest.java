package io.redkit.server.deploy;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.redkit.core.Namespace;
import io.redkit.core.RedisCommandException;
import io.redkit.core.RedisNamespace;
import io.redkit.core.RedisScript;
import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;
import io.redkit.core.health.Doctor;
import io.redkit.core.health.DoctorReport;
import io.redkit.core.health.NamespaceHealth;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.Resp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The production topology of docker-compose.redis.yml without Docker: deploy/redis.conf (queue and
 * sessions) and deploy/redis-cache.conf (cache), rendered by deploy/render-redis-conf.sh and run by
 * the testkit's redis-server, with Redkit connecting as the Compose file's server does — one ACL
 * user per namespace, in per-namespace URLs. Each user must be able to do its job, and nothing else.
 */
class RedisConfigFilesTest {
    private static final RedisScript SCRIPT = RedisScript.load(RedisConfigFilesTest.class, "/deploy/enqueue-like.lua");

    @TempDir
    static Path work;

    static Map<String, String> passwords;
    static RedisServer main;
    static RedisServer cache;
    static Redkit redkit;

    @BeforeAll
    static void startBoth() throws IOException {
        passwords = DeployFiles.newPasswords();
        main = DeployFiles.start(DeployFiles.renderForTest("redis.conf", Files.createDirectories(work.resolve("main")), passwords),
                passwords.get("REDKIT_ADMIN_PASSWORD"), false);
        cache = DeployFiles.start(DeployFiles.renderForTest("redis-cache.conf", Files.createDirectories(work.resolve("cache")), passwords),
                passwords.get("REDKIT_ADMIN_PASSWORD"), false);
        redkit = Redkit.create(RedkitConfig.fromEnv(Map.of(
                "REDKIT_CACHE_URL", url("redkit-cache", "REDKIT_CACHE_PASSWORD", cache),
                "REDKIT_QUEUE_URL", url("redkit-queue", "REDKIT_QUEUE_PASSWORD", main),
                "REDKIT_SESSION_URL", url("redkit-session", "REDKIT_SESSION_PASSWORD", main),
                // patient timeouts, so a loaded CI machine does not fail what is tested here: permissions
                "REDIS_CONNECT_TIMEOUT", "10s", "REDIS_COMMAND_TIMEOUT", "5s")));
    }

    @AfterAll
    static void stopBoth() {
        if (redkit != null) redkit.close();
        if (main != null) main.close();
        if (cache != null) cache.close();
    }

    private static String url(String user, String passwordVariable, RedisServer server) {
        return "redis://" + user + ":" + passwords.get(passwordVariable) + "@" + server.host() + ":" + server.port();
    }

    private static Object as(RedisServer server, String user, String passwordVariable, String... command) throws IOException {
        return Resp.callAs(server.host(), server.port(), user, passwords.get(passwordVariable), command);
    }

    private static String[] keys(RedisNamespace ns, String tag) {
        return new String[]{ns.key("{" + tag + "}", "job"), ns.key("{" + tag + "}", "wait"), ns.key("{" + tag + "}", "events")};
    }

    private static String[] foreignKeys(Namespace other, String tag) {
        String p = "redkit:" + other.id() + ":{" + tag + "}:";
        return new String[]{p + "job", p + "wait", p + "events"};
    }

    @ParameterizedTest
    @ValueSource(strings = {"CACHE", "QUEUE", "SESSION"})
    void eachNamespaceUserRunsRedkitScriptsOnItsOwnKeys(String name) {
        RedisNamespace ns = redkit.namespace(Namespace.valueOf(name));
        String tag = UUID.randomUUID().toString();
        Long first = ns.evalSync(SCRIPT, ScriptOutputType.INTEGER, keys(ns, tag), "a");
        Long second = ns.evalSync(SCRIPT, ScriptOutputType.INTEGER, keys(ns, tag), "b");
        assertThat(first).isEqualTo(1L);
        assertThat(second).isEqualTo(2L);
        // plain commands too, as the capability modules send them outside scripts
        ns.await("set", ns.async().set(ns.key("plain", tag), "v".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(ns.await("expire", ns.async().expire(ns.key("plain", tag), 60))).isTrue();
        assertThat(ns.await("ttl", ns.async().ttl(ns.key("plain", tag)))).isBetween(1L, 60L);
        assertThat(ns.await("del", ns.async().del(ns.key("plain", tag)))).isEqualTo(1L);
    }

    @Test
    void noNamespaceUserCanRunAScriptOnAnotherNamespacesKeys() {
        RedisNamespace q = redkit.namespace(Namespace.QUEUE);
        RedisNamespace s = redkit.namespace(Namespace.SESSION);
        RedisNamespace c = redkit.namespace(Namespace.CACHE);
        assertThatThrownBy(() -> q.evalSync(SCRIPT, ScriptOutputType.INTEGER, foreignKeys(Namespace.SESSION, "x"), "a"))
                .isInstanceOf(RedisCommandException.class).hasMessageContaining("NOPERM");
        assertThatThrownBy(() -> s.evalSync(SCRIPT, ScriptOutputType.INTEGER, foreignKeys(Namespace.QUEUE, "x"), "a"))
                .isInstanceOf(RedisCommandException.class).hasMessageContaining("NOPERM");
        assertThatThrownBy(() -> c.evalSync(SCRIPT, ScriptOutputType.INTEGER, foreignKeys(Namespace.QUEUE, "x"), "a"))
                .isInstanceOf(RedisCommandException.class).hasMessageContaining("NOPERM");
        // a script that declares its own keys but touches foreign ones inside is refused as well
        RedisScript sneaky = RedisScript.of("sneaky", "return redis.call('SET', 'redkit:queue:stolen', '1')");
        assertThatThrownBy(() -> s.evalSync(sneaky, ScriptOutputType.STATUS, new String[0]))
                // 6.2: "can't access at least one of the keys"; 7.x: "NOPERM ... permissions"
                .isInstanceOf(RedisCommandException.class).hasMessageMatching("(?s).*(can't access|NOPERM).*");
        assertThat(main.command("EXISTS", "redkit:queue:stolen")).isEqualTo(0L);
    }

    @Test
    void theCacheUserCannotTouchQueueOrSessionKeys() throws IOException {
        // on the cache instance its pattern is redkit:cache:* only
        assertThatThrownBy(() -> as(cache, "redkit-cache", "REDKIT_CACHE_PASSWORD", "SET", "redkit:queue:{q}:wait", "x"))
                .hasMessageContaining("NOPERM");
        assertThatThrownBy(() -> as(cache, "redkit-cache", "REDKIT_CACHE_PASSWORD", "GET", "redkit:session:abc"))
                .hasMessageContaining("NOPERM");
        // and no queue or session user exists there at all
        assertThatThrownBy(() -> as(cache, "redkit-queue", "REDKIT_QUEUE_PASSWORD", "PING"))
                .hasMessageContaining("WRONGPASS");
        assertThat(as(cache, "redkit-cache", "REDKIT_CACHE_PASSWORD", "SET", "redkit:cache:x", "1")).isEqualTo("OK");
    }

    @Test
    void queueAndSessionUsersStayInTheirPrefix() throws IOException {
        assertThat(as(main, "redkit-queue", "REDKIT_QUEUE_PASSWORD", "SET", "redkit:queue:a", "1")).isEqualTo("OK");
        assertThatThrownBy(() -> as(main, "redkit-queue", "REDKIT_QUEUE_PASSWORD", "GET", "redkit:session:a"))
                .hasMessageContaining("NOPERM");
        assertThatThrownBy(() -> as(main, "redkit-session", "REDKIT_SESSION_PASSWORD", "GET", "redkit:queue:a"))
                .hasMessageContaining("NOPERM");
        assertThatThrownBy(() -> as(main, "redkit-queue", "REDKIT_QUEUE_PASSWORD", "SET", "other:a", "1"))
                .hasMessageContaining("NOPERM");
        // the cache user does not exist on the queue's instance
        assertThatThrownBy(() -> as(main, "redkit-cache", "REDKIT_CACHE_PASSWORD", "PING"))
                .hasMessageContaining("WRONGPASS");
    }

    @Test
    void queueWorkersMayBlockAndSessionsMayNot() throws IOException {
        // an idle worker's blocking pop: times out with nil after 10 ms
        assertThat(as(main, "redkit-queue", "REDKIT_QUEUE_PASSWORD", "BZPOPMIN", "redkit:queue:{q}:marker", "0.01")).isNull();
        assertThat(as(main, "redkit-queue", "REDKIT_QUEUE_PASSWORD", "BLPOP", "redkit:queue:{q}:list", "0.01")).isNull();
        assertThatThrownBy(() -> as(main, "redkit-session", "REDKIT_SESSION_PASSWORD", "BLPOP", "redkit:session:l", "0.01"))
                .hasMessageContaining("NOPERM");
    }

    @ParameterizedTest
    @ValueSource(strings = {"FLUSHALL", "FLUSHDB", "KEYS *", "CONFIG GET maxmemory", "CONFIG SET maxmemory 0",
            "DEBUG SLEEP 0", "SHUTDOWN NOSAVE", "SCRIPT FLUSH", "SCRIPT KILL", "CLIENT LIST", "CLIENT KILL TYPE normal",
            "ACL LIST", "SAVE", "BGSAVE", "BGREWRITEAOF", "REPLICAOF 127.0.0.1 1", "SLOWLOG GET", "MODULE LIST",
            "SWAPDB 0 1", "RANDOMKEY", "MONITOR"})
    void dangerousCommandsAreRefusedToEveryApplicationUser(String command) {
        String[] args = command.split(" ");
        // Redis 7 refuses DEBUG to everyone (enable-debug-command no) before it looks at ACLs
        String refused = "(?s)(NOPERM|ERR DEBUG command not allowed).*";
        for (String[] user : new String[][]{{"redkit-queue", "REDKIT_QUEUE_PASSWORD"}, {"redkit-session", "REDKIT_SESSION_PASSWORD"}}) {
            assertThatThrownBy(() -> as(main, user[0], user[1], args))
                    .as("%s as %s", command, user[0]).hasMessageMatching(refused);
        }
        assertThatThrownBy(() -> as(cache, "redkit-cache", "REDKIT_CACHE_PASSWORD", args))
                .as("%s as redkit-cache", command).hasMessageMatching(refused);
        assertThat(main.isRunning()).isTrue();
        assertThat(cache.isRunning()).isTrue();
    }

    @Test
    void theDefaultUserCannotLogIn() throws IOException {
        for (RedisServer server : List.of(main, cache)) {
            // no AUTH: nothing runs
            assertThatThrownBy(() -> Resp.callAs(server.host(), server.port(), null, null, "PING"))
                    .hasMessageContaining("NOAUTH");
            // AUTH <password> (requirepass style) logs in as default: refused whatever the password
            for (String password : List.of("", "redis", passwords.get("REDKIT_ADMIN_PASSWORD"))) {
                assertThatThrownBy(() -> Resp.callAs(server.host(), server.port(), null, null, "AUTH", password))
                        .hasMessageMatching("(?s).*(WRONGPASS|ERR).*");
            }
            assertThatThrownBy(() -> Resp.callAs(server.host(), server.port(), null, null, "AUTH", "default", "x"))
                    .hasMessageContaining("WRONGPASS");
            // a wrong password for a real user is refused too
            assertThatThrownBy(() -> Resp.callAs(server.host(), server.port(), "redkit-admin", "wrong-password-0000", "PING"))
                    .hasMessageContaining("WRONGPASS");
        }
    }

    @Test
    void theCacheUserMayTurnOnClientSideCachingForTheNearCache() {
        // as the cache module's tracker connects: its own RESP3 client, a client name, BCAST on its prefixes
        RedisNamespace c = redkit.namespace(Namespace.CACHE);
        RedisClient client = RedisClient.create(c.lettuceClient().getResources());
        client.setOptions(ClientOptions.builder().protocolVersion(ProtocolVersion.RESP3).build());
        try (StatefulRedisConnection<String, String> conn = client.connect(StringCodec.UTF8,
                RedisURI.builder(c.lettuceUri()).withClientName("redkit-cache-tracking").build())) {
            assertThat(conn.sync().clientTracking(TrackingArgs.Builder.enabled().bcast()
                    .prefixes("redkit:cache:t:", "redkit:cache:g:", "redkit:cache:n:"))).isEqualTo("OK");
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        try (var conn = c.openDedicated(StringCodec.UTF8, Duration.ofSeconds(2))) {
            @SuppressWarnings("unchecked")
            StatefulRedisConnection<String, String> standalone = (StatefulRedisConnection<String, String>) conn;
            assertThat(standalone.sync().clientTracking(TrackingArgs.Builder.enabled())).isEqualTo("OK");
            assertThatThrownBy(() -> standalone.sync().clientList()).hasMessageContaining("NOPERM");
            assertThatThrownBy(() -> standalone.sync().clientKill("127.0.0.1:1")).hasMessageContaining("NOPERM");
        }
    }

    /**
     * Reads every Lua script a capability module ships and sends each Redis command the scripts
     * call, with a key of the module's namespace, as that namespace's user: none may be refused
     * with NOPERM. So a module that starts calling a command the ACL lines do not grant fails here,
     * not in production. (Other errors, such as a wrong type or a bad ID, are fine: the command
     * was allowed to run.)
     */
    @ParameterizedTest
    @CsvSource({"redkit-queue, QUEUE", "redkit-session, SESSION", "redkit-ratelimit, SESSION", "redkit-cache, CACHE"})
    void everyCommandTheModulesScriptsCallIsGrantedToTheirNamespacesUser(String module, String namespace) throws IOException {
        Set<String> commands = new TreeSet<>();
        Pattern call = Pattern.compile("redis\\.p?call\\(\\s*['\"]([A-Za-z]+)['\"]");
        Path resources = DeployFiles.root().resolve(module).resolve("src/main/resources");
        try (Stream<Path> files = Files.walk(resources)) {
            for (Path lua : files.filter(f -> f.toString().endsWith(".lua")).toList()) {
                Matcher m = call.matcher(Files.readString(lua));
                while (m.find()) commands.add(m.group(1).toUpperCase(Locale.ROOT));
            }
        }
        assertThat(commands).as(module + " ships Lua scripts").isNotEmpty();
        Namespace ns = Namespace.valueOf(namespace);
        RedisServer server = ns == Namespace.CACHE ? cache : main;
        String user = "redkit-" + ns.id();
        String passwordVariable = "REDKIT_" + namespace + "_PASSWORD";
        String key = "redkit:" + ns.id() + ":{probe}:" + module;
        List<String> refused = new ArrayList<>();
        for (String command : commands) {
            List<?> info = (List<?>) ((List<?>) server.command("COMMAND", "INFO", command)).get(0);
            assertThat(info).as("Redis knows " + command).isNotNull();
            long arity = (Long) info.get(1);
            long firstKey = (Long) info.get(3);
            long lastKey = (Long) info.get(4);
            long step = (Long) info.get(5);
            int argc = (int) (arity > 0 ? arity - 1 : -arity - 1);
            long last = lastKey < 0 ? argc + lastKey + 1 : lastKey;
            String[] args = new String[argc + 1];
            args[0] = command;
            for (int i = 1; i <= argc; i++) {
                boolean isKey = firstKey > 0 && i >= firstKey && i <= last && (i - firstKey) % Math.max(step, 1) == 0;
                args[i] = isKey ? key : "0";
            }
            try {
                as(server, user, passwordVariable, args);
            } catch (Resp.RespError e) {
                if (e.getMessage().startsWith("NOPERM")) refused.add(command + ": " + e.getMessage());
            }
        }
        assertThat(refused).as(user + " runs what " + module + "'s scripts call " + commands).isEmpty();
    }

    @Test
    void theViewerReadsRedkitKeysAndWritesNothing() throws IOException {
        main.command("SET", "redkit:queue:{v}:job", "payload");
        String[] viewer = {"redkit-viewer", "REDKIT_VIEWER_PASSWORD"};
        assertThat(as(main, viewer[0], viewer[1], "GET", "redkit:queue:{v}:job")).isEqualTo("payload");
        assertThat(as(main, viewer[0], viewer[1], "TYPE", "redkit:queue:{v}:job")).isEqualTo("string");
        assertThat(as(main, viewer[0], viewer[1], "SCAN", "0", "MATCH", "redkit:*")).isInstanceOf(List.class);
        assertThat((String) as(main, viewer[0], viewer[1], "INFO", "memory")).contains("maxmemory_policy:noeviction");
        assertThat(as(main, viewer[0], viewer[1], "CONFIG", "GET", "databases")).isEqualTo(List.of("databases", "16"));
        for (String command : List.of("SET redkit:queue:{v}:job x", "DEL redkit:queue:{v}:job", "EXPIRE redkit:queue:{v}:job 1",
                "FLUSHALL", "CONFIG SET maxmemory 0", "KEYS *", "EVAL return 1 0")) {
            assertThatThrownBy(() -> as(main, viewer[0], viewer[1], command.split(" ")))
                    .as(command).hasMessageContaining("NOPERM");
        }
        assertThat(main.command("GET", "redkit:queue:{v}:job")).isEqualTo("payload");
    }

    @Test
    void healthAndDoctorWorkWithApplicationUsersAndFindNothingWrong() {
        List<NamespaceHealth> health = redkit.health();
        assertThat(health).allSatisfy(h -> assertThat(h.isUp()).as(h.toString()).isTrue());
        assertThat(health).filteredOn(h -> h.namespace() == Namespace.CACHE)
                .singleElement().satisfies(h -> assertThat(h.evictionPolicy()).contains("allkeys-lru"));
        assertThat(health).filteredOn(h -> h.namespace() != Namespace.CACHE)
                .allSatisfy(h -> assertThat(h.evictionPolicy()).contains("noeviction"));
        DoctorReport report = Doctor.inspect(redkit);
        assertThat(report.allUp()).isTrue();
        assertThat(report.warnings()).isEmpty();
    }

    @Test
    void theQueueInstanceNeverEvictsAndPersistsAsTheFileSays() {
        assertThat(main.command("CONFIG", "GET", "maxmemory-policy")).isEqualTo(List.of("maxmemory-policy", "noeviction"));
        assertThat(main.command("CONFIG", "GET", "maxmemory")).isEqualTo(List.of("maxmemory", String.valueOf(1L << 30)));
        assertThat(main.command("CONFIG", "GET", "appendfsync")).isEqualTo(List.of("appendfsync", "everysec"));
        assertThat(main.command("CONFIG", "GET", "no-appendfsync-on-rewrite")).isEqualTo(List.of("no-appendfsync-on-rewrite", "no"));
        assertThat(main.command("CONFIG", "GET", "stop-writes-on-bgsave-error")).isEqualTo(List.of("stop-writes-on-bgsave-error", "yes"));
        assertThat(main.command("CONFIG", "GET", "slowlog-log-slower-than")).isEqualTo(List.of("slowlog-log-slower-than", "10000"));
        assertThat(main.command("CONFIG", "GET", "latency-monitor-threshold")).isEqualTo(List.of("latency-monitor-threshold", "100"));
        assertThat(main.command("CONFIG", "GET", "acl-pubsub-default")).isEqualTo(List.of("acl-pubsub-default", "resetchannels"));
        assertThat(main.command("CONFIG", "GET", "timeout")).isEqualTo(List.of("timeout", "0"));
        assertThat(main.command("CONFIG", "GET", "tcp-keepalive")).isEqualTo(List.of("tcp-keepalive", "60"));
        assertThat((String) ((List<?>) main.command("CONFIG", "GET", "client-output-buffer-limit")).get(1))
                .contains("normal 268435456 67108864 60").contains("pubsub 33554432 8388608 60");
        // the testkit turns persistence off; the file's own lines are what the container runs
        Path conf = DeployFiles.deploy("redis.conf");
        assertThat(DeployFiles.directive(conf, "appendonly")).isEqualTo("yes");
        assertThat(DeployFiles.directive(conf, "save")).isEqualTo("3600 1 300 100 60 10000");
    }

    @Test
    void theCacheInstanceEvictsAndDoesNotPersist() {
        assertThat(cache.command("CONFIG", "GET", "maxmemory-policy")).isEqualTo(List.of("maxmemory-policy", "allkeys-lru"));
        assertThat(Long.parseLong((String) ((List<?>) cache.command("CONFIG", "GET", "maxmemory")).get(1))).isPositive();
        Path conf = DeployFiles.deploy("redis-cache.conf");
        assertThat(DeployFiles.directive(conf, "appendonly")).isEqualTo("no");
        assertThat(DeployFiles.directive(conf, "save")).isEmpty();
        assertThat(cache.command("CONFIG", "GET", "slowlog-log-slower-than")).isEqualTo(List.of("slowlog-log-slower-than", "10000"));
        assertThat(cache.command("CONFIG", "GET", "latency-monitor-threshold")).isEqualTo(List.of("latency-monitor-threshold", "100"));
    }
}
