package io.redkit.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * A real three-master Redis Cluster: three {@code redis-server --cluster-enabled yes} processes on
 * free ports, slots split evenly, {@code cluster_state:ok} on every node before {@link #start()}
 * returns. No replicas.
 */
public final class RedisCluster implements AutoCloseable {
    /** Number of master nodes. */
    public static final int MASTERS = 3;

    private final List<RedisServer> nodes = new ArrayList<>();

    private RedisCluster() {}

    /** Starts the three nodes and forms the cluster. */
    public static RedisCluster start() {
        RedisCluster c = new RedisCluster();
        try {
            for (int i = 0; i < MASTERS; i++) {
                c.nodes.add(RedisServer.builder().clusterBus()
                        .arg("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                                "--cluster-node-timeout", "2000")
                        .start());
            }
            c.form();
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private void form() {
        int per = 16384 / MASTERS;
        for (int i = 0; i < MASTERS; i++) {
            int from = i * per;
            int to = i == MASTERS - 1 ? 16383 : (i + 1) * per - 1;
            List<String> cmd = new ArrayList<>();
            cmd.add("CLUSTER");
            cmd.add("ADDSLOTS");
            for (int s = from; s <= to; s++) {
                cmd.add(String.valueOf(s));
            }
            nodes.get(i).command(cmd.toArray(new String[0]));
        }
        for (int i = 1; i < MASTERS; i++) {
            nodes.get(0).command("CLUSTER", "MEET", "127.0.0.1", String.valueOf(nodes.get(i).port()));
        }
        awaitOk();
    }

    private void awaitOk() {
        long end = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < end) {
            boolean ok = true;
            for (RedisServer n : nodes) {
                String info = (String) n.command("CLUSTER", "INFO");
                if (!info.contains("cluster_state:ok") || !info.contains("cluster_known_nodes:" + MASTERS)
                        || !info.contains("cluster_slots_ok:16384")) {
                    ok = false;
                    break;
                }
            }
            if (ok) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while forming the cluster", e);
            }
        }
        throw new IllegalStateException("cluster did not reach cluster_state:ok within 30 s: "
                + nodes.get(0).command("CLUSTER", "INFO"));
    }

    /** The master nodes. */
    public List<RedisServer> nodes() {
        return List.copyOf(nodes);
    }

    /** Seed nodes as {@code REDIS_CLUSTER_NODES} wants them: {@code 127.0.0.1:p1,127.0.0.1:p2,...}. */
    public String nodesSpec() {
        StringJoiner j = new StringJoiner(",");
        for (RedisServer n : nodes) {
            j.add(n.host() + ":" + n.port());
        }
        return j.toString();
    }

    /** {@code FLUSHALL} and {@code SCRIPT FLUSH} on every master. */
    public void flushAll() {
        for (RedisServer n : nodes) {
            n.flushAll();
        }
    }

    /** The node that owns {@code key}'s slot. */
    public RedisServer nodeFor(String key) {
        long slot = (Long) nodes.get(0).command("CLUSTER", "KEYSLOT", key);
        int per = 16384 / MASTERS;
        return nodes.get((int) Math.min(MASTERS - 1, slot / per));
    }

    /** Stops every node and removes its directory. */
    @Override
    public void close() {
        for (RedisServer n : nodes) {
            n.close();
        }
    }

    @Override
    public String toString() {
        return "RedisCluster{" + nodesSpec() + "}";
    }
}
