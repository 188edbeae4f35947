package io.redkit.queue.internal;

import io.redkit.core.Redkit;
import io.redkit.core.RedkitConfig;
import io.redkit.queue.Backoff;
import io.redkit.queue.JobInfo;
import io.redkit.queue.JobOptions;
import io.redkit.queue.JobQueue;
import io.redkit.queue.JobState;
import io.redkit.queue.QueueOptions;
import io.redkit.queue.RepeatSchedule;
import io.redkit.queue.Retention;
import io.redkit.queue.Worker;
import io.redkit.queue.WorkerOptions;
import io.redkit.testkit.RedisCluster;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedisCluster;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The core transitions on a three-master Redis Cluster: every script touches one slot. */
@WithRedisCluster
class ClusterTest {

    private static Redkit redkit(RedisCluster cluster) {
        return Redkit.create(RedkitConfig.fromEnv(Map.of("REDIS_CLUSTER_NODES", cluster.nodesSpec(),
                "REDIS_CONNECT_TIMEOUT", "10s", "REDIS_COMMAND_TIMEOUT", "3s")));
    }

    @Test
    void scriptsRunOnClusterWithEveryKeyOfAQueueInOneSlot(RedisCluster cluster) {
        AtomicLong now = new AtomicLong(1_700_000_000_000L);
        try (Redkit redkit = redkit(cluster)) {
            RedisJobQueue q = (RedisJobQueue) JobQueue.create(redkit, "orders", QueueOptions.builder().completedRetention(Retention.all()).build());
            q.scriptClock = now::get;
            String low = q.add("t", 1, JobOptions.builder().priority(-1).build());
            String high = q.add("t", 2, JobOptions.builder().priority(5).idempotencyKey("k").build());
            assertThat(q.add("t", 3, JobOptions.builder().idempotencyKey("k").build())).isEqualTo(high);
            String delayed = q.add("t", 4, JobOptions.builder().delay(Duration.ofSeconds(1)).build());
            assertThat(q.list(JobState.WAITING, 0, 10)).extracting(JobInfo::id).containsExactly(high, low);

            RedisJobQueue.FetchReply r = q.namespace().await("fetch", q.fetch("w", 5, 1000, List.of()));
            assertThat(r.jobs()).extracting(RedisJobQueue.Fetched::id).containsExactly(high, low);
            RedisJobQueue.Fetched h = r.jobs().get(0);
            RedisJobQueue.Fetched l = r.jobs().get(1);
            // complete one, fail the other, let time pass: the delayed job is promoted, the failed one retried
            assertThat(q.namespace().await("fail", q.fail(low, l.token(), 500, "boom", ""))).isEqualTo(1L);
            now.addAndGet(1000);
            RedisJobQueue.FetchReply r2 = q.namespace().await("fetch",
                    q.fetch("w", 5, 1000, List.of(new RedisJobQueue.Completion(high, h.token(), null))));
            assertThat(r2.statuses()).containsExactly(1L);
            assertThat(r2.jobs()).extracting(RedisJobQueue.Fetched::id).containsExactlyInAnyOrder(delayed, low);
            // leases run out: back to waiting, stale completion refused
            now.addAndGet(1001);
            RedisJobQueue.Fetched d = r2.jobs().stream().filter(f -> f.id().equals(delayed)).findFirst().orElseThrow();
            RedisJobQueue.FetchReply r3 = q.namespace().await("fetch", q.fetch("w", 5, 1000,
                    List.of(new RedisJobQueue.Completion(delayed, d.token() + 1, null))));
            assertThat(r3.jobs()).hasSize(2);
            assertThat(r3.statuses()).containsExactly(0L);
            q.namespace().await("release", q.release(r3.jobs().stream().map(f -> Map.entry(f.id(), f.token())).toList()));
            assertThat(q.counts().waiting()).isEqualTo(2);
            assertThat(q.get(high).orElseThrow().state()).isEqualTo(JobState.COMPLETED);
            q.pause();
            q.resume();
            q.repeat("r", RepeatSchedule.every(Duration.ofMinutes(1)), "t", 1, JobOptions.defaults());
            assertThat(q.stats().added()).isEqualTo(3);
            assertThat(q.drain(true)).isEqualTo(2);

            RedisServer owner = cluster.nodeFor("{orders}");
            for (RedisServer node : cluster.nodes()) {
                long keys = (Long) node.command("DBSIZE");
                if (node == owner) {
                    assertThat(keys).isPositive();
                } else {
                    assertThat(keys).as("no key of the queue outside its slot's node").isZero();
                }
            }
        }
    }

    @Test
    void workersRunJobsOnCluster(RedisCluster cluster) {
        try (Redkit redkit = redkit(cluster)) {
            JobQueue a = JobQueue.create(redkit, "alpha");
            JobQueue b = JobQueue.create(redkit, "beta");
            Set<String> seen = ConcurrentHashMap.newKeySet();
            for (int i = 0; i < 50; i++) {
                a.add("t", i);
                b.add("t", i, JobOptions.builder().maxAttempts(2).backoff(Backoff.none()).build());
            }
            a.add("later", -1, JobOptions.builder().delay(Duration.ofMillis(300)).build());
            try (Worker w = JobQueue.worker(List.of(a, b), job -> {
                if (job.queue().equals("beta") && job.attempt() == 1) throw new IllegalStateException("first try fails");
                seen.add(job.queue() + job.payload(Integer.class));
                return null;
            }, WorkerOptions.builder().concurrency(8).build())) {
                await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 101);
                assertThat(w.isRunning()).isTrue();
            }
            assertThat(b.stats().retried()).isEqualTo(50);
        }
    }
}
