package io.redkit.testkit;

import io.redkit.testkit.junit.WithPostgres;
import io.redkit.testkit.junit.WithRedis;
import io.redkit.testkit.junit.WithRedisCluster;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@WithRedis
@WithRedisCluster
@WithPostgres
class TestkitTest {

    @Test
    void redisIsFlushedBeforeEachTestA(RedisServer redis) {
        assertThat(redis.command("DBSIZE")).isEqualTo(0L);
        redis.command("SET", "leftover", "1");
    }

    @Test
    void redisIsFlushedBeforeEachTestB(RedisServer redis) {
        assertThat(redis.command("DBSIZE")).isEqualTo(0L);
        redis.command("SET", "leftover", "1");
    }

    @Test
    void stopStartKillAndRestartOnTheSamePort(RedisServer redis) {
        int port = redis.port();
        redis.command("SET", "k", "v");
        redis.stop();
        assertThat(redis.isRunning()).isFalse();
        assertThatThrownBy(() -> redis.command("PING")).hasMessageContaining("not reachable");
        redis.start();
        assertThat(redis.port()).isEqualTo(port);
        assertThat(redis.command("PING")).isEqualTo("PONG");
        assertThat(redis.command("GET", "k")).as("persistence is off by default").isNull();
        redis.kill();
        assertThat(redis.isRunning()).isFalse();
        redis.restart();
        assertThat(redis.command("PING")).isEqualTo("PONG");
        assertThat(redis.version()).matches("\\d+\\.\\d+\\.\\d+");
    }

    @Test
    void aStoppedSharedServerIsRunningAgainForTheNextTest(RedisServer redis) {
        redis.stop();
    }

    @Test
    void clusterHasThreeMastersCoveringEverySlot(RedisCluster cluster) {
        assertThat(cluster.nodes()).hasSize(3);
        String info = (String) cluster.nodes().get(1).command("CLUSTER", "INFO");
        assertThat(info).contains("cluster_state:ok").contains("cluster_slots_assigned:16384");
        assertThat(cluster.nodesSpec().split(",")).hasSize(3);
        RedisServer owner = cluster.nodeFor("{user:1}:a");
        assertThat(owner.command("SET", "{user:1}:a", "1")).isEqualTo("OK");
        List<RedisServer> others = cluster.nodes();
        for (RedisServer n : others) {
            if (n != owner) {
                assertThatThrownBy(() -> n.command("GET", "{user:1}:a")).hasMessageStartingWith("MOVED");
            }
        }
    }

    @Test
    void postgresRunsAndGivesEachTestItsOwnDatabase(PostgresServer pg) throws Exception {
        String db = pg.createDatabase();
        try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id int primary key)");
            s.execute("INSERT INTO t VALUES (1), (2)");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(2);
            }
            try (ResultSet rs = s.executeQuery("SHOW server_version")) {
                rs.next();
                assertThat(rs.getString(1)).startsWith("17.");
            }
        }
        assertThat(pg.createDatabase()).isNotEqualTo(db);
    }
}
