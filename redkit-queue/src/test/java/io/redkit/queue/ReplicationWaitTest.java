package io.redkit.queue;

import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;
import io.redkit.testkit.RedisServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Adds that wait for replication, against a real primary and replica. */
class ReplicationWaitTest {

    @Test
    void anAddWaitsForItsReplicaAndSaysSoWhenTooFewAcknowledge() {
        try (RedisServer primary = RedisServer.builder().start()) {
            QueueOptions critical = QueueOptions.builder().replicationWait(1, Duration.ofMillis(300)).build();
            try (Redkit redkit = Redkit.create(RedkitConfig.builder().redisUrl(primary.url()).build())) {
                JobQueue queue = JobQueue.create(redkit, "payments", critical);
                // no replica yet: the add happens but the caller learns it is not replicated
                assertThatThrownBy(() -> queue.add("charge", 1))
                        .isInstanceOf(QueueException.class).hasMessageContaining("only 0 of 1 replica(s) acknowledged");
                assertThat(queue.counts().waiting()).isEqualTo(1);

                try (RedisServer replica = RedisServer.builder().arg("--replicaof", "127.0.0.1", String.valueOf(primary.port())).start()) {
                    await().atMost(Duration.ofSeconds(20)).until(() -> "up".equals(replica.info("master_link_status")));
                    String id = queue.add("charge", 2);
                    List<String> bulk = queue.addBulk(List.of(NewJob.of("charge", 3), NewJob.of("charge", 4)));
                    assertThat(bulk).hasSize(2);
                    // the replica has them already: WAIT returned only after it acknowledged
                    assertThat(Fixtures.queueKeyspace(replica)).startsWith("db1:keys=")
                            .isEqualTo(Fixtures.queueKeyspace(primary));
                    assertThat(queue.get(id)).isPresent();
                    assertThat(queue.counts().waiting()).isEqualTo(4);
                }
            }
        }
    }
}
