package io.redkit.session;

import io.redkit.core.RedkitConfig;
import io.redkit.testkit.RedisCluster;
import io.redkit.testkit.junit.WithRedisCluster;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

@WithRedisCluster
class ClusterSessionStoreTest extends SessionStoreContract {
    RedisCluster cluster;

    @BeforeEach
    void start(RedisCluster cluster) {
        this.cluster = cluster;
        // a generous command timeout: a loaded CI machine must not turn into a failed test
        open(RedkitConfig.fromEnv(Map.of("REDIS_CLUSTER_NODES", cluster.nodesSpec(), "REDIS_COMMAND_TIMEOUT", "5s",
                "REDIS_CONNECT_TIMEOUT", "10s")));
    }

    @Test
    void usersSpreadOverEveryMasterAndEachUsersKeysShareOneSlot() {
        SessionStore store = store();
        Set<Integer> nodes = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            Session a = loggedIn(store, "user-" + i, FIREFOX);
            Session b = loggedIn(store, "user-" + i, IPHONE);
            assertThat(a.id().substring(0, 16)).isEqualTo(b.id().substring(0, 16));
            nodes.add(cluster.nodes().indexOf(cluster.nodeFor("{" + a.id().substring(0, 16) + "}")));
            assertThat(store.revokeAllExcept(b)).isEqualTo(1);
        }
        assertThat(nodes).hasSize(RedisCluster.MASTERS);
    }
}
