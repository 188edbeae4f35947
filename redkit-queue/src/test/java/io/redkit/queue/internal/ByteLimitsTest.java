package io.redkit.queue.internal;

import io.redkit.core.Redkit;
import io.redkit.core.codec.PayloadTooLargeException;
import io.redkit.queue.Fixtures;
import io.redkit.queue.JobInfo;
import io.redkit.queue.JobOptions;
import io.redkit.queue.JobQueue;
import io.redkit.queue.JobState;
import io.redkit.queue.NewJob;
import io.redkit.queue.QueueOptions;
import io.redkit.queue.Worker;
import io.redkit.testkit.RedisServer;
import io.redkit.testkit.junit.WithRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Enqueue batches, fetch replies, results and progress values are bounded in bytes, not only in count. */
@WithRedis
class ByteLimitsTest {
    private static final int KIB = 1024;

    private Redkit redkit;
    private RedisServer redis;

    @BeforeEach
    void setUp(RedisServer redis) {
        this.redis = redis;
        redkit = Fixtures.redkit(redis);
    }

    @AfterEach
    void tearDown() {
        redkit.close();
    }

    private long scriptCalls() {
        String info = (String) redis.command("INFO", "commandstats");
        long calls = 0;
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
                String c = line.substring(line.indexOf("calls=") + 6);
                calls += Long.parseLong(c.substring(0, c.indexOf(',')));
            }
        }
        return calls;
    }

    @Test
    void aBulkAddIsSplitIntoCallsOfAtMostMaxBatchBytesInOrder() {
        RedisJobQueue q = (RedisJobQueue) JobQueue.create(redkit, "bulk-bytes",
                QueueOptions.builder().maxBatchBytes(1024 * KIB).build());
        List<NewJob> jobs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            byte[] p = new byte[300 * KIB];
            p[0] = (byte) i;
            jobs.add(NewJob.of("big", p));
        }
        q.add("warm-up", null);
        long before = scriptCalls();
        List<String> ids = q.addBulk(jobs);
        long calls = scriptCalls() - before;
        // 3 records of 300 KiB fit in 1 MiB: 14 calls, where the count bound alone (500) makes one
        assertThat(calls).as("enqueue script calls for 40 jobs of 300 KiB").isEqualTo(14);
        assertThat(ids).hasSize(40);
        for (int i = 1; i < ids.size(); i++) {
            assertThat(Long.parseLong(ids.get(i))).isEqualTo(Long.parseLong(ids.get(i - 1)) + 1);
        }
        List<Integer> order = new ArrayList<>();
        for (JobInfo j : q.list(JobState.WAITING, 1, 100)) {
            order.add((int) j.payload()[0]);
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++) expected.add(i);
        assertThat(order).as("run order of the bulk's jobs").isEqualTo(expected);
    }

    @Test
    void aFetchHandsOutAtMostMaxFetchBytesOfRecordsButAlwaysOneJob() {
        RedisJobQueue q = (RedisJobQueue) JobQueue.create(redkit, "fetch-bytes",
                QueueOptions.builder().maxFetchBytes(1024 * KIB).maxPayloadSize(2048 * KIB).build());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add(q.add("big", new byte[400 * KIB], JobOptions.defaults()));
        }
        String huge = q.add("huge", new byte[1500 * KIB], JobOptions.defaults());
        RedisJobQueue.FetchReply r = q.namespace().await("fetch", q.fetch("w", 10, 30_000, List.of()));
        assertThat(r.jobs()).extracting(RedisJobQueue.Fetched::id).containsExactly(ids.get(0), ids.get(1));
        assertThat(q.counts().waiting()).isEqualTo(9);
        for (int i = 0; i < 4; i++) {
            q.namespace().await("fetch", q.fetch("w", 10, 30_000, List.of()));
        }
        // the job bigger than the budget still goes, alone
        RedisJobQueue.FetchReply last = q.namespace().await("fetch", q.fetch("w", 10, 30_000, List.of()));
        assertThat(last.jobs()).extracting(RedisJobQueue.Fetched::id).containsExactly(huge);
        assertThat(q.counts().waiting()).isZero();
    }

    @Test
    void aResultLargerThanMaxResultSizeFailsTheAttemptAndIsNotStored() {
        JobQueue q = JobQueue.create(redkit, "result-bytes", QueueOptions.builder().maxResultSize(KIB).build());
        String id = q.add("t", 1, JobOptions.builder().maxAttempts(1).build());
        try (Worker w = q.worker(job -> new byte[2 * KIB], Fixtures.worker(1).build())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> q.get(id).orElseThrow().state() == JobState.DEAD);
            assertThat(w.isRunning()).isTrue();
        }
        JobInfo j = q.get(id).orElseThrow();
        assertThat(j.error()).contains("maxResultSize").contains("2048 bytes").contains("limit is 1024 bytes");
        assertThat(j.result()).isNull();
    }

    @Test
    void progressLargerThanMaxProgressSizeIsRefusedWithTheLimitAndNothingIsStored() {
        JobQueue q = JobQueue.create(redkit, "progress-bytes", QueueOptions.builder().maxProgressSize(KIB).build());
        String id = q.add("t", 1);
        AtomicReference<Throwable> refused = new AtomicReference<>();
        try (Worker w = q.worker(job -> {
            job.progress("small");
            try {
                job.progress(new byte[KIB + 1]);
            } catch (PayloadTooLargeException e) {
                refused.set(e);
            }
            return null;
        }, Fixtures.worker(1).build())) {
            await().atMost(Duration.ofSeconds(5)).until(() -> q.counts().completed() == 1);
            assertThat(w.isRunning()).isTrue();
        }
        Throwable e = refused.get();
        assertThat(e).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxProgressSize").hasMessageContaining("1025 bytes").hasMessageContaining("limit is 1024 bytes");
        String stored = q.decode(q.get(id).orElseThrow().progress(), String.class);
        assertThat(stored).isEqualTo("small");
    }

    @Test
    void byteLimitsOutOfRangeAreRejectedWithTheAllowedRange() {
        assertThatThrownBy(() -> QueueOptions.builder().maxBatchBytes(100)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxBatchBytes must be between 1024 and 268435456: 100");
        assertThatThrownBy(() -> QueueOptions.builder().maxFetchBytes(0)).hasMessageContaining("maxFetchBytes");
        assertThatThrownBy(() -> QueueOptions.builder().maxResultSize(-1)).hasMessageContaining("maxResultSize");
        assertThatThrownBy(() -> QueueOptions.builder().maxProgressSize(Integer.MAX_VALUE)).hasMessageContaining("maxProgressSize");
    }
}
