package io.redkit.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedkitConfigTest {

    private static RedkitConfig env(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return RedkitConfig.fromEnv(m);
    }

    @Test
    void emptyEnvironmentMeansEmbeddedDefaultWithDocumentedDefaults() {
        RedkitConfig c = env();
        assertThat(c.needsEmbeddedRedis()).isTrue();
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(2)).isEqualTo(RedkitConfig.DEFAULT_CONNECT_TIMEOUT);
        assertThat(c.commandTimeout()).isEqualTo(Duration.ofSeconds(1)).isEqualTo(RedkitConfig.DEFAULT_COMMAND_TIMEOUT);
        assertThat(c.keyPrefix()).isEqualTo("redkit");
        assertThatThrownBy(() -> c.target(Namespace.QUEUE)).isInstanceOf(RedkitConfigException.class)
                .hasMessageContaining("REDIS_URL").hasMessageContaining("queue");

        RedkitConfig embedded = c.withDefaultRedis("redis://127.0.0.1:7777");
        assertThat(embedded.needsEmbeddedRedis()).isFalse();
        assertThat(embedded.target(Namespace.CACHE).database()).isZero();
        assertThat(embedded.target(Namespace.QUEUE).database()).isEqualTo(1);
        assertThat(embedded.target(Namespace.SESSION).database()).isEqualTo(2);
        assertThat(embedded.target(Namespace.SESSION).nodes()).containsExactly(HostAndPort.of("127.0.0.1", 7777));
    }

    @Test
    void redisUrlWithUserPasswordHostPortAndDatabase() {
        RedkitConfig c = env("REDIS_URL", "redis://app:s3cr%40t@redis.internal:6380/4");
        RedisTarget t = c.target(Namespace.CACHE);
        assertThat(t.mode()).isEqualTo(RedisTarget.Mode.STANDALONE);
        assertThat(t.nodes()).containsExactly(HostAndPort.of("redis.internal", 6380));
        assertThat(t.username()).contains("app");
        assertThat(t.password()).contains("s3cr@t");
        assertThat(t.tls()).isFalse();
        // a database in REDIS_URL puts every namespace there; prefixes keep them apart
        assertThat(c.target(Namespace.QUEUE).database()).isEqualTo(4);
        assertThat(c.target(Namespace.SESSION).database()).isEqualTo(4);
    }

    @Test
    void redissMeansTlsAndDefaultPort() {
        RedisTarget t = env("REDIS_URL", "rediss://cache.example.com").target(Namespace.QUEUE);
        assertThat(t.tls()).isTrue();
        assertThat(t.nodes().get(0).port()).isEqualTo(6379);
        assertThat(t.database()).isEqualTo(1);
    }

    @Test
    void passwordOnlyUrlForms() {
        assertThat(env("REDIS_URL", "redis://:pw@h:1").target(Namespace.CACHE).password()).contains("pw");
        assertThat(env("REDIS_URL", "redis://:pw@h:1").target(Namespace.CACHE).username()).isEmpty();
        assertThat(env("REDIS_URL", "redis://pw@h:1").target(Namespace.CACHE).password()).contains("pw");
    }

    @Test
    void ipv6Host() {
        assertThat(env("REDIS_URL", "redis://[::1]:7000").target(Namespace.CACHE).nodes())
                .containsExactly(HostAndPort.of("::1", 7000));
    }

    @Test
    void usernamePasswordAndTlsFromSeparateVariables() {
        RedisTarget t = env("REDIS_URL", "redis://h", "REDIS_USERNAME", "queue-user", "REDIS_PASSWORD", "pw",
                "REDIS_TLS", "true").target(Namespace.QUEUE);
        assertThat(t.username()).contains("queue-user");
        assertThat(t.password()).contains("pw");
        assertThat(t.tls()).isTrue();
        // credentials in the URL win over the variables
        RedisTarget u = env("REDIS_URL", "redis://a:b@h", "REDIS_USERNAME", "x", "REDIS_PASSWORD", "y").target(Namespace.QUEUE);
        assertThat(u.username()).contains("a");
        assertThat(u.password()).contains("b");
    }

    @Test
    void perNamespaceDatabases() {
        RedkitConfig c = env("REDIS_URL", "redis://h", "REDIS_CACHE_DB", "5", "REDIS_QUEUE_DB", "6", "REDIS_SESSION_DB", "7");
        assertThat(c.target(Namespace.CACHE).database()).isEqualTo(5);
        assertThat(c.target(Namespace.QUEUE).database()).isEqualTo(6);
        assertThat(c.target(Namespace.SESSION).database()).isEqualTo(7);
    }

    @Test
    void perNamespaceUrls() {
        RedkitConfig c = env("REDIS_URL", "redis://shared", "REDKIT_CACHE_URL", "redis://cache:6390",
                "REDKIT_QUEUE_URL", "rediss://queue:6391/3", "REDKIT_SESSION_URL", "redis://sessions");
        assertThat(c.target(Namespace.CACHE).nodes()).containsExactly(HostAndPort.of("cache", 6390));
        assertThat(c.target(Namespace.CACHE).database()).isZero();
        assertThat(c.target(Namespace.QUEUE).tls()).isTrue();
        assertThat(c.target(Namespace.QUEUE).database()).isEqualTo(3);
        assertThat(c.target(Namespace.SESSION).nodes().get(0).host()).isEqualTo("sessions");
        // namespace URLs alone, without REDIS_URL, need no embedded Redis
        assertThat(env("REDKIT_CACHE_URL", "redis://a", "REDKIT_QUEUE_URL", "redis://b", "REDKIT_SESSION_URL", "redis://c")
                .needsEmbeddedRedis()).isFalse();
        assertThat(env("REDKIT_CACHE_URL", "redis://a").needsEmbeddedRedis()).isTrue();
    }

    @Test
    void clusterNodesMeanClusterModeWithDatabaseZero() {
        RedkitConfig c = env("REDIS_CLUSTER_NODES", "10.0.0.1:7000, 10.0.0.2:7001,10.0.0.3");
        assertThat(c.isCluster()).isTrue();
        for (Namespace ns : Namespace.values()) {
            assertThat(c.target(ns).mode()).isEqualTo(RedisTarget.Mode.CLUSTER);
            assertThat(c.target(ns).database()).isZero();
            assertThat(c.target(ns).nodes()).hasSize(3).contains(HostAndPort.of("10.0.0.3", 6379));
        }
        assertThat(c.keyPrefix(Namespace.QUEUE)).isEqualTo("redkit:queue");
        assertThat(env("REDIS_CLUSTER_NODES", "h:1", "REDIS_QUEUE_DB", "0").target(Namespace.QUEUE).database()).isZero();
    }

    @Test
    void sentinel() {
        RedkitConfig c = env("REDIS_SENTINEL_NODES", "s1:26379,s2", "REDIS_SENTINEL_MASTER", "mymaster");
        RedisTarget t = c.target(Namespace.SESSION);
        assertThat(t.mode()).isEqualTo(RedisTarget.Mode.SENTINEL);
        assertThat(t.sentinelMaster()).contains("mymaster");
        assertThat(t.nodes()).containsExactly(HostAndPort.of("s1", 26379), HostAndPort.of("s2", 26379));
        assertThat(t.database()).isEqualTo(2);
    }

    @Test
    void timeoutsAndPrefix() {
        RedkitConfig c = env("REDIS_URL", "redis://h", "REDIS_CONNECT_TIMEOUT", "500ms", "REDIS_COMMAND_TIMEOUT", "PT3S",
                "REDKIT_KEY_PREFIX", "shop-1");
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.commandTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.keyPrefix()).isEqualTo("shop-1");
        assertThat(c.keyPrefix(Namespace.SESSION)).isEqualTo("shop-1:session");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "REDIS_URL|http://h|unsupported scheme",
            "REDIS_URL|redis:///0|no host",
            "REDIS_URL|redis://h:99999|out of range",
            "REDIS_URL|redis://h/abc|not a number",
            "REDIS_URL|redis://h/-1|not a number",
            "REDIS_URL|redis://h?timeout=5|query parameters",
            "REDIS_URL|not a url|redis://",
            "REDKIT_QUEUE_URL|ftp://h|unsupported scheme",
            "REDIS_TLS|maybe|true or false",
            "REDIS_CACHE_DB|-1|0 or more",
            "REDIS_QUEUE_DB|one|0 or more",
            "REDIS_SESSION_DB|1.5|0 or more",
            "REDIS_CLUSTER_NODES|h:port|host:port",
            "REDIS_CLUSTER_NODES|::1:7000|brackets",
            "REDIS_SENTINEL_NODES|h:x|host:port",
            "REDIS_CONNECT_TIMEOUT|5|unit",
            "REDIS_CONNECT_TIMEOUT|0s|positive",
            "REDIS_COMMAND_TIMEOUT|-1s|unit",
            "REDIS_COMMAND_TIMEOUT|1h|at most 10m",
            "REDIS_COMMAND_TIMEOUT|soon|unit",
            "REDKIT_KEY_PREFIX|a:b|no ':'",
            "REDKIT_KEY_PREFIX|{x}|braces",
    })
    void badValuesNameTheVariableTheValueAndWhatIsAllowed(String variable, String value, String allowed) {
        Map<String, String> m = new HashMap<>();
        m.put(variable, value);
        assertThatThrownBy(() -> RedkitConfig.fromEnv(m))
                .isInstanceOf(RedkitConfigException.class)
                .hasMessageStartingWith(variable + "=")
                .hasMessageContaining(allowed)
                .satisfies(e -> assertThat(((RedkitConfigException) e).variable()).isEqualTo(variable));
    }

    @Test
    void badCombinations() {
        assertThatThrownBy(() -> env("REDIS_CLUSTER_NODES", "h:1", "REDIS_QUEUE_DB", "1"))
                .isInstanceOf(RedkitConfigException.class).hasMessageStartingWith("REDIS_QUEUE_DB=\"1\"")
                .hasMessageContaining("only database 0");
        assertThatThrownBy(() -> env("REDIS_CLUSTER_NODES", "h:1", "REDIS_URL", "redis://h"))
                .isInstanceOf(RedkitConfigException.class).hasMessageContaining("REDIS_URL")
                .hasMessageContaining("REDIS_CLUSTER_NODES");
        assertThatThrownBy(() -> env("REDIS_CLUSTER_NODES", "h:1", "REDKIT_CACHE_URL", "redis://h"))
                .isInstanceOf(RedkitConfigException.class).hasMessageStartingWith("REDKIT_CACHE_URL");
        assertThatThrownBy(() -> env("REDIS_CLUSTER_NODES", "h:1", "REDIS_SENTINEL_NODES", "s:1", "REDIS_SENTINEL_MASTER", "m"))
                .isInstanceOf(RedkitConfigException.class).hasMessageContaining("cannot be combined");
        assertThatThrownBy(() -> env("REDIS_SENTINEL_NODES", "s:1"))
                .isInstanceOf(RedkitConfigException.class).hasMessageStartingWith("REDIS_SENTINEL_MASTER=<unset>");
        assertThatThrownBy(() -> env("REDIS_SENTINEL_MASTER", "m"))
                .isInstanceOf(RedkitConfigException.class).hasMessageStartingWith("REDIS_SENTINEL_NODES=<unset>");
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis://user:hunter2@h:1/0", "rediss://:hunter2@h", "http://user:hunter2@h"})
    void passwordNeverInToStringOrErrors(String url) {
        try {
            RedkitConfig c = env("REDIS_URL", url);
            assertThat(c.toString()).doesNotContain("hunter2").contains("****");
            assertThat(c.target(Namespace.CACHE).toString()).doesNotContain("hunter2");
        } catch (RedkitConfigException e) {
            assertThat(e.getMessage()).doesNotContain("hunter2").contains("****");
            assertThat(e.value()).doesNotContain("hunter2");
        }
        RedkitConfig viaEnv = env("REDIS_URL", "redis://h", "REDIS_PASSWORD", "hunter2");
        assertThat(viaEnv.toString()).doesNotContain("hunter2");
        assertThat(viaEnv.target(Namespace.QUEUE).hasPassword()).isTrue();
    }

    @Test
    void builderInCode() {
        RedkitConfig c = RedkitConfig.builder()
                .redisUrl("redis://localhost:6379")
                .database(Namespace.QUEUE, 9)
                .commandTimeout(Duration.ofMillis(250))
                .keyPrefix("app")
                .build();
        assertThat(c.target(Namespace.QUEUE).database()).isEqualTo(9);
        assertThat(c.target(Namespace.CACHE).database()).isZero();
        assertThat(c.commandTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.toBuilder().keyPrefix("other").build().keyPrefix()).isEqualTo("other");
        assertThat(c.keyPrefix()).isEqualTo("app");
        assertThatThrownBy(() -> RedkitConfig.builder().commandTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(RedkitConfigException.class).hasMessageStartingWith("commandTimeout=");
        assertThatThrownBy(() -> RedkitConfig.builder().database(Namespace.CACHE, -2))
                .isInstanceOf(RedkitConfigException.class).hasMessageContaining("0 or more");
        assertThat(RedkitConfig.fromUrl("redis://h:1").target(Namespace.SESSION).database()).isEqualTo(2);
    }

    @Test
    void documentedVariablesAreTheOnesRead() {
        assertThat(RedkitConfig.VARIABLES).hasSize(16).doesNotHaveDuplicates();
        for (Namespace ns : Namespace.values()) {
            assertThat(RedkitConfig.VARIABLES).contains(ns.databaseVariable(), ns.urlVariable());
        }
    }
}
