package io.redkit.core;

import io.lettuce.core.ScriptOutputType;
import io.redkit.core.health.NamespaceHealth;
import io.redkit.testkit.RedisCluster;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedisCluster;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

@WithRedisCluster
class RedkitClusterTest {
    private static final RedisScript INCR_BOTH = RedisScript.load(RedkitClusterTest.class, "incr-both.lua");

    private static Redkit redkit(RedisCluster cluster) {
        return Redkit.create(RedkitConfig.fromEnv(Map.of("REDIS_CLUSTER_NODES", cluster.nodesSpec())));
    }

    @Test
    void namespacesBecomePrefixesInDatabaseZero(RedisCluster cluster) {
        try (Redkit redkit = redkit(cluster)) {
            for (Namespace ns : Namespace.values()) {
                RedisNamespace n = redkit.namespace(ns);
                assertThat(n.isCluster()).isTrue();
                assertThat(n.target().database()).isZero();
                n.await("set", n.async().set(n.key("{same}", "k"), ns.id().getBytes(StandardCharsets.UTF_8)));
            }
            RedisServer owner = cluster.nodeFor("{same}");
            assertThat(owner.command("GET", "redkit:cache:{same}:k")).isEqualTo("cache");
            assertThat(owner.command("GET", "redkit:queue:{same}:k")).isEqualTo("queue");
            assertThat(owner.command("GET", "redkit:session:{same}:k")).isEqualTo("session");
        }
    }

    @Test
    void scriptOverKeysWithOneHashTagRunsOnEveryNodeAndSurvivesScriptFlush(RedisCluster cluster) {
        try (Redkit redkit = redkit(cluster)) {
            RedisNamespace q = redkit.namespace(Namespace.QUEUE);
            Set<Integer> nodesUsed = new HashSet<>();
            for (int i = 0; i < 30; i++) {
                String tag = "{queue-" + i + "}";
                List<Long> r = q.evalSync(INCR_BOTH, ScriptOutputType.MULTI,
                        new String[]{q.key(tag, "a"), q.key(tag, "b")}, i + 1);
                assertThat(r).containsExactly((long) i + 1, (long) i + 1);
                nodesUsed.add(cluster.nodes().indexOf(cluster.nodeFor(q.key(tag, "a"))));
            }
            assertThat(nodesUsed).as("the tags spread over all masters").hasSize(RedisCluster.MASTERS);

            for (RedisServer n : cluster.nodes()) {
                n.command("SCRIPT", "FLUSH");
            }
            for (int i = 0; i < 30; i++) {
                String tag = "{queue-" + i + "}";
                List<Long> r = q.evalSync(INCR_BOTH, ScriptOutputType.MULTI,
                        new String[]{q.key(tag, "a"), q.key(tag, "b")}, 1);
                assertThat(r).containsExactly((long) i + 2, (long) i + 2);
            }
        }
    }

    @Test
    void healthIsUpOnCluster(RedisCluster cluster) {
        try (Redkit redkit = redkit(cluster)) {
            assertThat(redkit.health()).hasSize(3).allMatch(NamespaceHealth::isUp);
        }
    }
}
