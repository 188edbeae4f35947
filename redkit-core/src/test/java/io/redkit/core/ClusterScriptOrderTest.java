package io.redkit.core;

import io.lettuce.core.ScriptOutputType;
import io.redkit.testkit.RedisCluster;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedisCluster;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link ScriptOrderTest} on a three-master Redis Cluster: script calls one caller sends in order
 * run in that order whether or not the node that runs them had the script. Redis caches scripts per
 * node, so a script one node has may still be missing on another.
 */
@WithRedisCluster
class ClusterScriptOrderTest {
    private static RedkitConfig config(RedisCluster cluster) {
        return RedkitConfig.fromEnv(Map.of("REDIS_CLUSTER_NODES", cluster.nodesSpec(), "REDIS_COMMAND_TIMEOUT", "5s",
                "REDIS_CONNECT_TIMEOUT", "10s"));
    }

    private static List<String> list(RedisNamespace ns, String key) {
        List<String> out = new ArrayList<>();
        for (byte[] v : ns.sync().lrange(key, 0, -1)) {
            out.add(new String(v, StandardCharsets.UTF_8));
        }
        return out;
    }

    /** A key of this namespace whose slot lives on {@code node}. */
    private static String keyOn(RedisCluster cluster, RedisNamespace ns, RedisServer node, String name) {
        for (int i = 0; i < 10_000; i++) {
            String key = ns.key("{order-" + i + "}", name);
            if (cluster.nodeFor(key).port() == node.port()) {
                return key;
            }
        }
        throw new IllegalStateException("no key found on " + node);
    }

    /** A busy EVAL on {@code key}'s node (sent by body, never NOSCRIPT) that keeps it from answering for about {@code ms}. */
    private static CompletableFuture<Object> busy(RedisNamespace ns, String key, int ms) {
        String body = "local t = redis.call('TIME'); local start = t[1] * 1000000 + t[2]; "
                + "while true do local n = redis.call('TIME'); if n[1] * 1000000 + n[2] - start > " + (ms * 1000) + " then break end end; return 1";
        return ns.async().eval(body, ScriptOutputType.INTEGER, new String[]{key}).toCompletableFuture();
    }

    @Test
    void aScriptsFirstUseRunsBeforeTheCallsSentAfterIt(RedisCluster cluster) throws Exception {
        RedisScript other = RedisScript.of("cluster-push-other.lua", "-- another script (cluster)\nreturn redis.call('RPUSH', KEYS[1], ARGV[1])");
        RedisScript fresh = RedisScript.of("cluster-push-fresh.lua", "-- never used before (cluster)\nreturn redis.call('RPUSH', KEYS[1], ARGV[1])");
        try (Redkit redkit = Redkit.create(config(cluster))) {
            RedisNamespace ns = redkit.namespace(Namespace.QUEUE);
            String key = keyOn(cluster, ns, cluster.nodes().get(0), "first-use");
            ns.evalSync(other, ScriptOutputType.INTEGER, new String[]{key}, "0");

            CompletableFuture<Object> slow = busy(ns, key, 200);
            CompletableFuture<Object> x1 = ns.eval(fresh, ScriptOutputType.INTEGER, new String[]{key}, "x1");
            CompletableFuture<Object> y1 = ns.eval(other, ScriptOutputType.INTEGER, new String[]{key}, "y1");
            CompletableFuture<Object> x2 = ns.eval(fresh, ScriptOutputType.INTEGER, new String[]{key}, "x2");
            CompletableFuture.allOf(slow, x1, y1, x2).get(10, TimeUnit.SECONDS);

            assertThat(list(ns, key)).containsExactly("0", "x1", "y1", "x2");
        }
    }

    /** The script is cached on one node: its first call on another node must still run before the calls sent after it. */
    @Test
    void aScriptLoadedOnOneNodeIsMissingOnAnotherAndStillKeepsItsOrder(RedisCluster cluster) throws Exception {
        RedisScript other = RedisScript.of("cluster-push-other2.lua", "-- another script (cluster, 2)\nreturn redis.call('RPUSH', KEYS[1], ARGV[1])");
        RedisScript spread = RedisScript.of("cluster-push-spread.lua", "-- used on one node first (cluster)\nreturn redis.call('RPUSH', KEYS[1], ARGV[1])");
        try (Redkit redkit = Redkit.create(config(cluster))) {
            RedisNamespace ns = redkit.namespace(Namespace.QUEUE);
            String onA = keyOn(cluster, ns, cluster.nodes().get(0), "a");
            String onB = keyOn(cluster, ns, cluster.nodes().get(1), "b");
            ns.evalSync(spread, ScriptOutputType.INTEGER, new String[]{onA}, "loaded on A"); // node A has it now
            ns.evalSync(other, ScriptOutputType.INTEGER, new String[]{onB}, "0");            // node B has only other

            CompletableFuture<Object> slow = busy(ns, onB, 200);
            CompletableFuture<Object> x1 = ns.eval(spread, ScriptOutputType.INTEGER, new String[]{onB}, "x1");
            CompletableFuture<Object> y1 = ns.eval(other, ScriptOutputType.INTEGER, new String[]{onB}, "y1");
            CompletableFuture<Object> x2 = ns.eval(spread, ScriptOutputType.INTEGER, new String[]{onB}, "x2");
            CompletableFuture.allOf(slow, x1, y1, x2).get(10, TimeUnit.SECONDS);

            assertThat(list(ns, onB)).containsExactly("0", "x1", "y1", "x2");
        }
    }

    /** After every node lost its scripts (a restart, SCRIPT FLUSH), pipelined callers on every node keep their order. */
    @Test
    void pipelinedCallersOnEveryNodeKeepTheirOrderAfterTheScriptCachesWereFlushed(RedisCluster cluster) throws Exception {
        RedisScript a = RedisScript.of("cluster-push-a.lua", "-- a (cluster)\nreturn redis.call('RPUSH', KEYS[1], ARGV[1])");
        RedisScript b = RedisScript.of("cluster-push-b.lua", "-- b (cluster)\nreturn redis.call('RPUSH', KEYS[1], ARGV[1])");
        int perCaller = 200;
        try (Redkit redkit = Redkit.create(config(cluster))) {
            RedisNamespace ns = redkit.namespace(Namespace.QUEUE);
            List<String> keys = new ArrayList<>();
            for (RedisServer node : cluster.nodes()) {
                String warm = keyOn(cluster, ns, node, "warm");
                ns.evalSync(a, ScriptOutputType.INTEGER, new String[]{warm}, "w");
                ns.evalSync(b, ScriptOutputType.INTEGER, new String[]{warm}, "w");
                keys.add(keyOn(cluster, ns, node, "after-flush"));
            }
            for (RedisServer node : cluster.nodes()) {
                node.command("SCRIPT", "FLUSH");
            }
            List<CompletableFuture<Object>> sent = new ArrayList<>();
            for (int i = 0; i < perCaller; i++) {
                for (String key : keys) {
                    sent.add(ns.eval(i % 2 == 0 ? a : b, ScriptOutputType.INTEGER, new String[]{key}, i));
                }
            }
            CompletableFuture.allOf(sent.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < perCaller; i++) {
                expected.add(String.valueOf(i));
            }
            for (String key : keys) {
                assertThat(list(ns, key)).as(key).isEqualTo(expected);
            }
        }
    }
}
